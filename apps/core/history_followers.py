"""Rows an app derives from its records' history, kept in step wherever a version is written.

Every writer of history versions (core's record services, `copy_to_history`, an app's own
set-based writes) calls `history_written` in the same transaction, so what an app reads
instead of the history (an escalation's tier stays) never lags behind it.
"""

from collections.abc import Callable, Iterable

from django.db import models

Refresh = Callable[[list[int]], None]

_followers: dict[type[models.Model], list[Refresh]] = {}


def follow_history(model: type[models.Model], refresh: Refresh) -> None:
    """Have `refresh(ids)` called whenever versions of those records of `model` are written."""
    refreshes = _followers.setdefault(model, [])
    if refresh not in refreshes:
        refreshes.append(refresh)


def history_written(model: type[models.Model], ids: Iterable[int]) -> None:
    """Versions of these records of `model` were just written (or rewritten)."""
    refreshes = _followers.get(model)
    if not refreshes:
        return
    ids = list(ids)
    if ids:
        for refresh in refreshes:
            refresh(ids)
