"""The severe-interruption alert: who is e-mailed, exactly once, and what they read.

The service and the task are called in-process here; delivery through a real worker and
broker is tested separately.
"""

from datetime import timedelta
from smtplib import SMTPException
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.utils import timezone

from apps.core import roles
from apps.core.choices import Severity, TimelineKind
from apps.core.models import AlertDelivery
from apps.core.services.timeline import timeline_for
from apps.interruptions.models import Interruption
from apps.interruptions.services import SEVERE_ALERT, interruption_send_alert
from apps.interruptions.tasks import send_interruption_alert
from tests.factories import InterruptionFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _severe(world, severity=Severity.SEV1, client=None, **values) -> Interruption:
    return InterruptionFactory(
        client=client or world.client_a,
        severity=severity,
        title="Telephony platform down",
        occurred_at=timezone.now() - timedelta(minutes=5),
        **values,
    )


def _deliveries(record) -> list[AlertDelivery]:
    return list(
        AlertDelivery.objects.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        )
    )


def _alerts(record) -> list:
    return list(timeline_for(record).filter(kind=TimelineKind.ALERT))


def test_sev1_emails_the_client_team_leads_once(world, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.test"
    record = _severe(world, affected_services=[world.service_a, world.service_a2])
    delivery = interruption_send_alert(record.pk)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lead@example.test"]
    assert message.subject == f"[SEV1] ACME {record.reference}: Telephony platform down"
    assert "A SEV1 · Critical interruption was logged for Acme Retail." in message.body
    assert f"Reference:  {record.reference}" in message.body
    assert "Services:   CRM, Telephony platform" in message.body
    assert f"Open it: https://portal.example.test/interruptions/{record.reference}/" in (
        message.body
    )
    assert delivery is not None
    assert _deliveries(record) == [delivery]
    assert delivery.alert_kind == SEVERE_ALERT
    assert delivery.recipients == "lead@example.test"
    (entry,) = _alerts(record)
    assert entry.actor is None
    assert entry.message == "SEV1 · Critical alert e-mailed to lead."
    assert entry.data == {"recipients": ["lead@example.test"]}


def test_a_second_run_sends_nothing(world):
    record = _severe(world)
    assert interruption_send_alert(record.pk) is not None
    assert interruption_send_alert(record.pk) is None
    assert send_interruption_alert(record.pk) is None
    assert len(mail.outbox) == 1
    assert len(_deliveries(record)) == 1
    assert len(_alerts(record)) == 1


def test_sev2_alerts_too(world):
    record = _severe(world, severity=Severity.SEV2)
    interruption_send_alert(record.pk)
    assert [message.to for message in mail.outbox] == [["lead@example.test"]]
    assert mail.outbox[0].subject.startswith("[SEV2] ACME ")


@pytest.mark.parametrize("severity", [Severity.SEV3, Severity.SEV4])
def test_lower_severities_send_nothing(world, severity):
    record = _severe(world, severity=severity)
    assert interruption_send_alert(record.pk) is None
    assert mail.outbox == []
    assert _deliveries(record) == []
    assert _alerts(record) == []


def test_a_client_without_leads_gets_no_alert(world):
    record = _severe(world, client=world.client_b)
    assert interruption_send_alert(record.pk) is None
    assert mail.outbox == []
    assert _deliveries(record) == []
    assert _alerts(record) == []


def test_leads_without_an_address_or_inactive_are_skipped(world):
    world.lead.email = ""
    world.lead.save()
    inactive = UserFactory(username="gone_lead", role=roles.TEAM_LEAD, is_active=False)
    TeamMembershipFactory(team=world.team_a2, user=inactive)
    record = _severe(world)
    assert interruption_send_alert(record.pk) is None
    assert mail.outbox == []
    assert _deliveries(record) == []


def test_every_lead_of_the_client_and_no_one_else(world):
    # The lead of team A2 (by the team's lead field) and a lead-role member of team A1.
    tech_lead = UserFactory(username="tech_lead")
    world.team_a2.lead = tech_lead
    world.team_a2.save()
    floor_lead = UserFactory(username="floor_lead", role=roles.TEAM_LEAD)
    TeamMembershipFactory(team=world.team_a1, user=floor_lead)
    other_lead = UserFactory(username="globex_lead", role=roles.TEAM_LEAD)
    TeamMembershipFactory(team=world.team_b1, user=other_lead)
    world.team_b1.lead = other_lead
    world.team_b1.save()

    record = _severe(world)
    interruption_send_alert(record.pk)
    (message,) = mail.outbox
    assert message.to == [
        "floor_lead@example.test",
        "lead@example.test",
        "tech_lead@example.test",
    ]
    (entry,) = _alerts(record)
    assert entry.message == "SEV1 · Critical alert e-mailed to floor_lead, lead, tech_lead."


def test_agents_and_auditors_are_not_alerted(world):
    record = _severe(world)
    interruption_send_alert(record.pk)
    recipients = {address for message in mail.outbox for address in message.to}
    assert recipients == {"lead@example.test"}
    assert world.agent.email not in recipients
    assert world.auditor.email not in recipients


def test_an_unknown_record_is_ignored(world):
    assert interruption_send_alert(987_654) is None
    assert mail.outbox == []


def test_a_failed_send_leaves_no_claim_so_a_retry_sends(world):
    record = _severe(world)
    with (
        mock.patch(
            "apps.interruptions.services.send_mail", side_effect=SMTPException("relay down")
        ),
        pytest.raises(SMTPException),
    ):
        interruption_send_alert(record.pk)
    assert _deliveries(record) == []
    assert _alerts(record) == []

    assert interruption_send_alert(record.pk) is not None
    assert len(mail.outbox) == 1
    assert len(_deliveries(record)) == 1


def test_the_task_calls_the_service(world):
    record = _severe(world)
    send_interruption_alert(record.pk)
    assert len(mail.outbox) == 1
    assert len(_deliveries(record)) == 1


def test_the_task_retries_a_transient_mail_failure(world):
    record = _severe(world)
    with mock.patch(
        "apps.interruptions.services.send_mail", side_effect=[SMTPException("busy"), 1]
    ) as patched:
        result = send_interruption_alert.apply(args=[record.pk])
    assert result.successful()
    assert patched.call_count == 2
    assert len(_deliveries(record)) == 1
    assert len(_alerts(record)) == 1


def test_the_task_gives_up_after_its_retries(world):
    record = _severe(world)
    with mock.patch(
        "apps.interruptions.services.send_mail", side_effect=SMTPException("down")
    ) as patched:
        result = send_interruption_alert.apply(args=[record.pk])
    assert result.failed()
    assert patched.call_count == 1 + send_interruption_alert.max_retries
    assert _deliveries(record) == []
