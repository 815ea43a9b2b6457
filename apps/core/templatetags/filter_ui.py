"""How a list's filter form reads when folded or closed: active count, chosen values."""

from django import template

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
