"""Submitting an admin change form exactly as it was opened, and what that wrote."""

import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

# Tables a request writes whatever it does: the session and the login throttle.
BOOKKEEPING = ("django_session", "axes_")
WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?([\w]+)"?', re.IGNORECASE)


def form_data_as_opened(response) -> dict:
    """The POST data of the change form in `response`, every field as it was shown."""
    context = response.context
    data: dict = {}
    shown = [context["adminform"].form]
    for inline in context.get("inline_admin_formsets", ()):
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        shown.extend(inline.formset.forms)
    for form in shown:
        for name, form_field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(form_field, forms.BooleanField):
                if value:
                    data[key] = "on"
            elif value is None:
                data[key] = ""
            elif isinstance(value, list | tuple):
                data[key] = [str(item) for item in value]
            else:
                data[key] = value
    return data


@dataclass
class Writes:
    tables: list[str] = field(default_factory=list)


@contextmanager
def writes_captured():
    """The tables written to inside the block, bookkeeping left out."""
    found = Writes()
    with CaptureQueriesContext(connection) as captured:
        yield found
    for query in captured.captured_queries:
        match = WRITE.match(query["sql"])
        if match and not match.group(2).startswith(BOOKKEEPING):
            found.tables.append(match.group(2))
