"""Forms shared by every log: bulk actions, notes, status moves, assignment, record base form."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Model

from .choices import LinkRelation, Status
from .input_rules import InputRulesMixin
from .models import Client, Service, Team
from .scoping import accessible_client_ids, sees_every_client
from .selectors import assignable_users, teams_for_clients
from .untouched import KeepUntouchedMixin
from .widgets import ZonedDateTimesMixin
from .workflow import allowed_targets

STALE_FORM = (
    "This form did not come back with the version of the record it was opened on, so it "
    "cannot be checked against changes made since. Nothing was saved: your entries are "
    "below. Reload the page to see the record as it is now, then make your changes again."
)


def version_field(*, required: bool = True) -> forms.IntegerField:
    """The hidden version a form was drawn with: a missing or altered one gets a clear error."""
    return forms.IntegerField(
        widget=forms.HiddenInput,
        required=required,
        min_value=1,
        error_messages=dict.fromkeys(("required", "invalid", "min_value"), STALE_FORM),
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        full_name = user.get_full_name()
        return f"{full_name} ({user.username})" if full_name else user.username


class BulkActionForm(InputRulesMixin, forms.Form):
    ASSIGN, STATUS = "assign", "status"

    selection = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={
            "required": "Select at least one row first.",
        },
    )
    action = forms.ChoiceField(choices=[(ASSIGN, "Assign"), (STATUS, "Change status")])
    assignee = UserChoiceField(queryset=get_user_model().objects.none(), required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)
    status = forms.ChoiceField(choices=[("", "---------"), *Status.choices], required=False)
    reason = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "Reason (to cancel)"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        client_ids = accessible_client_ids(user)
        self.fields["assignee"].queryset = assignable_users(client_ids)
        self.fields["team"].queryset = teams_for_clients(client_ids)
        for name, field in self.fields.items():
            if name != "selection":
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs["class"] = f"{css} form-control-sm"
        # Any id is acceptable here; the service only touches what the user may reach.
        raw = self.data.getlist("selection") if hasattr(self.data, "getlist") else []
        self.fields["selection"].choices = [(value, value) for value in raw]

    def clean(self):
        data = super().clean()
        if data.get("action") == self.ASSIGN and not (data.get("assignee") or data.get("team")):
            raise forms.ValidationError("Choose a person or a team to assign to.")
        if data.get("action") == self.STATUS and not data.get("status"):
            raise forms.ValidationError("Choose the status to move the records to.")
        return data


class NoteForm(InputRulesMixin, forms.Form):
    text = forms.CharField(
        label="Add a note",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
        error_messages={"required": "Write the note first: an empty note was not added."},
    )


class LinkForm(InputRulesMixin, forms.Form):
    relation = forms.ChoiceField(choices=LinkRelation.choices, label="This record is")
    reference = forms.CharField(
        max_length=24,
        label="Reference",
        widget=forms.TextInput(attrs={"placeholder": "INT-2026-000042"}),
        error_messages={
            "required": "Enter the reference of the record to link to, e.g. INT-2026-000042."
        },
    )


class StatusChangeForm(InputRulesMixin, forms.Form):
    version = version_field()
    status = forms.ChoiceField()
    reason = forms.CharField(
        required=False,
        max_length=2_000,
        widget=forms.TextInput(attrs={"placeholder": "Reason (needed to cancel)"}),
    )
    override_open_follow_ups = forms.BooleanField(
        required=False,
        label="Close even though records it caused are still open (give the reason)",
    )

    def __init__(self, *args, record, user=None, **kwargs):
        # The current status comes first and is chosen: sent as it is, the form moves nothing.
        kwargs.setdefault("initial", {"version": record.version, "status": record.status})
        super().__init__(*args, **kwargs)
        current = Status(record.status)
        self.fields["status"].choices = [
            (current.value, f"{current.label} (current)"),
            *((value, Status(value).label) for value in allowed_targets(record.status)),
        ]
        may_override = user is not None and user.has_perm("core.close_with_open_follow_ups")
        if not may_override or Status.CLOSED not in allowed_targets(record.status):
            del self.fields["override_open_follow_ups"]


class AssignForm(InputRulesMixin, forms.Form):
    version = version_field()
    assignee = UserChoiceField(queryset=get_user_model().objects.none(), required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)

    def __init__(self, *args, record, **kwargs):
        kwargs.setdefault(
            "initial",
            {"version": record.version, "assignee": record.assignee_id, "team": record.team_id},
        )
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_users(
            [record.client_id], keep=record.assignee_id
        )
        self.fields["team"].queryset = Team.objects.filter(clients=record.client_id)

    def clean(self):
        data = super().clean()
        if not (data.get("assignee") or data.get("team")):
            raise forms.ValidationError("Choose a person or a team.")
        return data


def keep_current_choices(field: forms.ModelChoiceField, current) -> None:
    """Let a choice field keep offering what a record holds now (a deactivated service, an
    assignee who has left the client…), so that an unedited form posts it back unchanged."""
    values = current if isinstance(current, list | tuple) else [current]
    ids = {value.pk if isinstance(value, Model) else value for value in values} - {None}
    if not ids:
        return
    queryset = field.queryset
    missing = ids - set(queryset.filter(pk__in=ids).values_list("pk", flat=True))
    if missing:
        extra = queryset.model._default_manager.filter(pk__in=missing)
        field.queryset = queryset | (extra.distinct() if queryset.query.distinct else extra)


class PortalFieldsMixin(KeepUntouchedMixin, InputRulesMixin, ZonedDateTimesMixin):
    """What every model form of the portal does with its fields: an edit keeps exactly what
    the user did not touch, typed values follow the input rules (no control characters,
    plausible dates), and date-time inputs say their time zone."""


class LogRecordForm(PortalFieldsMixin, forms.ModelForm):
    """Base of every log's create/edit form: client choices scoped, stale edits detected, and
    an edit changes only what the user changed."""

    version = version_field(required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        client_ids = accessible_client_ids(user)
        clients = Client.objects.filter(active=True)
        if not sees_every_client(user):
            clients = clients.filter(pk__in=client_ids)
        if "client" in self.fields:
            self.fields["client"].queryset = clients
            if self.instance.pk:
                self.fields["client"].disabled = True
            elif clients.count() == 1:
                self.fields["client"].initial = clients.first()
        if "team" in self.fields:
            self.fields["team"].queryset = teams_for_clients(client_ids)
        if "assignee" in self.fields:
            self.fields["assignee"] = UserChoiceField(
                queryset=assignable_users(client_ids, keep=self.instance.assignee_id),
                required=False,
            )
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.queryset.model is Service:
                field.queryset = Service.objects.filter(
                    active=True, client__in=client_ids
                ).select_related("client")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True
            for name, field in self.fields.items():
                if isinstance(field, forms.ModelChoiceField) and name in self.initial:
                    keep_current_choices(field, self.initial[name])

    def clean(self):
        data = super().clean()
        if "version" in self.errors:
            # A hidden field's error would show nowhere: say it at the top of the form.
            del self.errors["version"]
            self.add_error(None, STALE_FORM)
        return data

    def changes(self) -> dict:
        """Cleaned model field values, without many-to-many fields and the version: all of
        them for a new record, only those the user changed for an edit."""
        names = self.changed_data if self.instance.pk else self.cleaned_data
        return {
            name: self.cleaned_data[name]
            for name in names
            if name != "version"
            and name in self.cleaned_data
            and name in self._meta.fields
            and not isinstance(self.fields[name], forms.ModelMultipleChoiceField)
            and not self.fields[name].disabled
        }
