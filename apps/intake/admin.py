"""Integrations are configured here; the token is shown once, after it is issued."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from apps.core.admin import ChangesOnlyAdmin, ReadOnlyAdmin

from .models import IntakeRequest, Integration
from .services import integration_issue_token, integration_revoke_token


class IntegrationForm(forms.ModelForm):
    class Meta:
        model = Integration
        fields = [
            "name",
            "slug",
            "client",
            "services",
            "alert_format",
            "default_kind",
            "default_severity",
            "severity_label",
            "severity_map",
            "service_label",
            "group_by",
            "auto_resolve",
            "rate_limit_per_minute",
        ]

    def clean(self):
        cleaned = super().clean()
        client, services = cleaned.get("client"), cleaned.get("services")
        if client is not None and services is not None:
            strangers = [service.name for service in services if service.client_id != client.pk]
            if strangers:
                self.add_error(
                    "services", f"Choose services of {client} only, not {', '.join(strangers)}."
                )
        return cleaned


def _show_once(request, integration: Integration, token: str) -> None:
    messages.warning(
        request,
        format_html(
            "The token of {} is <code>{}</code>. Copy it now: it is not shown again.",
            integration.name,
            token,
        ),
    )


@admin.register(Integration)
class IntegrationAdmin(ChangesOnlyAdmin):
    form = IntegrationForm
    list_display = (
        "name",
        "slug",
        "client",
        "alert_format",
        "auto_resolve",
        "token_hint",
        "token_issued_at",
        "revoked_at",
    )
    list_filter = ("alert_format", "client", "auto_resolve")
    search_fields = ("name", "slug", "client__name")
    list_select_related = ("client",)
    filter_horizontal = ("services",)
    readonly_fields = ("token_hint", "token_issued_at", "revoked_at", "created_at")
    prepopulated_fields = {"slug": ("name",)}
    actions = ("rotate_token", "revoke_token")

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            _show_once(request, obj, integration_issue_token(obj))

    @admin.action(description="Rotate the token (the old one stops working; shown once)")
    def rotate_token(self, request, queryset) -> None:
        for integration in queryset:
            _show_once(request, integration, integration_issue_token(integration))

    @admin.action(description="Revoke the token (requests are refused with 401)")
    def revoke_token(self, request, queryset) -> None:
        revoked = [
            integration.name for integration in queryset if integration_revoke_token(integration)
        ]
        if revoked:
            messages.success(request, "Revoked: " + ", ".join(revoked) + ".")


@admin.register(IntakeRequest)
class IntakeRequestAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "integration", "client", "outcome", "status_code", "reason")
    list_filter = ("outcome", "status_code", "client")
    list_select_related = ("integration", "client")
