"""Links from a report's figure to the list of exactly the records behind it."""

from datetime import datetime
from urllib.parse import urlencode

from django.urls import reverse

from apps.core.listing.filters import window_value

from .scope import ReportScope


def list_url(
    url_name: str,
    scope: ReportScope,
    *,
    window: tuple[str, datetime, datetime] | None = None,
    **filters,
) -> str:
    """The list at `url_name` narrowed to the scope's client, the `window` (a moment field
    and `[start, end)`) and `filters` (list parameters; a list or tuple repeats the name)."""
    parameters: list[tuple[str, str]] = [("client", str(scope.client.pk))]
    if window is not None:
        parameters.append(("window", window_value(*window)))
    for name, value in filters.items():
        values = value if isinstance(value, list | tuple) else [value]
        parameters.extend((name, str(item)) for item in values if item is not None)
    return f"{reverse(url_name)}?{urlencode(parameters)}"
