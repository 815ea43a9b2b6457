"""Errors that services raise and views turn into messages or form errors."""

from django.core.exceptions import ValidationError


class StaleRecordError(Exception):
    """The record changed since the user opened it; saving would overwrite someone's work."""

    def __init__(self, record, expected_version: int):
        self.record = record
        self.expected_version = expected_version
        super().__init__(
            f"{record.reference} was changed by someone else since you opened it "
            f"(version {expected_version}, now {record.version}). Nothing was saved: "
            "reload the page to see their changes, then make yours again."
        )


class TransitionError(ValidationError):
    """A status move the workflow or the record's closing rules do not allow."""
