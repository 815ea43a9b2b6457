"""The range of dates and times the portal accepts, checked in one place.

A date outside `[PORTAL_EARLIEST_DATE, now + PORTAL_LATEST_YEARS_AHEAD years]` is a typing
error (`0001-01-01`, `9999-12-31`), and clock arithmetic on it would overflow. Forms (through
`apps.core.input_rules.InputRulesMixin`), list filters, the call import and the matrix preview
all refuse it with the same words.
"""

from datetime import UTC, date, datetime, time

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone


def earliest_date() -> date:
    return settings.PORTAL_EARLIEST_DATE


def latest_date() -> date:
    today = timezone.localdate()
    year = today.year + settings.PORTAL_LATEST_YEARS_AHEAD
    # 29 February has no twin in most years.
    return (
        today.replace(year=year, day=28)
        if (today.month, today.day) == (2, 29)
        else (today.replace(year=year))
    )


def _bounds() -> tuple[datetime, datetime]:
    """The range as aware datetimes: from the first moment of the earliest day anywhere on
    Earth to the last moment of the latest day anywhere."""
    low = datetime.combine(earliest_date(), time.min, tzinfo=UTC)
    high = datetime.combine(latest_date(), time.max, tzinfo=UTC)
    return low, high


def range_message() -> str:
    return f"Give a date between {earliest_date():%d %b %Y} and {latest_date():%d %b %Y}."


def is_plausible(value: date | datetime) -> bool:
    """Whether a date, or a datetime (aware or naive, any offset), lies in the range.

    Comparing aware datetimes of different offsets is exact and never overflows, unlike
    converting `9999-12-31 23:00-05:00` to UTC.
    """
    if isinstance(value, datetime):
        low, high = _bounds()
        if timezone.is_naive(value):
            low, high = low.replace(tzinfo=None), high.replace(tzinfo=None)
        return low <= value <= high
    return earliest_date() <= value <= latest_date()


def validate_plausible(value: date | datetime | None) -> None:
    """Validator for date and datetime fields: a ValidationError outside the range."""
    if value is not None and not is_plausible(value):
        raise ValidationError(range_message(), code="implausible_date")


def add_plausible_validator(field: forms.Field) -> None:
    """Give a date or date-time form field the range check (once)."""
    is_temporal = isinstance(field, forms.DateField | forms.DateTimeField)
    if is_temporal and validate_plausible not in field.validators:
        field.validators.append(validate_plausible)
