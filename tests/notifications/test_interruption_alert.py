"""The SEV1/SEV2 alert also reaches the team leads in the portal (its e-mail stays one)."""

import pytest
from django.core import mail

from apps.core.models import OutboxMessage
from apps.interruptions.services import SEVERE_ALERT, interruption_send_alert
from apps.notifications.models import Notification
from tests.factories import InterruptionFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_each_lead_finds_the_alert_in_the_portal_once(world):
    other_lead = UserFactory(username="floor_lead", role="Team lead")
    TeamMembershipFactory(team=world.team_a1, user=other_lead)
    record = InterruptionFactory(client=world.client_a, severity="SEV1", title="Telephony down")

    interruption_send_alert(record.pk)
    interruption_send_alert(record.pk)

    notifications = list(Notification.objects.order_by("recipient__username"))
    assert [n.recipient for n in notifications] == [other_lead, world.lead]
    (first, _) = notifications
    assert first.event_key == f"interruption:{record.pk}:{SEVERE_ALERT}"
    assert first.subject == f"[SEV1] ACME {record.reference}: Telephony down"
    assert "A SEV1 · Critical interruption was logged for Acme Retail." in first.body
    assert first.url == record.get_absolute_url()
    # One alert e-mail to both leads, and no second e-mail per notification.
    assert len(mail.outbox) == 1
    assert not OutboxMessage.objects.exists()


def test_a_failed_alert_leaves_no_notification_behind(world, monkeypatch):
    record = InterruptionFactory(client=world.client_a, severity="SEV2")

    def refuse(**kwargs):
        raise ConnectionError("relay down")

    monkeypatch.setattr("apps.interruptions.services.send_mail", refuse)
    with pytest.raises(ConnectionError):
        interruption_send_alert(record.pk)
    assert not Notification.objects.exists()
