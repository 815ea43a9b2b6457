from django.db.models import Q
from django.utils import timezone

from apps.core.choices import RootCause, Status
from apps.core.listing.exports import ExportColumn, packed_counts
from apps.core.views.listing import BulkActionView, FilteredTableView
from apps.core.views.records import FollowUpFormMixin, RecordDetailView, RecordFormView

from .filters import FailureReportFilterSet
from .forms import CorrectiveActionFormSet, FailureReportForm
from .models import (
    CorrectiveAction,
    CustomerServiceFailureType,
    DeliveryFailureType,
    FailureCategory,
    FailureReport,
    FollowUpStatus,
)
from .services import failure_create, failure_update
from .tables import FailureReportTable

EXPORT_COLUMNS = [
    ExportColumn("Reference", "reference"),
    ExportColumn("Client", "client__code"),
    ExportColumn("Category", "category", choices=dict(FailureCategory.choices)),
    ExportColumn("Title", "title"),
    ExportColumn("Severity", "severity"),
    ExportColumn("Status", "status", choices=dict(Status.choices)),
    ExportColumn("Service", "service__name"),
    ExportColumn("Occurred at", "occurred_at"),
    ExportColumn("Detected at", "detected_at"),
    ExportColumn("Assignee", "assignee__username"),
    ExportColumn("Team", "team__name"),
    ExportColumn("Reported by", "reported_by__username"),
    ExportColumn("Customer impact", "customer_impact"),
    ExportColumn("Root cause", "root_cause_category", choices=dict(RootCause.choices)),
    ExportColumn("Root-cause analysis", "root_cause_analysis"),
    ExportColumn("Follow-up", "follow_up_status", choices=dict(FollowUpStatus.choices)),
    ExportColumn("Lessons learned", "lessons_learned"),
    ExportColumn("Actions", "action_counts", part=0),
    ExportColumn("Actions open", "action_counts", part=1),
    ExportColumn("Actions overdue", "action_counts", part=2),
    ExportColumn("Downtime (min)", "downtime_minutes"),
    ExportColumn(
        "Customer-service failure",
        "customer_service_failure_type",
        choices=dict(CustomerServiceFailureType.choices),
    ),
    ExportColumn("Procedure", "procedure"),
    ExportColumn("Order / shipment", "order_reference"),
    ExportColumn(
        "Delivery failure", "delivery_failure_type", choices=dict(DeliveryFailureType.choices)
    ),
    ExportColumn("Contract clause", "contract_clause"),
    ExportColumn("SLA metric", "sla_metric"),
    ExportColumn("SLA target", "sla_target"),
    ExportColumn("SLA actual", "sla_actual"),
    ExportColumn("Client notified at", "client_notified_at"),
    ExportColumn("Departments involved", "departments_involved"),
    ExportColumn("Resolved at", "resolved_at"),
    ExportColumn("Breached at", "resolution_breached_at"),
    ExportColumn("Closed at", "closed_at"),
    ExportColumn("Created at", "created_at"),
]


class FailureReportListView(FilteredTableView):
    model = FailureReport
    filterset_class = FailureReportFilterSet
    table_class = FailureReportTable
    export_columns = EXPORT_COLUMNS
    prefetch_related = ("corrective_actions",)

    def with_export_annotations(self, queryset):
        open_actions = Q(done_at__isnull=True, waived=False)
        overdue = open_actions & Q(due_date__lt=timezone.localdate())
        return queryset.annotate(
            action_counts=packed_counts(CorrectiveAction, "report", [Q(), open_actions, overdue])
        )


class FailureReportBulkView(BulkActionView):
    model = FailureReport


class FailureReportDetailView(RecordDetailView):
    model = FailureReport
    detail_template = "failures/detail_fields.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["actions"] = self.object.corrective_actions.select_related("owner")
        return context


class FailureReportFormView(FollowUpFormMixin, RecordFormView):
    """The report and its corrective actions, validated together and saved as one change."""

    model = FailureReport
    form_class = FailureReportForm
    template_name = "failures/form.html"

    def new_record_initial(self, initial: dict) -> dict:
        if self.request.GET.get("category") in FailureCategory.values:
            initial["category"] = self.request.GET["category"]
        return initial

    def get_formset(self):
        if not hasattr(self, "_formset"):
            data = self.request.POST if self.request.method == "POST" else None
            self._formset = CorrectiveActionFormSet(
                data,
                instance=self.record or FailureReport(),
                prefix="actions",
                user=self.request.user,
                queryset=(
                    self.record.corrective_actions.select_related("owner")
                    if self.record
                    else CorrectiveAction.objects.none()
                ),
            )
        return self._formset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["formset"] = self.get_formset()
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        formset = self.get_formset()
        # Both are validated before either is judged, so every error shows at once.
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            return self.form_valid(form)
        return self.form_invalid(form)

    def create(self, form):
        return failure_create(
            actor=self.request.user,
            values=form.changes(),
            actions=self.get_formset().added(),
            origin=self.origin_record(),
        )

    def update(self, form):
        formset = self.get_formset()
        return failure_update(
            self.record,
            actor=self.request.user,
            changes=form.changes(),
            expected_version=form.cleaned_data["version"] or 0,
            added=formset.added(),
            edited=formset.edited(),
        )
