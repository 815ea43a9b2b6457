"""The API's shapes: common ones written out, a log's own built from its model and form."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from django import forms
from django.db import models
from ninja import Schema
from pydantic import Field, create_model


class Related(Schema):
    """A row the record points to: its id (what a write sends) and how the portal names it."""

    id: int
    name: str
    reference: str | None = Field(None, description="For a record: its reference.")


class RecordRef(Schema):
    log: str
    reference: str
    title: str
    status: str
    url: str


class PageLinks(Schema):
    next: str | None = Field(None, description="The next page (keyset cursor), if any.")
    previous: str | None = Field(None, description="The previous page, if any.")


class StatusIn(Schema):
    status: str = Field(description="The status to move to (see the workflow).")
    version: int = Field(description="The version you read: a newer one is a 409.")
    reason: str = Field("", description="Needed to cancel, or to close over open follow-ups.")
    override_open_follow_ups: bool = False


class AssignmentIn(Schema):
    version: int
    assignee: int | None = Field(None, description="A person's id (users who work for the client).")
    team: int | None = Field(None, description="A team's id.")


class NoteIn(Schema):
    text: str


class LinkIn(Schema):
    reference: str = Field(description="The other record's reference, e.g. INT-2026-000042.")
    relation: str = Field(description='"caused_by" (this record was caused by it) or "related_to".')


class TimelineOut(Schema):
    at: datetime
    kind: str
    message: str
    actor: str | None


class LinkOut(Schema):
    description: str
    record: RecordRef


class ChainNodeOut(Schema):
    depth: int
    current: bool
    record: RecordRef


class ChainOut(Schema):
    nodes: list[ChainNodeOut]
    truncated: bool


class FieldChangeOut(Schema):
    field: str
    old: str
    new: str


class HistoryOut(Schema):
    at: datetime
    by: str
    action: str
    reason: str
    subject: str
    changes: list[FieldChangeOut]


def _choice_type(choices, *, blank: bool) -> Any:
    values = tuple(value for value, _ in choices if value not in ("", None))
    values += ("",) if blank else ()
    return Literal[values] if values else str


MODEL_TYPES = [
    (models.BooleanField, bool),
    (models.IntegerField, int),
    (models.DecimalField, Decimal),
    (models.FloatField, float),
    (models.DateTimeField, datetime),
    (models.DateField, date),
    (models.DurationField, timedelta),
    (models.JSONField, Any),
]
# Subclasses before their bases: a form's DecimalField and FloatField are IntegerFields.
FORM_TYPES = [
    (forms.ModelMultipleChoiceField, list[int]),
    (forms.ModelChoiceField, int),
    (forms.BooleanField, bool),
    (forms.DecimalField, Decimal),
    (forms.FloatField, float),
    (forms.IntegerField, int),
    (forms.DateTimeField, datetime),
    (forms.DateField, date),
    (forms.DurationField, timedelta),
]


def model_field_type(field) -> Any:
    if field.many_to_many:
        return list[Related]
    if field.is_relation:
        return Related | None
    if field.choices:
        return _choice_type(field.choices, blank=field.blank) | None
    for field_class, python_type in MODEL_TYPES:
        if isinstance(field, field_class):
            return python_type | None
    return str | None


def form_field_type(field: forms.Field) -> Any:
    for field_class, python_type in FORM_TYPES:
        if isinstance(field, field_class):
            return python_type | None
    if isinstance(field, forms.ChoiceField):
        return _choice_type(field.choices, blank=not field.required) | None
    return str | None


def output_schema(name: str, model, field_names: list[str], extra: dict) -> type[Schema]:
    fields = {
        field_name: (model_field_type(model._meta.get_field(field_name)), None)
        for field_name in field_names
    }
    return create_model(name, __base__=Schema, **fields, **extra)


def input_schema(name: str, form_class, *, with_version: bool) -> type[Schema]:
    """Every field of the log's form, optional here: the form names what is missing."""
    fields = {}
    for field_name, field in form_class.base_fields.items():
        if field_name == "version":
            continue
        description = str(field.help_text or field.label or field_name)
        if field.required:
            description += " (required)"
        fields[field_name] = (form_field_type(field), Field(None, description=description))
    if with_version:
        fields["version"] = (int, Field(description="The version you read: a newer one is a 409."))
    return create_model(name, __base__=Schema, **fields)
