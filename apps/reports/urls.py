from django.urls import path

from .views.index import report_index
from .views.root_causes import RootCauseReportView

app_name = "reports"
urlpatterns = [
    path("", report_index, name="index"),
    path("root-causes/", RootCauseReportView.as_view(), name="root_causes"),
]
