from django.urls import path

from .views import IntakeRequestListView, receive

app_name = "intake"

urlpatterns = [
    path("requests/", IntakeRequestListView.as_view(), name="requests"),
    path("<slug:integration>/", receive, name="receive"),
]
