"""Reference numbers: prefix + year + sequence, unique and never reused."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..models import ReferenceSequence

SEQUENCE_DIGITS = 6


def format_reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:0{SEQUENCE_DIGITS}d}"


def reserve_reference_numbers(prefix: str, year: int, count: int = 1) -> range:
    """Take `count` consecutive numbers for prefix/year and return them.

    The increment is one UPDATE, which row-locks the sequence until the caller's transaction
    ends: concurrent savers queue on that row and never receive the same number.
    """
    with transaction.atomic():
        updated = ReferenceSequence.objects.filter(prefix=prefix, year=year).update(
            last_value=F("last_value") + count
        )
        if not updated:
            try:
                with transaction.atomic():
                    ReferenceSequence.objects.create(prefix=prefix, year=year, last_value=count)
            except IntegrityError:
                # Another saver created the row first: take our numbers after theirs.
                ReferenceSequence.objects.filter(prefix=prefix, year=year).update(
                    last_value=F("last_value") + count
                )
        last = ReferenceSequence.objects.get(prefix=prefix, year=year).last_value
    return range(last - count + 1, last + 1)


def next_reference(prefix: str, when=None) -> str:
    year = (when or timezone.now()).year
    (number,) = reserve_reference_numbers(prefix, year, 1)
    return format_reference(prefix, year, number)
