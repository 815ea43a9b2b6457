"""The import page: upload a telephony export; it is checked, or imported, in the background
(a check of a small file at once). And the template file to fill in."""

import csv
import io

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views import View
from django.views.generic import FormView

from apps.jobs.services import job_start_import

from ..forms import CallImportForm
from ..importing import COLUMNS, ImportMode, import_calls, template_rows

PERMISSION = "calls.import_call"


class CallImportView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    permission_required = (PERMISSION,)
    raise_exception = False
    form_class = CallImportForm
    template_name = "calls/import.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(columns=COLUMNS, modes=ImportMode)
        return context

    def form_valid(self, form):
        upload, mode = form.cleaned_data["file"], form.cleaned_data["mode"]
        if mode != ImportMode.CHECK or upload.size > settings.CALL_IMPORT_INLINE_CHECK_BYTES:
            job = job_start_import(requester=self.request.user, upload=upload, mode=mode)
            return redirect(job)
        # Checking a small file writes nothing and takes well under a second: answered here.
        report = import_calls(
            upload.file,
            actor=self.request.user,
            filename=upload.name,
            mode=mode,
        )
        return self.render_to_response(self.get_context_data(form=form, report=report))


class CallImportTemplateView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The expected columns and one example row, as a CSV to fill in."""

    permission_required = (PERMISSION,)
    raise_exception = False

    def get(self, request, *args, **kwargs):
        buffer = io.StringIO()
        csv.writer(buffer).writerows(template_rows())
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="call-import-template.csv"'
        return response
