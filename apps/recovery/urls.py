from django.urls import path

from apps.core.routing import log_urlpatterns

from .models import RecoveryCase
from .views import (
    AddActionView,
    AddFeedbackView,
    AddInteractionView,
    RecoveryCaseBulkView,
    RecoveryCaseDetailView,
    RecoveryCaseFormView,
    RecoveryCaseListView,
    SaveResolutionView,
)

app_name = "recovery"
urlpatterns = [
    *log_urlpatterns(
        model=RecoveryCase,
        list_view=RecoveryCaseListView,
        bulk_view=RecoveryCaseBulkView,
        detail_view=RecoveryCaseDetailView,
        form_view=RecoveryCaseFormView,
    ),
    path(
        "<str:reference>/interactions/",
        AddInteractionView.as_view(model=RecoveryCase),
        name="add_interaction",
    ),
    path("<str:reference>/actions/", AddActionView.as_view(model=RecoveryCase), name="add_action"),
    path(
        "<str:reference>/resolution/",
        SaveResolutionView.as_view(model=RecoveryCase),
        name="save_resolution",
    ),
    path(
        "<str:reference>/feedback/",
        AddFeedbackView.as_view(model=RecoveryCase),
        name="add_feedback",
    ),
]
