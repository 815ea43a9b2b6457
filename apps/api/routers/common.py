"""What every operation of the API does: find the row, check the token and the role, write
with the history saying so."""

from contextlib import contextmanager

from django.shortcuts import get_object_or_404
from ninja import Schema
from pydantic import create_model

from apps.core.write_source import written_via

from ..auth import require_write, token_label
from ..problems import invalid
from ..saving import form_errors
from ..schemas import PageLinks


@contextmanager
def writing(request):
    """A write, by a read-and-write token, that the history says came through the API with
    this token. The role's permission is checked by the operation (after finding the row)."""
    require_write(request)
    with written_via(token_label(request.auth)):
        yield


def find_scoped(request, queryset, **lookup):
    """The row among those the token's owner may reach; anything else is 404."""
    return get_object_or_404(queryset.for_user(request.user), **lookup)


def valid_form(form):
    if not form.is_valid():
        raise invalid(form_errors(form))
    return form.cleaned_data


def page_schema(name: str, item_schema) -> type[Schema]:
    return create_model(
        name, __base__=Schema, items=(list[item_schema], ...), links=(PageLinks, ...)
    )
