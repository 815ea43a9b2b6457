from django.urls import path

from .views.availability import AvailabilityReportView
from .views.calls import CallsReportView
from .views.escalations import EscalationsReportView
from .views.index import report_index
from .views.recovery import RecoveryReportView
from .views.root_causes import RootCauseReportView
from .views.sla import SlaReportView

app_name = "reports"
urlpatterns = [
    path("", report_index, name="index"),
    path("sla/", SlaReportView.as_view(), name="sla"),
    path("root-causes/", RootCauseReportView.as_view(), name="root_causes"),
    path("calls/", CallsReportView.as_view(), name="calls"),
    path("availability/", AvailabilityReportView.as_view(), name="availability"),
    path("recovery/", RecoveryReportView.as_view(), name="recovery"),
    path("escalations/", EscalationsReportView.as_view(), name="escalations"),
]
