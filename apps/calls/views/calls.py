"""The call log's list, record page and form."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode

from apps.core.choices import Severity, Status
from apps.core.listing.exports import ExportColumn
from apps.core.views.listing import BulkActionView, FilteredTableView, model_permission
from apps.core.views.records import FollowUpFormMixin, RecordDetailView, RecordFormView

from ..callbacks import call_back_of
from ..filters import CallFilterSet
from ..forms import CallForm, QualityAuditForm
from ..masking import MASKED_FIELDS, can_view_personal_data, mask_for, mask_value, shown_name
from ..measures import CALL_MEASURES
from ..models import Call, Direction, Outcome, Sentiment
from ..services import call_create, call_update
from ..tables import CallTable, duration

EXPORT_COLUMNS = [
    ExportColumn("Reference", "reference"),
    ExportColumn("Client", "client__code"),
    ExportColumn("Direction", "direction", choices=dict(Direction.choices)),
    ExportColumn("Title", "title"),
    ExportColumn("Severity", "severity"),
    ExportColumn("Status", "status", choices=dict(Status.choices)),
    ExportColumn("Started at", "occurred_at"),
    ExportColumn("Answered at", "answered_at"),
    ExportColumn("Ended at", "ended_at"),
    ExportColumn("Wait (s)", "wait_seconds"),
    ExportColumn("Talk (s)", "talk_seconds"),
    # Masked by the database for whoever may not view personal data (see masking.py).
    ExportColumn("Caller number", shown_name("caller_number")),
    ExportColumn("Customer name", shown_name("customer_name")),
    ExportColumn("Account reference", "account_reference"),
    ExportColumn("Agent", "assignee__username"),
    ExportColumn("Team", "team__name"),
    ExportColumn("Queue / campaign", "queue"),
    ExportColumn("Query category", "query_category__label"),
    ExportColumn("Disposition", "disposition__label"),
    ExportColumn("Outcome", "outcome", choices=dict(Outcome.choices)),
    ExportColumn("Sentiment", "sentiment", choices=dict(Sentiment.choices)),
    ExportColumn("Description", "description"),
    ExportColumn("Resolution", "resolution"),
    ExportColumn("Escalation notes", "escalation_notes"),
    ExportColumn("Follow-up due", "follow_up_due"),
    ExportColumn("Follow-up of", "follow_up_of__reference"),
    ExportColumn("External call id", "external_call_id"),
    ExportColumn("QA score %", "qa_score"),
    ExportColumn("Reported by", "reported_by__username"),
    ExportColumn("Resolution due", "resolution_due"),
    ExportColumn("Resolved at", "resolved_at"),
    ExportColumn("Breached at", "resolution_breached_at"),
    ExportColumn("Closed at", "closed_at"),
    ExportColumn("Created at", "created_at"),
]


class CallListView(FilteredTableView):
    model = Call
    filterset_class = CallFilterSet
    table_class = CallTable
    template_name = "calls/list.html"
    export_columns = EXPORT_COLUMNS
    select_related = ("client", "assignee", "team", "query_category")
    extra_measures = CALL_MEASURES

    def filtered_queryset(self):
        return super().filtered_queryset().with_personal_data(self.request.user)

    def history_mask(self):
        user = self.request.user
        return lambda field, value: mask_for(user, field, value) if value else value

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            personal_data_hidden=not can_view_personal_data(user),
            can_import=user.has_perm(model_permission(Call, "import")),
            can_view_audits=user.has_perm("calls.view_qualityaudit"),
        )
        return context


class CallBulkView(BulkActionView):
    model = Call


def mask_history(history, user) -> None:
    """History entries show personal fields as the user may see them, like the page does."""
    if can_view_personal_data(user):
        return
    labels = {
        str(Call._meta.get_field(name).verbose_name).capitalize(): keep
        for name, keep in MASKED_FIELDS.items()
    }
    for entry in history:
        for change in entry.changes:
            if change.label in labels:
                keep = labels[change.label]
                change.old = change.old if change.old == "—" else mask_value(change.old, keep)
                change.new = change.new if change.new == "—" else mask_value(change.new, keep)


class CallDetailView(RecordDetailView):
    model = Call
    detail_template = "calls/detail_fields.html"

    def get_record(self):
        if not hasattr(self, "_record"):
            user = self.request.user
            self._record = get_object_or_404(
                Call.objects.for_user(user)
                .with_personal_data(user)
                .select_related(
                    "client",
                    "assignee",
                    "team",
                    "reported_by",
                    "query_category",
                    "disposition",
                    "follow_up_of",
                ),
                reference=self.kwargs["reference"],
            )
        return self._record

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record, user = self.object, self.request.user
        mask_history(context["history"], user)
        can_audit = user.has_perm("calls.add_qualityaudit")
        follow_up_url = None
        if user.has_perm(model_permission(Call, "add")):
            follow_up_url = (
                reverse("calls:create") + "?" + urlencode({"follow_up_of": record.reference})
            )
        follow_up_calls = list(record.follow_ups.order_by("occurred_at", "id"))
        context.update(
            audits=record.audits.select_related("auditor").order_by("-scored_at", "-id"),
            audit_form=QualityAuditForm(record=record) if can_audit else None,
            follow_up_calls=follow_up_calls,
            follow_up_url=follow_up_url,
            call_back=call_back_of(record, followed_up=bool(follow_up_calls)),
            personal_data_hidden=not can_view_personal_data(user),
            wait=duration(record.wait_seconds),
            talk=duration(record.talk_seconds),
        )
        return context


class CallFormView(FollowUpFormMixin, RecordFormView):
    model = Call
    form_class = CallForm
    template_name = "calls/form.html"

    def previous_call(self) -> Call | None:
        """The call named by ?follow_up_of= (one the user may reach), for a follow-up call."""
        reference = self.request.GET.get("follow_up_of", "").strip().upper()
        if not reference or self.record is not None:
            return None
        call = Call.objects.for_user(self.request.user).filter(reference=reference).first()
        if call is None:
            raise Http404(f"No call {reference} among your clients' calls.")
        return call

    default_severity = Severity.SEV4

    def new_record_initial(self, initial: dict) -> dict:
        initial.setdefault("direction", Direction.INBOUND)
        previous = self.previous_call()
        if previous is not None:
            initial.update(
                client=previous.client,
                direction=Direction.OUTBOUND,
                title=f"Follow-up: {previous.title}"[:200],
                follow_up_of=previous.reference,
                account_reference=previous.account_reference,
                query_category=previous.query_category_id,
                team=previous.team_id,
            )
            if can_view_personal_data(self.request.user):
                initial.update(
                    caller_number=previous.caller_number, customer_name=previous.customer_name
                )
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["previous"] = self.previous_call()
        return context

    def create(self, form):
        return call_create(
            actor=self.request.user,
            values=form.changes(),
            close_now=form.cleaned_data.get("close_now", False),
            origin=self.origin_record(),
        )

    def update(self, form):
        return call_update(
            self.record,
            actor=self.request.user,
            changes=form.changes(),
            expected_version=form.cleaned_data["version"] or 0,
        )
