"""Creating and editing a record through its kind's own form view: the same form (choices
scoped to the user's clients, input rules, stale versions) and the same services as a page.

A PATCH names only what it changes: every other field, and every field sent as stored, is
given as the page would post it back untouched, so the form sees exactly the fields edited
and the record keeps the rest as it is.
"""

from django import forms
from django.core.exceptions import FieldDoesNotExist

from apps.core.untouched import drawn_value, typed_in

from .problems import invalid


def _unedited_value(bound_field: forms.BoundField):
    if typed_in(bound_field.field.widget):
        return drawn_value(bound_field)
    return bound_field.field.prepare_value(bound_field.initial)


def unedited_data(form: forms.BaseForm) -> dict:
    """The data an untouched page form posts back (its initial values, as drawn)."""
    return {
        name: _unedited_value(form[name])
        for name, field in form.fields.items()
        if not field.disabled
    }


def _as_stored(record, name: str, value) -> bool:
    """Whether `value`, as an API client sends it, is what `record` holds in field `name`."""
    try:
        field = record._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    if field.many_to_many:
        stored = {obj.pk for obj in getattr(record, name).all()}
        return isinstance(value, list) and set(value) == stored
    if field.many_to_one:
        if isinstance(value, str):  # a record named by its reference (a call's earlier call)
            other = getattr(record, name)
            return other is not None and value.strip().upper() == other.reference
        return value == getattr(record, field.attname)
    return value == getattr(record, name)


def form_errors(form: forms.BaseForm) -> dict[str, list[str]]:
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}


def _form_view(kind, request, record):
    view = kind.form_view()
    view.setup(request, **({"reference": record.reference} if record else {}))
    view.record = record
    view.origin = None
    if kind.prepare_view is not None:
        kind.prepare_view(view)
    return view


def save_record(kind, request, payload: dict, record=None):
    """Create (no `record`) or edit a record from an API payload; the saved record.

    A create may follow up another record (`?origin=<reference>`), as the page's form does.
    """
    view = _form_view(kind, request, record)
    if record is None and hasattr(view, "origin_record"):
        view.origin_record()  # a reference this user may not follow up here is a 404
    elif request.GET.get("origin"):
        raise invalid({"origin": [f"{kind.tag} are not logged as follow-ups of other records."]})
    form_kwargs = view.get_form_kwargs()
    form_kwargs.pop("files", None)
    form_kwargs.pop("data", None)
    form_class = view.get_form_class()
    data = unedited_data(form_class(**form_kwargs))
    # A field sent back as stored is left as the page leaves a field nobody touched.
    data.update(
        (name, value)
        for name, value in payload.items()
        if record is None or not _as_stored(record, name, value)
    )
    form = form_class(data=data, **form_kwargs)
    formset = view.get_formset() if hasattr(view, "get_formset") else None
    if not form.is_valid():
        raise invalid(form_errors(form))
    if formset is not None and not formset.is_valid():
        raise invalid({"__all__": [str(error) for error in formset.non_form_errors()]})
    return view.create(form) if record is None else view.update(form)
