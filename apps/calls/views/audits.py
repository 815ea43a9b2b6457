"""Quality audits: scored from a call's page, listed (and exported) across calls."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.views.generic import TemplateView

from apps.core.listing.counting import capped_count
from apps.core.listing.exports import ExportColumn, invalid_filters_response
from apps.core.listing.pages import PER_PAGE_CHOICES, per_page_from, requested_page
from apps.core.scoping import scope_to_user
from apps.core.views.listing import EXPORT_FORMATS
from apps.core.views.records import RecordActionView

from ..filters import QualityAuditFilterSet
from ..forms import QualityAuditForm
from ..models import QualityAudit
from ..quality import audit_averages
from ..services import quality_audit_add
from ..tables import QualityAuditTable

AUDIT_EXPORT_COLUMNS = [
    ExportColumn("Scored at", "scored_at"),
    ExportColumn("Call", "call__reference"),
    ExportColumn("Client", "client__code"),
    ExportColumn("Agent", "call__assignee__username"),
    ExportColumn("Auditor", "auditor__username"),
    ExportColumn("Greeting", "greeting"),
    ExportColumn("Tone", "tone"),
    ExportColumn("Accuracy", "accuracy"),
    ExportColumn("Script / compliance", "compliance"),
    ExportColumn("Resolution", "resolution"),
    ExportColumn("Empathy", "empathy"),
    ExportColumn("Total %", "total_percent"),
    ExportColumn("Pass mark %", "pass_mark"),
    ExportColumn("Passed", "passed", choices={True: "yes", False: "no"}),
    ExportColumn("Coaching needed", "coaching_needed", choices={True: "yes", False: "no"}),
    ExportColumn("Comments", "comments"),
]


class QualityAuditAddView(RecordActionView):
    """The audit form on a call's page. A call the user may not reach is 404, as for any
    record action; reaching it without the permission to audit is 403."""

    form_class = QualityAuditForm

    def get_permission_required(self):
        return ("calls.add_qualityaudit",)

    def perform(self, record, data) -> None:
        audit = quality_audit_add(
            record,
            actor=self.request.user,
            scores={name: data[name] for name in QualityAudit.SCORE_FIELDS},
            pass_mark=data["pass_mark"],
            coaching_needed=data["coaching_needed"],
            comments=data["comments"],
        )
        verdict = "passed" if audit.passed else "failed"
        messages.success(self.request, f"Quality audit saved: {audit.total_percent}% ({verdict}).")


class QualityAuditListView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Every audit of the user's clients: filtered, sorted, keyset pages, exports."""

    permission_required = ("calls.view_qualityaudit",)
    template_name = "calls/audit_list.html"
    results_template_name = "calls/audit_results.html"
    default_sort = "-scored_at"
    raise_exception = False

    def filtered_queryset(self):
        base = scope_to_user(QualityAudit.objects.all(), self.request.user)
        self.filterset = QualityAuditFilterSet(
            self.request.GET or None, queryset=base, request=self.request
        )
        if self.filterset.is_bound and not self.filterset.is_valid():
            return base.none()
        return self.filterset.qs

    def per_page(self) -> int:
        return per_page_from(self.request)

    def get(self, request, *args, **kwargs):
        queryset = self.filtered_queryset()
        export_format = request.GET.get("_export")
        if export_format:
            return self.export(queryset, export_format)
        context = self.get_context_data(**self.page_context(queryset))
        if request.headers.get("HX-Request"):
            return render(request, self.results_template_name, context)
        return self.render_to_response(context)

    def page_context(self, queryset) -> dict:
        requested = requested_page(
            self.request,
            queryset.select_related("call", "call__assignee", "client", "auditor"),
            model=QualityAudit,
            table_class=QualityAuditTable,
            default_sort=self.default_sort,
            tie_breaker="scored_at",
        )
        sort, page, cursor_error = requested.sort, requested.page, requested.cursor_error
        count, capped = capped_count(queryset)
        return {
            "filter": self.filterset,
            "table": QualityAuditTable(page.rows, order_by=sort),
            "page": page,
            "cursor_error": cursor_error,
            "row_count": count,
            "row_count_capped": capped,
            "per_page": self.per_page(),
            "per_page_choices": PER_PAGE_CHOICES,
            "can_export": self.request.user.has_perm("calls.export_qualityaudit"),
            "averages": audit_averages(queryset),
        }

    def export(self, queryset, export_format: str):
        if not self.request.user.has_perm("calls.export_qualityaudit"):
            raise PermissionDenied("You may not export quality audits.")
        if export_format not in EXPORT_FORMATS:
            return HttpResponseBadRequest("Export as csv or xlsx.")
        if self.filterset.is_bound and not self.filterset.is_valid():
            return invalid_filters_response(self.filterset)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return EXPORT_FORMATS[export_format](
            queryset.order_by(*QualityAudit._meta.ordering),
            AUDIT_EXPORT_COLUMNS,
            f"quality-audits-{stamp}",
        )
