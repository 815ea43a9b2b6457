"""Bulk import of calls from telephony exports (CSV)."""

from .columns import COLUMNS, template_rows
from .runner import ImportMode, ImportReport, import_calls

__all__ = ["COLUMNS", "ImportMode", "ImportReport", "import_calls", "template_rows"]
