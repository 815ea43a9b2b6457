from apps.core.routing import log_urlpatterns

from .models import FailureReport
from .views import (
    FailureReportBulkView,
    FailureReportDetailView,
    FailureReportFormView,
    FailureReportListView,
)

app_name = "failures"
urlpatterns = log_urlpatterns(
    model=FailureReport,
    list_view=FailureReportListView,
    bulk_view=FailureReportBulkView,
    detail_view=FailureReportDetailView,
    form_view=FailureReportFormView,
)
