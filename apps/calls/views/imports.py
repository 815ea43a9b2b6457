"""The import page: upload a telephony export, check it, import it; and its template."""

import csv
import io

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import HttpResponse
from django.views import View
from django.views.generic import FormView

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
        upload = form.cleaned_data["file"]
        report = import_calls(
            upload.file,
            actor=self.request.user,
            filename=upload.name,
            mode=form.cleaned_data["mode"],
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
