"""Bulk import of calls from telephony exports (CSV)."""

from .columns import COLUMNS, template_rows
from .report import ImportMode, ImportReport
from .runner import import_calls

__all__ = ["COLUMNS", "ImportMode", "ImportReport", "import_calls", "template_rows"]
