from django.urls import path

from .views.availability import AvailabilityReportView
from .views.index import report_index

app_name = "reports"
urlpatterns = [
    path("", report_index, name="index"),
    path("availability/", AvailabilityReportView.as_view(), name="availability"),
]
