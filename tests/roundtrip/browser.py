"""What a browser sends back for a form that nobody touched, worked out from the widgets'
own render context (Django draws the HTML from it), so precision lost in the drawing is lost
here too.

The rules are the HTML standard's: a disabled control sends nothing; an unticked box sends
nothing; a single select sends its selected option, or its first one when none is selected;
a text input drops line breaks; a number or date-time input that does not hold a valid value
sends an empty string; a textarea sends its lines ended by CRLF.
"""

import re

from django import forms
from django.forms.widgets import ChoiceWidget, Input
from django.utils.text import normalize_newlines

LOCAL_DATETIME = re.compile(r"^\d{4,}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?$")
NUMBER = re.compile(r"^-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?$")
DATE = re.compile(r"^\d{4,}-\d\d-\d\d$")
SANITISE = {
    "datetime-local": LOCAL_DATETIME,
    "number": NUMBER,
    "date": DATE,
}


def _choice_values(widget: ChoiceWidget, context: dict) -> list[str]:
    options = [option for _, group, _ in context["optgroups"] for option in group]
    chosen = [str(option["value"]) for option in options if option["selected"]]
    if widget.allow_multiple_selected or chosen:
        return chosen
    if widget.input_type == "select" and options:
        return [str(options[0]["value"])]
    return []  # radio buttons with none chosen send nothing


def _input_value(widget: Input, value) -> list[str]:
    text = "" if value is None else str(value)
    if widget.input_type in ("text", "email", "search", "tel", "url", "password"):
        text = text.replace("\r", "").replace("\n", "")
    pattern = SANITISE.get(widget.input_type)
    if pattern is not None and text and not pattern.match(text):
        text = ""
    return [text]


def field_post(bound_field: forms.BoundField) -> list[str] | None:
    """The values the browser sends for one field, or None when it sends none."""
    widget = bound_field.field.widget
    context = widget.get_context(bound_field.html_name, bound_field.value(), widget.attrs)
    context = context["widget"]
    if context["attrs"].get("disabled") or bound_field.field.disabled:
        return None
    if isinstance(widget, forms.CheckboxInput):
        return ["on"] if context["attrs"].get("checked") else None
    if isinstance(widget, ChoiceWidget):
        return _choice_values(widget, context) or None
    if isinstance(widget, forms.Textarea):
        value = context["value"] or ""
        return [normalize_newlines(value).replace("\n", "\r\n")]
    if isinstance(widget, Input):
        return _input_value(widget, context["value"])
    raise TypeError(f"No browser rule for {type(widget).__name__} ({bound_field.name})")


def posted(*forms_drawn) -> dict[str, list[str]]:
    """The POST data of an untouched page holding these forms (and formsets)."""
    data: dict[str, list[str]] = {}
    for drawn in forms_drawn:
        if isinstance(drawn, forms.BaseFormSet):
            data |= posted(drawn.management_form, *drawn.forms)
            continue
        for bound_field in drawn:
            values = field_post(bound_field)
            if values is not None:
                data[bound_field.html_name] = values
    return data


def page_post(client, path: str, *names: str, **typed) -> dict[str, list[str]]:
    """Open `path` with the test client; the POST its forms `names` (default: "form") make
    when the user enters only `typed`."""
    opened = client.get(path)
    assert opened.status_code == 200
    data = posted(*(opened.context[name] for name in names or ("form",)))
    return data | {name: [value] for name, value in typed.items()}
