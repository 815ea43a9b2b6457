"""The one list view of every log: filters, sorted table, keyset pages, bulk actions, export."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from apps.jobs.services import job_start_export
from config.routers import on_replica

from ..forms import BulkActionForm
from ..listing.choices import remember_choices
from ..listing.counting import capped_count
from ..listing.exports import ExportColumn, csv_response, invalid_filters_response, xlsx_response
from ..listing.history_export import Mask, unmasked
from ..listing.measures import Measure, standard_measures
from ..listing.pages import PER_PAGE_CHOICES, per_page_from, requested_page
from ..services.records import records_bulk_assign, records_bulk_change_status
from ..summaries.figures import list_figures, live_figures

EXPORT_FORMATS = {"csv": csv_response, "xlsx": xlsx_response}


def model_permission(model, action: str) -> str:
    """The permission name, e.g. interruptions.export_interruption."""
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


class FilteredTableView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Subclasses declare model, filterset_class, table_class and export_columns."""

    model = None
    filterset_class = None
    table_class = None
    export_columns: list[ExportColumn] = []
    # Figures of this kind shown after the standard ones (open, breached, by severity).
    extra_measures: tuple[Measure, ...] = ()
    default_sort = "-occurred_at"
    select_related: tuple[str, ...] = ("client", "assignee", "team")
    prefetch_related: tuple[str, ...] = ()
    template_name = "core/list.html"
    results_template_name = "includes/list_results.html"
    raise_exception = False

    def get_permission_required(self):
        return (model_permission(self.model, "view"),)

    def filtered_queryset(self):
        base = self.model.objects.for_user(self.request.user)
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=base, request=self.request
        )
        if self.filterset.is_bound and not self.filterset.is_valid():
            return base.none()
        return self.filterset.qs

    def get(self, request, *args, **kwargs):
        queryset = self.filtered_queryset()
        export_format = request.GET.get("_export")
        if export_format:
            return self.export(queryset, export_format)
        if request.GET.get("_figures"):
            # The figures of a list the summaries cannot answer, fetched after the table.
            context = {**live_figures(self, queryset), "request": request}
            return render(request, "includes/figures.html", context)
        context = self.get_context_data(**self.page_context(queryset))
        if request.headers.get("HX-Request"):
            return render(request, self.results_template_name, context)
        return self.render_to_response(context)

    def per_page(self) -> int:
        return per_page_from(self.request)

    def page_context(self, queryset) -> dict:
        rows = queryset.select_related(*self.select_related).prefetch_related(
            *self.prefetch_related
        )
        requested = requested_page(
            self.request,
            rows,
            model=self.model,
            table_class=self.table_class,
            default_sort=self.default_sort,
        )
        sort, page, cursor_error = requested.sort, requested.page, requested.cursor_error
        table = self.table_class(page.rows, order_by=sort)
        if not self.request.user.has_perm(model_permission(self.model, "bulk_update")):
            table.columns.hide("selection")
        return {
            "filter": self.filterset,
            "table": table,
            "page": page,
            "cursor_error": cursor_error,
            **list_figures(self, queryset),
            "per_page": self.per_page(),
            "per_page_choices": PER_PAGE_CHOICES,
            "can_export": self.request.user.has_perm(model_permission(self.model, "export")),
            "history_export_url": reverse(f"{self.model._meta.app_label}:history_export"),
            "bulk_form": self.bulk_form(),
            "bulk_url": reverse(f"{self.model._meta.app_label}:bulk"),
            "create_url": reverse(f"{self.model._meta.app_label}:create"),
            "can_create": self.request.user.has_perm(model_permission(self.model, "add")),
            "model_meta": self.model._meta,
        }

    def get_measures(self) -> list[Measure]:
        """Override when a figure depends on the request or the time (build it here)."""
        return [*standard_measures(), *self.extra_measures]

    def bulk_form(self):
        if not self.request.user.has_perm(model_permission(self.model, "bulk_update")):
            return None
        form = BulkActionForm(user=self.request.user)
        remember_choices(form, "bulk", self.request.user)
        return form

    def history_mask(self) -> Mask:
        """How the history export shows a value of the record's fields to this reader: as
        the list shows it (override where the list masks personal data)."""
        return unmasked

    def with_export_annotations(self, queryset):
        """Columns of the export that are computed in the query (e.g. joined names)."""
        return queryset

    def export(self, queryset, export_format: str):
        if not self.request.user.has_perm(model_permission(self.model, "export")):
            raise PermissionDenied("You may not export this list.")
        if export_format not in EXPORT_FORMATS:
            return HttpResponseBadRequest("Export as csv or xlsx.")
        if self.filterset.is_bound and not self.filterset.is_valid():
            return invalid_filters_response(self.filterset)
        _, long_export = capped_count(on_replica(queryset), settings.EXPORT_BACKGROUND_ROWS)
        if export_format == "xlsx" or long_export:
            return redirect(self.export_in_background(export_format))
        ordered = self.export_queryset(queryset)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        filename = f"{self.model._meta.verbose_name_plural.replace(' ', '-')}-{stamp}"
        return EXPORT_FORMATS[export_format](ordered, self.export_columns, filename)

    def export_queryset(self, queryset):
        """The rows an export writes, in order (here and in the background export job)."""
        return self.with_export_annotations(queryset).order_by(*self.model._meta.ordering)

    def export_in_background(self, export_format: str):
        """Queue the export as a job of the requester's; its progress page."""
        query = self.request.GET.copy()
        query.pop("_export", None)
        return job_start_export(
            requester=self.request.user,
            list_name=self.request.resolver_match.view_name,
            query=query.urlencode(),
            export_format=export_format,
            title=f"{str(self.model._meta.verbose_name_plural).capitalize()}, "
            f"{export_format.upper()}",
        )


class BulkActionView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Assign, or change the status of, the rows selected on a list page."""

    model = None
    http_method_names = ["post"]

    def get_permission_required(self):
        return (model_permission(self.model, "bulk_update"),)

    def post(self, request, *args, **kwargs):
        form = BulkActionForm(request.POST, user=request.user)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse(f"{self.model._meta.app_label}:list")
        if not form.is_valid():
            for error in form.errors.values():
                messages.error(request, " ".join(error))
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        if data["action"] == BulkActionForm.ASSIGN:
            result = records_bulk_assign(
                self.model,
                actor=request.user,
                pks=data["selection"],
                assignee=data["assignee"],
                team=data["team"],
            )
        else:
            result = records_bulk_change_status(
                self.model,
                actor=request.user,
                pks=data["selection"],
                target=data["status"],
                reason=data["reason"],
            )
        if result.done:
            messages.success(request, f"Updated {len(result.done)}: {', '.join(result.done)}.")
        for reference, reason in result.refused:
            messages.warning(request, f"{reference} not changed: {reason}")
        if not result.done and not result.refused:
            messages.warning(request, "None of the selected records could be found.")
        return HttpResponseRedirect(back)
