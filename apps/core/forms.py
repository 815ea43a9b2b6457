"""Forms shared by every log: bulk actions, notes, status moves, assignment, record base form."""

from django import forms
from django.contrib.auth import get_user_model

from .choices import LinkRelation, Status
from .input_rules import InputRulesMixin
from .models import Client, Service, Team
from .scoping import accessible_client_ids, sees_every_client
from .selectors import teams_for_clients, users_of_clients
from .workflow import allowed_targets


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        full_name = user.get_full_name()
        return f"{full_name} ({user.username})" if full_name else user.username


class BulkActionForm(forms.Form):
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
        self.fields["assignee"].queryset = users_of_clients(client_ids)
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


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Add a note", widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )


class LinkForm(forms.Form):
    relation = forms.ChoiceField(choices=LinkRelation.choices, label="This record is")
    reference = forms.CharField(
        max_length=24,
        label="Reference",
        widget=forms.TextInput(attrs={"placeholder": "INT-2026-000042"}),
    )


class StatusChangeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
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
        kwargs.setdefault("initial", {"version": record.version})
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, Status(value).label) for value in allowed_targets(record.status)
        ]
        may_override = user is not None and user.has_perm("core.close_with_open_follow_ups")
        if not may_override or Status.CLOSED not in allowed_targets(record.status):
            del self.fields["override_open_follow_ups"]


class AssignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    assignee = UserChoiceField(queryset=get_user_model().objects.none(), required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)

    def __init__(self, *args, record, **kwargs):
        kwargs.setdefault(
            "initial",
            {"version": record.version, "assignee": record.assignee_id, "team": record.team_id},
        )
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = users_of_clients([record.client_id])
        self.fields["team"].queryset = Team.objects.filter(clients=record.client_id)

    def clean(self):
        data = super().clean()
        if not (data.get("assignee") or data.get("team")):
            raise forms.ValidationError("Choose a person or a team.")
        return data


class LogRecordForm(InputRulesMixin, forms.ModelForm):
    """Base of every log's create/edit form: client choices scoped, stale edits detected."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

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
                queryset=users_of_clients(client_ids), required=False
            )
        for field in self.fields.values():
            if (
                isinstance(field, forms.ModelMultipleChoiceField)
                and field.queryset.model is Service
            ):
                field.queryset = Service.objects.filter(active=True, client__in=client_ids)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def changes(self) -> dict:
        """Cleaned model field values, without many-to-many fields and the version."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "version"
            and name in self._meta.fields
            and not isinstance(self.fields[name], forms.ModelMultipleChoiceField)
            and not self.fields[name].disabled
        }
