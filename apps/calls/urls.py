from django.urls import path

from apps.core.routing import log_urlpatterns

from .models import Call
from .views import (
    CallBulkView,
    CallDetailView,
    CallFormView,
    CallImportTemplateView,
    CallImportView,
    CallListView,
    QualityAuditAddView,
    QualityAuditListView,
)

app_name = "calls"
urlpatterns = [
    # Before the record patterns, which would take "audits" or "import" for a reference.
    path("audits/", QualityAuditListView.as_view(), name="audits"),
    path("import/", CallImportView.as_view(), name="import"),
    path("import/template.csv", CallImportTemplateView.as_view(), name="import_template"),
    *log_urlpatterns(
        model=Call,
        list_view=CallListView,
        bulk_view=CallBulkView,
        detail_view=CallDetailView,
        form_view=CallFormView,
    ),
    path("<str:reference>/audit/", QualityAuditAddView.as_view(model=Call), name="audit"),
]
