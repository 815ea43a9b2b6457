"""Values a stored record may hold, drawn from its model's fields: times to the microsecond,
text with surrounding spaces and any line ends, numbers at their field's precision, every
choice. What the record's rules demand (an end after its start…) is arranged by the callers.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from hypothesis import strategies as st

from apps.core.choices import Severity, Status

# Lines as people and imports store them: plain, with spaces around, with markup, quotes
# and letters from beyond ASCII.
LINES = (
    "CRM unreachable",
    "  Straße gesperrt ",
    "O'Brien & Co <b>billing</b>",
    "réseau 50% perdu\t",
    "日本 callback",
    " - ",
    "x",
)
# Text over several lines, with the line ends browsers, imports and older forms left.
PARAGRAPHS = (
    "First line\nsecond line",
    "Windows\r\nline ends\r\n\r\nand a gap",
    "\nstarts with a line end",
    "ends with spaces   ",
    "  indented\n\ttabbed",
    "<script>alert(1)</script> &amp;",
)


def line(max_size: int = 120, *, required: bool = False) -> st.SearchStrategy:
    """One line of text (no line ends: a text input cannot hold them)."""
    options = [text[:max_size] for text in LINES]
    return st.sampled_from(options if required else ["", *options])


def paragraph(*, required: bool = False) -> st.SearchStrategy:
    options = [*PARAGRAPHS, *LINES]
    return st.sampled_from(options if required else ["", *options])


@st.composite
def moment(draw, start=None, *, within: timedelta = timedelta(days=20)):
    """A time after `start` (default: within the past year), to the microsecond."""
    if start is None:
        start = timezone.now() - timedelta(days=365)
        within = timedelta(days=360)
    seconds = draw(st.integers(0, int(within.total_seconds())))
    micro = draw(st.sampled_from([0, draw(st.integers(0, 999_999))]))
    return start + timedelta(seconds=seconds, microseconds=micro)


def _bounds(field) -> tuple[int | None, int | None]:
    low = high = None
    for validator in field.validators:
        if isinstance(validator, MinValueValidator):
            low = validator.limit_value
        if isinstance(validator, MaxValueValidator):
            high = validator.limit_value
    return low, high


def field_value(field: models.Field, *, start) -> st.SearchStrategy:
    """A value `field` may hold; times fall after `start`."""
    if field.choices:
        options = [value for value, _ in field.flatchoices if value != ""]
        if field.blank:
            options.append(None if field.null else "")
        return st.sampled_from(options)
    if isinstance(field, models.BooleanField):
        value = st.booleans()
    elif isinstance(field, models.DateTimeField):
        value = moment(start)
    elif isinstance(field, models.DateField):
        value = st.dates(
            timezone.localdate() - timedelta(days=60), timezone.localdate() + timedelta(days=60)
        )
    elif isinstance(field, models.DecimalField):
        whole = 10 ** min(field.max_digits - field.decimal_places, 6) - 1
        value = st.decimals(0, whole, places=field.decimal_places).map(
            lambda number: number.quantize(Decimal(1).scaleb(-field.decimal_places))
        )
    elif isinstance(field, models.IntegerField):
        low, high = _bounds(field)
        value = st.integers(low if low is not None else 0, high if high is not None else 100_000)
    elif isinstance(field, models.TextField):
        value = paragraph(required=not field.blank)
    elif isinstance(field, models.CharField):
        value = line(field.max_length, required=not field.blank)
    else:
        raise TypeError(f"No values drawn for {field!r}")
    if field.null:
        return st.none() | value
    return value


def plain_values(draw, model, names, *, start) -> dict:
    """Values for the model's plain fields among `names` (relations are the caller's), drawn
    in name order so that a derandomized run draws the same whatever the hash seed."""
    values = {}
    for name in sorted(names):
        field = model._meta.get_field(name)
        if field.is_relation or not field.editable:
            continue
        values[name] = draw(field_value(field, start=start))
    return values


def workflow_values(draw, *, start, statuses=Status.values) -> dict:
    """Severity, status (one of `statuses`) and the times and reason the status needs."""
    status = draw(st.sampled_from(statuses))
    values = {"severity": draw(st.sampled_from(Severity.values)), "status": status}
    values["resolution_due"] = draw(st.none() | moment(start))
    if status in (Status.RESOLVED, Status.CLOSED):
        values["resolved_at"] = draw(moment(start))
    if status == Status.CLOSED:
        values["closed_at"] = values["resolved_at"] + timedelta(seconds=draw(st.integers(0, 9999)))
    if status == Status.CANCELLED:
        values["cancel_reason"] = draw(paragraph(required=True))
    return values


def ordered(values: dict, *names: str) -> None:
    """Put the times under `names` that are set in ascending order, in place."""
    present = [name for name in names if values.get(name) is not None]
    for name, value in zip(present, sorted(values[name] for name in present), strict=True):
        values[name] = value
