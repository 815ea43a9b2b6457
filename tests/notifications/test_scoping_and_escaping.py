"""Notifications follow the clients a person works for now, and their texts are escaped once:
plain text stays plain, the page escapes it."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from apps.core.models import TeamMembership
from apps.interruptions.services import interruption_send_alert
from apps.notifications.models import Notification
from apps.notifications.services import notification_mark_all_read, notify
from apps.notifications.tasks import send_notification_email
from tests.factories import InterruptionFactory
from tests.factories_notifications import NotificationFactory

pytestmark = pytest.mark.django_db

NAME = "O'Brien & Co"


@pytest.fixture
def left_behind(world):
    """Two unread notifications of the lead's: one of client A, which the lead then leaves,
    and one of client B, which the lead works for (a second team)."""
    kept_record = InterruptionFactory(client=world.client_b)
    TeamMembership.objects.create(team=world.team_b1, user=world.lead)
    old = NotificationFactory(
        record=InterruptionFactory(client=world.client_a), recipient=world.lead, subject="Old"
    )
    kept = NotificationFactory(record=kept_record, recipient=world.lead, subject="Kept")
    TeamMembership.objects.filter(team=world.team_a1, user=world.lead).delete()
    return old, kept


def test_a_left_clients_notifications_are_gone_from_list_count_and_pages(
    world, client, left_behind
):
    old, kept = left_behind
    client.force_login(world.lead)

    listing = client.get("/notifications/")

    assert list(listing.context["page"].object_list) == [kept]
    assert '<span class="badge text-bg-danger" title="Unread">1</span>' in listing.content.decode()
    assert client.post(f"/notifications/{old.pk}/read/").status_code == 404
    assert notification_mark_all_read(actor=world.lead) == 1
    old.refresh_from_db()
    assert old.read_at is None


def test_a_left_clients_notification_is_not_emailed(world, left_behind):
    old, kept = left_behind
    world.lead.email = "lead@example.com"
    world.lead.save()

    assert send_notification_email(old.pk) is False
    assert send_notification_email(kept.pk) is True
    assert [message.subject for message in mail.outbox] == ["Kept"]


def test_administrators_keep_every_clients_notifications(world, client):
    notification = NotificationFactory(
        record=InterruptionFactory(client=world.client_b), recipient=world.admin
    )
    client.force_login(world.admin)

    assert list(client.get("/notifications/").context["page"].object_list) == [notification]


def test_names_with_quotes_and_ampersands_are_escaped_once(world, client):
    world.client_a.name = NAME
    world.client_a.code = "obc"
    world.client_a.save()
    world.lead.email = "lead@example.com"
    world.lead.save()
    record = InterruptionFactory(client=world.client_a, severity="SEV1", title=f"{NAME} <IVR>")

    (notification,) = notify(
        event_key="test:escaping",
        recipients=[world.lead],
        record=record,
        subject_template="notifications/email/record_subject.txt",
        text_template="notifications/email/record.txt",
        html_template="notifications/email/record.html",
        context={"headline": f"Escalated by {NAME}"},
    )

    assert notification.subject == f"[SEV1] OBC {record.reference}: Escalated by {NAME}"
    assert f"Client:    {NAME}" in notification.body
    assert f"Title:     {NAME} <IVR>" in notification.body
    assert "O&#x27;Brien &amp; Co &lt;IVR&gt;" in notification.body_html
    client.force_login(world.lead)
    page = client.get("/notifications/").content.decode()
    assert "Escalated by O&#x27;Brien &amp; Co</div>" in page
    assert "&amp;#x27;" not in page and "&amp;amp;" not in page


def test_the_severe_alert_subject_is_plain_text(world):
    world.lead.email = "lead@example.com"
    world.lead.save()
    record = InterruptionFactory(client=world.client_a, severity="SEV1", title=NAME)

    interruption_send_alert(record.pk)

    assert mail.outbox[0].subject == f"[SEV1] ACME {record.reference}: {NAME}"
    assert Notification.objects.get().subject == mail.outbox[0].subject


def test_every_plain_text_template_turns_html_escaping_off():
    templates = [
        path
        for path in Path(settings.BASE_DIR).glob("apps/*/templates/**/*.txt")
        if "/email/" in str(path)
    ]
    assert len(templates) >= 4
    for path in templates:
        text = path.read_text()
        assert text.startswith("{% autoescape off %}"), path
        assert text.rstrip().endswith("{% endautoescape %}"), path
