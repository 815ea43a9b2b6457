"""Creating and editing a record through its kind's own form view: the same form (choices
scoped to the user's clients, input rules, stale versions) and the same services as a page.

A PATCH names only what it changes: every other field is given as the page would post it
back untouched, so the form sees exactly those fields edited and the record keeps the rest.
"""

from django import forms

from apps.core.untouched import _typed_in, drawn_value

from .problems import invalid


def _unedited_value(bound_field: forms.BoundField):
    if _typed_in(bound_field.field.widget):
        return drawn_value(bound_field)
    return bound_field.field.prepare_value(bound_field.initial)


def unedited_data(form: forms.BaseForm) -> dict:
    """The data an untouched page form posts back (its initial values, as drawn)."""
    return {
        name: _unedited_value(form[name])
        for name, field in form.fields.items()
        if not field.disabled
    }


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
    data.update(payload)
    form = form_class(data=data, **form_kwargs)
    formset = view.get_formset() if hasattr(view, "get_formset") else None
    if not form.is_valid():
        raise invalid(form_errors(form))
    if formset is not None and not formset.is_valid():
        raise invalid({"__all__": [str(error) for error in formset.non_form_errors()]})
    return view.create(form) if record is None else view.update(form)
