"""How a list's filter form reads when folded or closed: active count, chosen values."""

from django import template
from django.utils.http import urlencode

from ..access import version_for

register = template.Library()

# Beyond this many chosen values a multiple choice reads "N selected".
NAMED_CHOICES = 2


def _is_set(value) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_is_set(item) for item in value)
    return value not in (None, "")


@register.simple_tag
def active_filter_count(form) -> int:
    """How many of the form's fields hold a value (what the "Filters" button shows)."""
    if not form.is_bound:
        return 0
    return sum(1 for field in form if _is_set(field.value()))


@register.simple_tag
def chosen_label(field) -> str:
    """A multiple choice field as its closed button reads: "Any", "SEV1, SEV2", "3 selected"."""
    value = field.value() or []
    chosen = {str(item) for item in (value if isinstance(value, (list, tuple)) else [value])}
    # "SEV1 · Critical" is named by its first part, so two choices fit the button.
    labels = [
        str(label).split(" · ")[0] for key, label in field.field.choices if str(key) in chosen
    ]
    if not labels:
        return "Any"
    if len(labels) > NAMED_CHOICES:
        return f"{len(labels)} selected"
    return ", ".join(labels)


# Query parameters that move through the rows without changing the filter form.
_PAGING = frozenset({"after", "before", "_export"})


@register.simple_tag(takes_context=True)
def filter_form_key(context) -> str:
    """What a list's filter form is drawn from: the list, the user (their clients, their
    permissions), the organisation's version (the choices) and the filters chosen."""
    request = context["request"]
    chosen = sorted(
        (name, value)
        for name, values in request.GET.lists()
        if name not in _PAGING
        for value in values
    )
    return f"{request.path}|{request.user.pk}|{version_for(request.user)}|{urlencode(chosen)}"
