"""The admin: a subscription's secret is shown once; a paused one is resumed; the delivery
log shows every attempt."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from apps.core import roles
from apps.core.services.records import record_change_status
from apps.webhooks.models import Delivery, EventKind, Subscription
from tests.factories import InterruptionFactory

from .driving import run_queued

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


def test_the_secret_is_shown_once_when_the_subscription_is_made(admin_client, world, receiver):
    response = admin_client.post(
        reverse("admin:webhooks_subscription_add"),
        {
            "client": world.client_a.pk,
            "name": "Client desk",
            "url": receiver.url,
            "events": [EventKind.RECORD_CREATED, EventKind.BREACHED],
            "active": "on",
        },
    )
    subscription = Subscription.objects.get()
    assert response.status_code == 200
    assert subscription.secret.startswith("whsec_")
    assert subscription.secret in response.content.decode()
    assert subscription.events == [EventKind.RECORD_CREATED, EventKind.BREACHED]

    change = admin_client.get(reverse("admin:webhooks_subscription_change", args=[subscription.pk]))
    assert change.status_code == 200
    assert subscription.secret not in change.content.decode()


def test_only_http_and_https_addresses(admin_client, world):
    response = admin_client.post(
        reverse("admin:webhooks_subscription_add"),
        {
            "client": world.client_a.pk,
            "name": "Files",
            "url": "ftp://example.test/hooks",
            "events": [EventKind.RECORD_CREATED],
        },
    )
    assert response.status_code == 200
    assert "url" in response.context["adminform"].form.errors
    assert not Subscription.objects.exists()


def test_rotating_shows_the_new_secret(admin_client, subscribe):
    subscription = subscribe()
    old = subscription.secret
    response = admin_client.post(
        reverse("admin:webhooks_subscription_changelist"),
        {"action": "rotate_secret", "_selected_action": [subscription.pk]},
    )
    subscription.refresh_from_db()
    assert subscription.secret != old
    assert subscription.secret in response.content.decode()


def test_a_paused_subscription_is_shown_and_resumed(admin_client, subscribe):
    subscription = subscribe()
    Subscription.objects.filter(pk=subscription.pk).update(paused_at=timezone.now())
    listing = admin_client.get(reverse("admin:webhooks_subscription_changelist"))
    assert "Paused since" in listing.content.decode()

    admin_client.post(
        reverse("admin:webhooks_subscription_changelist"),
        {"action": "resume", "_selected_action": [subscription.pk]},
    )
    subscription.refresh_from_db()
    assert subscription.paused_at is None


def test_the_delivery_log_shows_each_attempt(admin_client, world, subscribe, receiver):
    subscribe()
    receiver.plan.append(503)

    record = InterruptionFactory(client=world.client_a)
    record_change_status(record, target="in_progress", actor=world.agent)
    run_queued()

    delivery = Delivery.objects.get()
    page = admin_client.get(reverse("admin:webhooks_delivery_change", args=[delivery.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "503" in text and "HTTP 503" in text
    listing = admin_client.get(reverse("admin:webhooks_delivery_changelist"))
    assert record.reference in listing.content.decode()


def test_administrators_manage_subscriptions_and_read_the_log(world):
    granted = {
        f"{perm.content_type.app_label}.{perm.codename}"
        for perm in Group.objects.get(name=roles.ADMINISTRATOR).permissions.all()
        if perm.content_type.app_label == "webhooks"
    }
    assert granted == {
        "webhooks.view_subscription",
        "webhooks.add_subscription",
        "webhooks.change_subscription",
        "webhooks.delete_subscription",
        "webhooks.view_webhookevent",
        "webhooks.view_delivery",
    }
    for role in (roles.AGENT, roles.TEAM_LEAD, roles.AUDITOR):
        assert (
            not Group.objects.get(name=role)
            .permissions.filter(content_type__app_label="webhooks")
            .exists()
        )


def test_the_log_is_found_by_the_event_id_a_receiver_reports(admin_client, world, subscribe):
    subscribe()
    record = InterruptionFactory(client=world.client_a)
    record_change_status(record, target="in_progress", actor=world.agent)
    delivery = Delivery.objects.get()
    for term in (str(delivery.event_id), "not-an-id"):
        page = admin_client.get(reverse("admin:webhooks_delivery_changelist"), {"q": term})
        assert page.status_code == 200
        assert (record.reference in page.content.decode()) == (term != "not-an-id")


def test_a_subscription_keeps_its_client(admin_client, world, subscribe):
    subscription = subscribe()
    response = admin_client.post(
        reverse("admin:webhooks_subscription_change", args=[subscription.pk]),
        {
            "client": world.client_b.pk,
            "name": subscription.name,
            "url": subscription.url,
            "events": subscription.events,
            "active": "on",
        },
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.client == world.client_a
