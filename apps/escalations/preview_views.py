"""The matrix preview page: pick a client, category, severity and start; see what fires when."""

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.utils import timezone
from django.views.generic import TemplateView

from apps.core.choices import Severity
from apps.core.input_rules import InputRulesMixin
from apps.core.models import Client, CodeListEntry
from apps.core.scoping import accessible_client_ids, sees_every_client

from .preview import matrix_preview


class MatrixPreviewForm(InputRulesMixin, forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.none())
    category = forms.ModelChoiceField(
        queryset=CodeListEntry.objects.filter(
            list_name=CodeListEntry.ListName.ESCALATION_CATEGORY, active=True
        ).order_by("sort_order", "label"),
        required=False,
        empty_label="Any category",
    )
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.SEV2)
    start = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="When the escalation is raised (your time zone).",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        clients = Client.objects.filter(active=True)
        if not sees_every_client(user):
            clients = clients.filter(pk__in=accessible_client_ids(user))
        self.fields["client"].queryset = clients


class MatrixPreviewView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "escalations.view_escalation"
    template_name = "escalations/matrix_preview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        data = self.request.GET if "client" in self.request.GET else None
        initial = {"start": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
        form = MatrixPreviewForm(data, user=user, initial=initial)
        context["form"] = form
        if data is not None and form.is_valid():
            choice = form.cleaned_data
            context["preview"] = matrix_preview(
                choice["client"],
                choice["category"].pk if choice["category"] else None,
                choice["severity"],
                choice["start"],
            )
        return context
