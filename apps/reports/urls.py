from django.urls import path

from .views.calls import CallsReportView
from .views.index import report_index

app_name = "reports"
urlpatterns = [
    path("", report_index, name="index"),
    path("calls/", CallsReportView.as_view(), name="calls"),
]
