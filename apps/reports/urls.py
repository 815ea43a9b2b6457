from django.urls import path

from .views.index import report_index
from .views.recovery import RecoveryReportView

app_name = "reports"
urlpatterns = [
    path("", report_index, name="index"),
    path("recovery/", RecoveryReportView.as_view(), name="recovery"),
]
