from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from apps.api.api import api
from apps.core.views.health import healthz


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico; the icon itself is a static file (hashed in production)."""

    permanent = False
    http_method_names = ["get", "head"]

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.ico")


urlpatterns = [
    path("", include("apps.core.urls")),
    # Probes and monitors are configured with or without the slash; both answer.
    path("healthz/", healthz, name="healthz_slash"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("interruptions/", include("apps.interruptions.urls")),
    path("escalations/", include("apps.escalations.urls")),
    path("audits/", include("apps.audits.urls")),
    path("failures/", include("apps.failures.urls")),
    path("calls/", include("apps.calls.urls")),
    path("recovery/", include("apps.recovery.urls")),
    path("notifications/", include("apps.notifications.urls")),
    path("jobs/", include("apps.jobs.urls")),
    path("reports/", include("apps.reports.urls")),
    path("intake/", include("apps.intake.urls")),
    path("api/", api.urls),
    path("account/api-tokens/", include("apps.api.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "BPO Operations Portal · administration"
admin.site.site_title = "BPO Operations Portal"
