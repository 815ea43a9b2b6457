"""Open an admin change form, submit it exactly as rendered, and see what the database kept."""

import os
import re
from contextlib import contextmanager

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.db import connection, models
from django.forms.models import _get_foreign_key
from django.template import Template
from django.test.utils import _TestState
from django.urls import reverse
from hypothesis import settings
from hypothesis.errors import InvalidArgument
from simple_history.models import registered_models

from .forms import form_data

# What an unchanged save must not leave behind, besides the rows themselves.
SIDE_EFFECT_MODELS = (
    "core.TimelineEntry",
    "core.OutboxMessage",
    "core.AlertDelivery",
    "notifications.Notification",
    "audits.AuditFinding",
)


def examples(ci_minimum: int = 200, local: int = 25) -> int:
    """How many hypothesis examples a varied form gets: what the loaded profile says.

    tests/conftest.py registers a "ci" profile (and loads it in CI); without it, CI runs
    `ci_minimum` and a developer's run `local`, so the package stays quick.
    """
    try:
        settings.get_profile("ci")
    except InvalidArgument:
        return ci_minimum if os.environ.get("CI", "").lower() == "true" else local
    return settings().max_examples


def change_url(obj: models.Model) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def _rows(queryset) -> list[dict]:
    return sorted(queryset.values(), key=lambda row: repr(sorted(row.items())))


def snapshot(obj: models.Model) -> dict:
    """Every column of the row, of its inline rows and of its many-to-many links."""
    model = type(obj)
    state = {"row": _rows(model._base_manager.filter(pk=obj.pk))}
    for inline in admin.site._registry[model].inlines:
        fk = _get_foreign_key(model, inline.model, fk_name=inline.fk_name)
        state[inline.model._meta.label] = _rows(inline.model._base_manager.filter(**{fk.name: obj}))
    for m2m in model._meta.many_to_many:
        through = m2m.remote_field.through
        state[m2m.name] = _rows(through._base_manager.filter(**{m2m.m2m_field_name(): obj.pk}))
    return state


def side_effects() -> dict[str, int]:
    """Rows of every history table, the timeline, notifications, the outbox, the admin log."""
    counted = [*registered_models.values(), LogEntry]
    counted += [apps.get_model(label) for label in SIDE_EFFECT_MODELS]
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})" for model in counted)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    return {model._meta.label: count for model, count in zip(counted, row, strict=True)}


def as_browser_sends(data: dict[str, list[str]]) -> dict[str, list[str]]:
    """Line breaks as a browser submits them (CR LF), as the HTML standard says."""
    return {
        name: [value.replace("\r\n", "\n").replace("\n", "\r\n") for value in values]
        for name, values in data.items()
    }


@contextmanager
def plain_rendering():
    """Templates render as in production, without the test client's per-template copies of
    the context (a select of 600 time zones costs a copy per option)."""
    instrumented = Template._render
    saved = getattr(_TestState, "saved_data", None)
    Template._render = getattr(saved, "template_render", instrumented)
    try:
        yield
    finally:
        Template._render = instrumented


def round_trip(client, obj: models.Model) -> tuple[dict, dict]:
    """GET the change form of `obj`, POST it back as rendered; (before, after) states.

    An editable form must be accepted (redirect); a read-only one refused (403).
    """
    url = change_url(obj)
    with plain_rendering():
        page = client.get(url)
        assert page.status_code == 200, (url, page.status_code)
        data, submits = form_data(page.content.decode(), f"{obj._meta.model_name}_form")
        before = {"rows": snapshot(obj), "effects": side_effects()}
        if "_save" in submits:
            data["_save"] = ["Save"]
        response = client.post(url, as_browser_sends(data))
        after = {"rows": snapshot(obj), "effects": side_effects()}
    if "_save" in submits:
        errors = re.findall(r'<ul class="errorlist[^>]*>.*?</ul>', response.content.decode())
        assert response.status_code == 302, (url, response.status_code, errors)
    else:
        assert response.status_code == 403, (url, response.status_code)
    return before, after
