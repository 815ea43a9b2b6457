"""The drop-downs of a list page (clients, teams, people, services, code lists), read from the
access cache instead of queried on every page view."""

from django import forms

from ..access import remembered
from ..scoping import accessible_client_ids, sees_every_client


def choices_scope(user) -> str:
    """What a user's choices depend on: every client, or the ids of theirs."""
    if user is None or not user.is_authenticated:
        return "nobody"
    if sees_every_client(user):
        return "all"
    return ",".join(str(pk) for pk in sorted(accessible_client_ids(user)))


def remember_choices(form: forms.Form, name: str, user) -> None:
    """Give each model choice field of `form` the choices its queryset gave last time for the
    same form and clients. Validation still asks the queryset."""
    scope = choices_scope(user)
    for field_name, field in form.fields.items():
        if not isinstance(field, forms.ModelChoiceField):
            continue

        def compute(field=field):
            return [(str(value), str(label)) for value, label in field.choices]

        choices = remembered(f"choices:{name}:{field_name}:{scope}", compute, user=user)
        # The plain setter: django-filter's would wrap the list in a queryset iterator.
        forms.ChoiceField.choices.fset(field, choices)


class RememberedChoicesMixin:
    """For a FilterSet built with `request=`: its form's model choices come from the cache."""

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            user = getattr(self.request, "user", None)
            remember_choices(form, type(self).__qualname__, user)
        return self._form
