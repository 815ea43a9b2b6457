"""The audit findings list (filters, keyset pages, exports) and acknowledging a finding."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from apps.core.choices import Severity
from apps.core.listing.exports import ExportColumn
from apps.core.listing.measures import Measure, count_of, total
from apps.core.listing.pages import PER_PAGE_CHOICES, requested_page
from apps.core.summaries.figures import list_figures
from apps.core.views.listing import FilteredTableView, model_permission

from .filters import AuditFindingFilterSet
from .models import AuditFinding, FindingKind
from .services import finding_acknowledge
from .tables import AuditFindingTable

ACKNOWLEDGE = "audits.acknowledge_auditfinding"


class AuditFindingListView(FilteredTableView):
    """The core list, with findings' own sort tie-breaker, figures and no bulk actions."""

    model = AuditFinding
    filterset_class = AuditFindingFilterSet
    table_class = AuditFindingTable
    default_sort = "-found_at"
    select_related = ("client", "acknowledged_by")
    template_name = "audits/findings.html"
    export_columns = [
        ExportColumn("Found at", "found_at"),
        ExportColumn("Client", "client__code"),
        ExportColumn("Kind", "kind", choices=dict(FindingKind.choices)),
        ExportColumn("Severity", "severity"),
        ExportColumn("Record", "record_reference"),
        ExportColumn("Summary", "summary"),
        ExportColumn("Acknowledged at", "acknowledged_at"),
        ExportColumn("Acknowledged by", "acknowledged_by__username"),
    ]
    extra_measures = (
        Measure(
            "Unacknowledged",
            count_of(Q(acknowledged_at__isnull=True)),
            narrows_to={"acknowledged": ["false"]},
            from_totals=total("unacknowledged"),
        ),
        *(
            Measure(
                severity.value,
                count_of(Q(severity=severity.value)),
                help_text=severity.label,
                narrows_to={"severity": [severity.value]},
                from_totals=total(severity.value),
            )
            for severity in Severity
        ),
    )

    def get_measures(self) -> list[Measure]:
        return list(self.extra_measures)

    def page_context(self, queryset) -> dict:
        can_acknowledge = self.request.user.has_perm(ACKNOWLEDGE)
        requested = requested_page(
            self.request,
            queryset.select_related(*self.select_related),
            model=self.model,
            table_class=self.table_class,
            default_sort=self.default_sort,
            tie_breaker="found_at",
        )
        sort, page, cursor_error = requested.sort, requested.page, requested.cursor_error
        return {
            "filter": self.filterset,
            "table": self.table_class(page.rows, order_by=sort, can_acknowledge=can_acknowledge),
            "page": page,
            "cursor_error": cursor_error,
            **list_figures(self, queryset),
            "per_page": self.per_page(),
            "per_page_choices": PER_PAGE_CHOICES,
            "can_export": self.request.user.has_perm(model_permission(self.model, "export")),
            "can_acknowledge": can_acknowledge,
            "bulk_form": None,
            "model_meta": self.model._meta,
        }


class AcknowledgeView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """POST: a lead or administrator acknowledges a finding of a client they work for."""

    permission_required = ACKNOWLEDGE
    http_method_names = ["post"]

    def handle_no_permission(self):
        # A finding of a client the user does not work for is 404, as a record is: not 403.
        if self.request.user.is_authenticated:
            self.get_finding()
        return super().handle_no_permission()

    def get_finding(self) -> AuditFinding:
        return get_object_or_404(
            AuditFinding.objects.for_user(self.request.user), pk=self.kwargs["pk"]
        )

    def post(self, request, pk: int):
        finding = self.get_finding()
        try:
            finding_acknowledge(finding, actor=request.user)
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
        else:
            messages.success(request, f"Finding acknowledged: {finding.summary}")
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("audits:list")
        return HttpResponseRedirect(back)
