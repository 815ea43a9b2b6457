from apps.core.routing import log_urlpatterns

from .models import Interruption
from .views import (
    InterruptionBulkView,
    InterruptionDetailView,
    InterruptionFormView,
    InterruptionListView,
)

app_name = "interruptions"
urlpatterns = log_urlpatterns(
    model=Interruption,
    list_view=InterruptionListView,
    bulk_view=InterruptionBulkView,
    detail_view=InterruptionDetailView,
    form_view=InterruptionFormView,
)
