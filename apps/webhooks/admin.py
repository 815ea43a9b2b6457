"""Subscriptions are configured here; events and the delivery log are shown, never edited."""

import json
import uuid

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from apps.core.admin import ChangesOnlyAdmin, ReadOnlyAdmin

from .models import Delivery, DeliveryAttempt, EventKind, Subscription, WebhookEvent
from .services import deliveries_send_again, subscription_resume, subscription_rotate_secret
from .signing import new_secret


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text=Subscription._meta.get_field("url").help_text,
    )
    events = forms.MultipleChoiceField(
        choices=EventKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The kinds of event sent to this address.",
    )

    class Meta:
        model = Subscription
        fields = ("client", "name", "url", "events", "active")


def _show_secrets(request, admin_site, rows: list[tuple[Subscription, str]]):
    """The one page that shows secrets: right after they are made."""
    return TemplateResponse(
        request,
        "webhooks/admin/secret.html",
        {
            **admin_site.each_context(request),
            "title": "Signing secret",
            "rows": rows,
            "changelist": reverse("admin:webhooks_subscription_changelist"),
        },
    )


@admin.register(Subscription)
class SubscriptionAdmin(ChangesOnlyAdmin):
    form = SubscriptionForm
    list_display = ("name", "client", "url", "kinds", "state", "created_at")
    list_filter = ("active", ("paused_at", admin.EmptyFieldListFilter), "client")
    search_fields = ("name", "url")
    list_select_related = ("client",)
    readonly_fields = ("paused_at", "created_at", "delivery_log")
    actions = ("resume", "rotate_secret")

    @admin.display(description="Events")
    def kinds(self, obj: Subscription) -> str:
        labels = dict(EventKind.choices)
        return ", ".join(str(labels.get(kind, kind)) for kind in obj.events)

    @admin.display(description="State")
    def state(self, obj: Subscription) -> str:
        if not obj.active:
            return "Off"
        if obj.paused_at:
            since = timezone.localtime(obj.paused_at)
            return format_html("<strong>Paused since {}</strong>", f"{since:%Y-%m-%d %H:%M}")
        return "Sending"

    @admin.display(description="Delivery log")
    def delivery_log(self, obj: Subscription) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("admin:webhooks_delivery_changelist") + f"?subscription__id__exact={obj.pk}"
        return format_html('<a href="{}">Deliveries and attempts</a>', url)

    def get_readonly_fields(self, request, obj=None):
        # Its events are of one client: another client's would go to the same receiver.
        fixed = ("client",) if obj is not None else ()
        return (*fixed, *super().get_readonly_fields(request, obj))

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.secret = new_secret()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        return _show_secrets(request, self.admin_site, [(obj, obj.secret)])

    @admin.action(description="Resume the selected paused subscriptions", permissions=["change"])
    def resume(self, request, queryset) -> None:
        resumed = [subscription for subscription in queryset if subscription.paused_at]
        queued = sum(subscription_resume(subscription) for subscription in resumed)
        self.message_user(
            request, f"Resumed {len(resumed)} subscription(s); {queued} delivery(ies) queued."
        )

    @admin.action(
        description="Give the selected subscriptions a new secret", permissions=["change"]
    )
    def rotate_secret(self, request, queryset):
        rows = [
            (subscription, subscription_rotate_secret(subscription)) for subscription in queryset
        ]
        if not rows:
            self.message_user(request, "Choose a subscription.", messages.WARNING)
            return None
        return _show_secrets(request, self.admin_site, rows)


def _event_id(search_term: str) -> uuid.UUID | None:
    """The event id a receiver reported (`X-Portal-Event-Id`), if that is what was searched."""
    try:
        return uuid.UUID(search_term.strip())
    except ValueError:
        return None


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ("attempted_at", "status", "response_ms", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """The delivery log: each event to each subscription, with every attempt."""

    list_display = (
        "created_at",
        "kind",
        "reference",
        "sequence",
        "subscription",
        "state",
        "attempts",
        "last_status",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("state", "subscription", "event__kind")
    search_fields = ("event__reference", "stream")
    list_select_related = ("event", "subscription")
    inlines = (DeliveryAttemptInline,)
    actions = ("send_again",)
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        event_id = _event_id(search_term)
        return (found | queryset.filter(event_id=event_id) if event_id else found), duplicates

    @admin.display(description="Event")
    def kind(self, obj: Delivery) -> str:
        return obj.event.get_kind_display()

    @admin.display(description="Record")
    def reference(self, obj: Delivery) -> str:
        return obj.event.reference or obj.stream

    @admin.action(description="Send the selected given-up deliveries again")
    def send_again(self, request, queryset) -> None:
        count = deliveries_send_again(list(queryset))
        self.message_user(request, f"{count} delivery(ies) put back in line.")


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "client", "reference", "sequence", "id")
    list_filter = ("kind", "client")
    search_fields = ("reference", "stream")
    list_select_related = ("client",)
    fields = ("id", "kind", "client", "stream", "reference", "sequence", "created_at", "body")
    readonly_fields = fields
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        event_id = _event_id(search_term)
        return (found | queryset.filter(pk=event_id) if event_id else found), duplicates

    @admin.display(description="Payload")
    def body(self, obj: WebhookEvent) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, indent=2, sort_keys=True))
