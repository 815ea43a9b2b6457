from django.urls import path

from .views.health import healthz
from .views.home import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
]
