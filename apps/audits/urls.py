from django.urls import path

from .views import AcknowledgeView, AuditFindingListView

app_name = "audits"

urlpatterns = [
    path("findings/", AuditFindingListView.as_view(), name="list"),
    path("findings/<int:pk>/acknowledge/", AcknowledgeView.as_view(), name="acknowledge"),
]
