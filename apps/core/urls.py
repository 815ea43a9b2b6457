from django.urls import path

from .views.health import healthz
from .views.home import home, home_panels

urlpatterns = [
    path("", home, name="home"),
    path("home/panels/", home_panels, name="home_panels"),
    path("healthz", healthz, name="healthz"),
]
