from apps.core.choices import RootCause, Status
from apps.core.listing.aggregates import joined_related_names
from apps.core.listing.exports import ExportColumn
from apps.core.views.listing import BulkActionView, FilteredTableView
from apps.core.views.records import RecordDetailView, RecordFormView

from .filters import InterruptionFilterSet
from .forms import InterruptionForm
from .models import CommunicationChannel, Interruption, InterruptionKind
from .services import interruption_create, interruption_update
from .tables import InterruptionTable

EXPORT_COLUMNS = [
    ExportColumn("Reference", "reference"),
    ExportColumn("Client", "client__code"),
    ExportColumn("Kind", "kind", choices=dict(InterruptionKind.choices)),
    ExportColumn("Title", "title"),
    ExportColumn("Severity", "severity"),
    ExportColumn("Status", "status", choices=dict(Status.choices)),
    ExportColumn("Affected services", "service_names"),
    ExportColumn("Started at", "occurred_at"),
    ExportColumn("Ended at", "ended_at"),
    ExportColumn("Assignee", "assignee__username"),
    ExportColumn("Team", "team__name"),
    ExportColumn("Reported by", "reported_by__username"),
    ExportColumn("Customers affected", "customers_affected"),
    ExportColumn("Agents affected", "agents_affected"),
    ExportColumn("Impact", "impact_assessment"),
    ExportColumn("Root cause", "root_cause_category", choices=dict(RootCause.choices)),
    ExportColumn("Root-cause analysis", "root_cause_analysis"),
    ExportColumn("Corrective actions", "corrective_actions"),
    ExportColumn("Resolution", "resolution"),
    ExportColumn("Channel", "channel", choices=dict(CommunicationChannel.choices)),
    ExportColumn("Vendor", "vendor"),
    ExportColumn("Vendor ticket", "vendor_ticket_reference"),
    ExportColumn("Error code", "error_code"),
    ExportColumn("Planned start", "planned_start"),
    ExportColumn("Planned end", "planned_end"),
    ExportColumn("Resolved at", "resolved_at"),
    ExportColumn("Breached at", "resolution_breached_at"),
    ExportColumn("Closed at", "closed_at"),
    ExportColumn("Created at", "created_at"),
]


class InterruptionListView(FilteredTableView):
    model = Interruption
    filterset_class = InterruptionFilterSet
    table_class = InterruptionTable
    export_columns = EXPORT_COLUMNS
    prefetch_related = ("affected_services",)

    def with_export_annotations(self, queryset):
        return queryset.annotate(
            service_names=joined_related_names(
                Interruption.affected_services.through, "interruption", "service__name"
            )
        )


class InterruptionBulkView(BulkActionView):
    model = Interruption


class InterruptionDetailView(RecordDetailView):
    model = Interruption
    detail_template = "interruptions/detail_fields.html"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("affected_services")


class InterruptionFormView(RecordFormView):
    model = Interruption
    form_class = InterruptionForm
    template_name = "interruptions/form.html"

    def new_record_initial(self, initial: dict) -> dict:
        if self.request.GET.get("kind") in InterruptionKind.values:
            initial["kind"] = self.request.GET["kind"]
        return initial

    def create(self, form):
        return interruption_create(
            actor=self.request.user,
            values=form.changes(),
            affected_services=form.cleaned_data["affected_services"],
        )

    def update(self, form):
        return interruption_update(
            self.record,
            actor=self.request.user,
            changes=form.changes(),
            expected_version=form.cleaned_data["version"] or 0,
            affected_services=form.cleaned_data["affected_services"],
        )
