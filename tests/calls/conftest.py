"""Fixtures of the call tests."""

import pytest

from tests.factories_calls import DispositionFactory, QueryCategoryFactory


@pytest.fixture
def codes(db):
    """The code list entries the import's example rows name."""
    return {
        "billing": QueryCategoryFactory(),
        "resolved": DispositionFactory(),
        "no-answer": DispositionFactory(code="no-answer", label="No answer"),
        "callback": DispositionFactory(code="callback-scheduled", label="Callback scheduled"),
    }
