from django.urls import path

from apps.core.routing import log_urlpatterns

from .models import Escalation
from .preview_views import MatrixPreviewView
from .views import (
    EscalationBulkView,
    EscalationDetailView,
    EscalationFormView,
    EscalationListView,
    FirstResponseView,
    MoveTierView,
)

app_name = "escalations"
urlpatterns = [
    path("matrix/preview/", MatrixPreviewView.as_view(), name="matrix_preview"),
    *log_urlpatterns(
        model=Escalation,
        list_view=EscalationListView,
        bulk_view=EscalationBulkView,
        detail_view=EscalationDetailView,
        form_view=EscalationFormView,
    ),
    path("<str:reference>/move-tier/", MoveTierView.as_view(model=Escalation), name="move_tier"),
    path(
        "<str:reference>/first-response/",
        FirstResponseView.as_view(model=Escalation),
        name="first_response",
    ),
]
