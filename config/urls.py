from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("", include("apps.core.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("interruptions/", include("apps.interruptions.urls")),
    path("escalations/", include("apps.escalations.urls")),
    path("audits/", include("apps.audits.urls")),
    path("failures/", include("apps.failures.urls")),
    path("calls/", include("apps.calls.urls")),
    path("recovery/", include("apps.recovery.urls")),
    path("notifications/", include("apps.notifications.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "BPO Operations Portal · administration"
admin.site.site_title = "BPO Operations Portal"
