"""Fixtures the report tests share with the SLA tests."""

from tests.sla.conftest import make_interruption  # noqa: F401
