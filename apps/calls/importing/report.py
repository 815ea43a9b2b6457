"""What an import was asked to do, and what it found and did."""

from dataclasses import dataclass, field

from django.db import models

LISTED = 500  # errors and skipped rows kept for the report; the rest are counted


class ImportMode(models.TextChoices):
    CHECK = "check", "Check the file only; import nothing"
    ALL_OR_NOTHING = "all", "Import if every row is valid; otherwise import nothing"
    VALID_ROWS = "valid", "Import the valid rows and skip the invalid ones"


@dataclass
class ImportReport:
    filename: str
    mode: str
    rows: int = 0
    valid: int = 0  # new calls the file would create
    created: int = 0
    skipped: int = 0  # already imported before
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)
    error_count: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    file_error: str = ""
    cancelled: bool = False  # stopped when asked: nothing was imported
    seconds: float = 0.0

    def add_error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < LISTED:
            self.errors.append((line, message))

    def add_skipped(self, line: int, external_id: str) -> None:
        self.skipped += 1
        if len(self.skipped_rows) < LISTED:
            self.skipped_rows.append((line, external_id))

    @property
    def failed(self) -> bool:
        """Nothing was imported because of the file: unreadable, or invalid rows in a mode
        that imports all or nothing."""
        return bool(self.file_error) or (
            self.mode != ImportMode.VALID_ROWS and self.error_count > 0
        )

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0
