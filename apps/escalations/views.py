from django.contrib import messages

from apps.core.choices import RootCause, Status, Tier
from apps.core.listing.exports import ExportColumn
from apps.core.views.listing import BulkActionView, FilteredTableView
from apps.core.views.records import (
    FollowUpFormMixin,
    RecordActionView,
    RecordDetailView,
    RecordFormView,
)
from apps.sla.maintenance import windows_ahead_of

from .filters import EscalationFilterSet
from .forms import EscalationForm, FirstResponseForm, MoveTierForm
from .models import Escalation, EscalationChannel, EscalationOrigin
from .services import (
    escalation_create,
    escalation_move_tier,
    escalation_record_first_response,
    escalation_update,
)
from .tables import EscalationTable

EXPORT_COLUMNS = [
    ExportColumn("Reference", "reference"),
    ExportColumn("Client", "client__code"),
    ExportColumn("Title", "title"),
    ExportColumn("Severity", "severity"),
    ExportColumn("Status", "status", choices=dict(Status.choices)),
    ExportColumn("Origin", "origin", choices=dict(EscalationOrigin.choices)),
    ExportColumn("Channel", "channel", choices=dict(EscalationChannel.choices)),
    ExportColumn("Category", "category__label"),
    ExportColumn("Tier", "tier"),
    ExportColumn("Customer", "customer_name"),
    ExportColumn("Account reference", "account_reference"),
    ExportColumn("Reason", "reason"),
    ExportColumn("Escalated at", "occurred_at"),
    ExportColumn("First response due", "first_response_due"),
    ExportColumn("First response at", "first_response_at"),
    ExportColumn("First response breached at", "first_response_breached_at"),
    ExportColumn("Resolution due", "resolution_due"),
    ExportColumn("Assignee", "assignee__username"),
    ExportColumn("Team", "team__name"),
    ExportColumn("Reported by", "reported_by__username"),
    ExportColumn("Resolution steps", "resolution_steps"),
    ExportColumn("Outcome", "outcome"),
    ExportColumn("Root cause", "root_cause_category", choices=dict(RootCause.choices)),
    ExportColumn("Root-cause analysis", "root_cause_analysis"),
    ExportColumn("Post-resolution review", "post_resolution_review"),
    ExportColumn("Resolved at", "resolved_at"),
    ExportColumn("Breached at", "resolution_breached_at"),
    ExportColumn("Closed at", "closed_at"),
    ExportColumn("Created at", "created_at"),
]


class EscalationListView(FilteredTableView):
    model = Escalation
    filterset_class = EscalationFilterSet
    table_class = EscalationTable
    export_columns = EXPORT_COLUMNS
    select_related = ("client", "assignee", "team", "category")


class EscalationBulkView(BulkActionView):
    model = Escalation


class EscalationDetailView(RecordDetailView):
    model = Escalation
    detail_template = "escalations/detail_fields.html"

    def get_queryset(self):
        return super().get_queryset().select_related("category")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.object
        acts = context["can_change"] and record.is_open
        context.update(
            tier_label=Tier(record.tier).label,
            maintenance_windows=windows_ahead_of(record) if record.is_open else [],
            move_tier_form=MoveTierForm(record=record) if acts else None,
            first_response_form=(
                FirstResponseForm(record=record)
                if acts and record.first_response_at is None
                else None
            ),
        )
        return context


class EscalationFormView(FollowUpFormMixin, RecordFormView):
    model = Escalation
    form_class = EscalationForm
    template_name = "escalations/form.html"

    cannot_follow = "{reference} cannot be escalated."

    def new_record_initial(self, initial: dict) -> dict:
        origin = self.origin_record()
        if origin is not None:
            initial.update(client=origin.client, title=origin.title, severity=origin.severity)
            # The origin's own fields worth carrying over, as far as this user may see them.
            if hasattr(origin, "follow_up_initial"):
                initial.update(origin.follow_up_initial(self.request.user))
        return initial

    def create(self, form):
        return escalation_create(
            actor=self.request.user, values=form.changes(), origin=self.origin_record()
        )

    def update(self, form):
        return escalation_update(
            self.record,
            actor=self.request.user,
            changes=form.changes(),
            expected_version=form.cleaned_data["version"] or 0,
        )


class MoveTierView(RecordActionView):
    form_class = MoveTierForm

    def perform(self, record, data) -> None:
        moved = escalation_move_tier(
            record,
            tier=data["tier"],
            team=data["team"],
            reason=data["reason"],
            actor=self.request.user,
            expected_version=data["version"],
        )
        messages.success(self.request, f"{moved.reference} is now at {Tier(moved.tier).label}.")


class FirstResponseView(RecordActionView):
    form_class = FirstResponseForm

    def perform(self, record, data) -> None:
        escalation_record_first_response(
            record, actor=self.request.user, expected_version=data["version"]
        )
        messages.success(self.request, "First response recorded.")
