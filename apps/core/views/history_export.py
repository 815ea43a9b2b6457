"""The change history of a list's filtered records, as CSV: exactly the records the list
shows its reader (its filters, its clients), personal data masked as the list masks it."""

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View

from apps.jobs.services import job_start_export
from config.routers import on_replica

from ..listing.counting import capped_count
from ..listing.exports import invalid_filters_response
from ..listing.history_export import history_csv_lines
from .listing import model_permission

HISTORY_FORMAT = "history"


def history_filename(model) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{model._meta.verbose_name_plural.replace(' ', '-')}-history-{stamp}"


class HistoryExportView(LoginRequiredMixin, View):
    """Given the list view of a log, whoever may export that list gets its history."""

    list_view = None
    http_method_names = ["get"]
    raise_exception = False

    def get(self, request, *args, **kwargs):
        listing = self.list_view()
        listing.setup(request, *args, **kwargs)
        model = listing.model
        user = request.user
        if not (
            user.has_perm(model_permission(model, "view"))
            and user.has_perm(model_permission(model, "export"))
        ):
            raise PermissionDenied("You may not export this list.")
        records = listing.filtered_queryset()
        if listing.filterset.is_bound and not listing.filterset.is_valid():
            return invalid_filters_response(listing.filterset)
        _, long_export = capped_count(
            on_replica(records), settings.HISTORY_EXPORT_BACKGROUND_RECORDS
        )
        if long_export:
            return redirect(self.export_in_background(model))
        response = StreamingHttpResponse(
            history_csv_lines(records, mask=listing.history_mask()),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{history_filename(model)}.csv"'
        return response

    def export_in_background(self, model):
        """Queue the export as a job of the requester's; its progress page."""
        query = self.request.GET.copy()
        for name in ("after", "before", "_export"):
            query.pop(name, None)
        return job_start_export(
            requester=self.request.user,
            list_name=f"{model._meta.app_label}:list",
            query=query.urlencode(),
            export_format=HISTORY_FORMAT,
            title=f"{str(model._meta.verbose_name_plural).capitalize()}, history CSV",
        )
