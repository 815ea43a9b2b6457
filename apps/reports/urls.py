from django.urls import path

from .views.escalations import EscalationsReportView
from .views.index import report_index

app_name = "reports"
urlpatterns = [
    path("", report_index, name="index"),
    path("escalations/", EscalationsReportView.as_view(), name="escalations"),
]
