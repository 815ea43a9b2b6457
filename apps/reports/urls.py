from django.urls import path

from .views.index import report_index

app_name = "reports"
urlpatterns = [
    path("", report_index, name="index"),
]
