"""Widgets shared by every form of the portal."""

from django import forms
from django.utils import timezone


class ZonedDateTimeInput(forms.DateTimeInput):
    """A date-time input that says under it which time zone its value is read in."""

    template_name = "core/widgets/zoned_datetime.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["time_zone"] = timezone.get_current_timezone_name()
        widget_attrs = context["widget"]["attrs"]
        if widget_attrs.get("id"):
            described_by = widget_attrs.get("aria-describedby", "") + f" {widget_attrs['id']}_zone"
            widget_attrs["aria-describedby"] = described_by.strip()
        return context


def state_time_zones(form: forms.BaseForm) -> None:
    """Give every date-time input of `form` the time zone note, keeping its attributes and
    format."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.DateTimeInput) and not isinstance(widget, ZonedDateTimeInput):
            zoned = ZonedDateTimeInput(attrs=widget.attrs, format=widget.format)
            zoned.input_type = widget.input_type
            zoned.is_required = widget.is_required
            zoned.is_localized = widget.is_localized
            field.widget = zoned


class ZonedDateTimesMixin:
    """A form whose date-time inputs state their time zone (see state_time_zones)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        state_time_zones(self)
