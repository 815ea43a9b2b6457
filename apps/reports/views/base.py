"""What every report page does: read the client and period chosen, build the report once,
and show it, export it (CSV, XLSX) or print it from that one build."""

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import HttpResponseBadRequest
from django.utils import timezone
from django.views.generic import TemplateView

from ..content import Report, Section
from ..exporting import csv_response, xlsx_response
from ..scope import ReportScope, ReportScopeForm

EXPORTS = {"csv": csv_response, "xlsx": xlsx_response}


class ReportView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Subclasses give `title` and `sections(scope)`; `with_basis` offers business hours."""

    permission_required = "reports.view_reports"
    template_name = "reports/report.html"
    title = ""
    with_basis = False
    definitions: tuple[str, ...] = ()
    http_method_names = ["get", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        # A method no report takes is refused before anything is looked up (as the lists do).
        if request.user.is_authenticated and request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def sections(self, scope: ReportScope) -> list[Section]:
        raise NotImplementedError

    def build(self, scope: ReportScope) -> Report:
        user = self.request.user
        return Report(
            title=self.title,
            scope=scope,
            sections=self.sections(scope),
            made_by=user.get_full_name() or user.get_username(),
            made_at=timezone.now(),
            definitions=list(self.definitions),
        )

    def get(self, request, *args, **kwargs):
        form = ReportScopeForm(request.GET, user=request.user, with_basis=self.with_basis)
        scope = form.scope()
        report = self.build(scope) if scope is not None else None
        export = request.GET.get("_export")
        if export:
            if export not in EXPORTS:
                return HttpResponseBadRequest(
                    "Reports export as csv or xlsx.", content_type="text/plain; charset=utf-8"
                )
            if report is None:
                return HttpResponseBadRequest(
                    "Choose a valid client and period before exporting.",
                    content_type="text/plain; charset=utf-8",
                )
            return EXPORTS[export](report)
        context = self.get_context_data(form=form, report=report, title=self.title)
        return self.render_to_response(context)
