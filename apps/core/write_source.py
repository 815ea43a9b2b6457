"""Where a write comes from, when it is not a person at a page: the history says so.

The API wraps each request in `written_via("API, token …")`; every history version saved
meanwhile carries it after its reason, beside the person (`history_user`) it was made by.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_source: ContextVar[str] = ContextVar("write_source", default="")


@contextmanager
def written_via(source: str):
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)


def current_source() -> str:
    return _source.get()


def mark_history_source(sender, history_instance, **kwargs) -> None:
    """`pre_create_historical_record` receiver: "<reason> · via <source>"."""
    source = current_source()
    if not source:
        return
    reason = history_instance.history_change_reason or ""
    suffix = f"via {source}"
    history_instance.history_change_reason = (
        f"{reason} · {suffix}" if reason else suffix[0].upper() + suffix[1:]
    )
