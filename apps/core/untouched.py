"""Forms that leave alone what the user did not touch.

A browser sends back what the widget drew, not what is stored: a `datetime-local` input is
drawn to the minute, so an unedited time comes back without its seconds; a textarea's line
ends come back as CRLF. Compared naively, such a field looks edited and saving the form would
truncate or rewrite it. Here a field whose posted value is what its widget drew for the
stored value counts as untouched: it is left out of `changed_data`, and its cleaned value is
the stored value, exactly.
"""

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.forms.widgets import Input
from django.utils.functional import cached_property
from django.utils.text import normalize_newlines


def drawn_value(bound_field: forms.BoundField):
    """What the browser posts for this field when nobody edits it: the initial value as its
    widget draws it, with a textarea's line ends as browsers send them (CRLF)."""
    field = bound_field.field
    drawn = field.widget.format_value(field.prepare_value(bound_field.initial))
    if isinstance(field.widget, forms.Textarea) and isinstance(drawn, str):
        drawn = normalize_newlines(drawn).replace("\n", "\r\n")
    return drawn


def typed_in(widget: forms.Widget) -> bool:
    return isinstance(widget, forms.Textarea) or (
        isinstance(widget, Input) and not isinstance(widget, forms.CheckboxInput)
    )


def posted_as_drawn(bound_field: forms.BoundField) -> bool:
    """Whether the posted value means what the widget drew for the initial value."""
    field = bound_field.field
    try:
        return field.to_python(drawn_value(bound_field)) == field.to_python(bound_field.data)
    except forms.ValidationError:
        return False


class KeepUntouchedMixin:
    """For model forms: a field posted as its widget drew the stored value keeps that value.

    Applies to the model's plain (non-relation) fields, whose widgets may draw a value less
    precisely than it is stored (times to the minute, text with its line ends). Choices and
    related rows are compared exactly by Django already.
    """

    def _plain_model_field(self, name: str) -> bool:
        try:
            model_field = self._meta.model._meta.get_field(name)
        except FieldDoesNotExist:  # a form-only field
            return False
        return isinstance(model_field, models.Field) and not model_field.is_relation

    @cached_property
    def untouched_fields(self) -> set[str]:
        """Plain model fields, typed into text-like inputs, posted exactly as drawn from their
        initial value (ticks and choices post exactly what they show). Only a stored row has
        values to keep."""
        if not self.is_bound or self.instance.pk is None:
            return set()
        return {
            name
            for name, bound_field in self._bound_items()
            if not bound_field.field.disabled
            and typed_in(bound_field.field.widget)
            and self._plain_model_field(name)
            and posted_as_drawn(bound_field)
        }

    @cached_property
    def changed_data(self) -> list[str]:
        return [name for name in super().changed_data if name not in self.untouched_fields]

    def stored_value(self, name: str):
        """The initial value at full precision (a bound field's initial drops microseconds)."""
        return self.initial[name] if name in self.initial else self[name].initial

    def clean(self):
        data = super().clean()
        for name in self.untouched_fields:
            if name in data:
                data[name] = self.stored_value(name)
        return data
