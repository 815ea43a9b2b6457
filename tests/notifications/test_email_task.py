"""The notification e-mail goes out once: a retry, a second delivery or a concurrent run of
the task sends nothing more; a failed send is retried with back-off."""

from smtplib import SMTPException
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from apps.notifications.services import notification_send_email
from apps.notifications.tasks import send_notification_email
from tests.factories import InterruptionFactory
from tests.factories_notifications import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def notification(world):
    return NotificationFactory(
        record=InterruptionFactory(client=world.client_a),
        recipient=world.lead,
        subject="ESC-2026-000001 moved to tier 2",
        body="Plain text body\n",
        body_html="<p>HTML body</p>",
    )


def _failing_then_sending(failures: int):
    """A `send` that raises `failures` times, then sends for real (into mail.outbox)."""
    real_send = EmailMultiAlternatives.send
    calls = {"count": 0}

    def send(self, *args, **kwargs):
        calls["count"] += 1
        if calls["count"] <= failures:
            raise SMTPException("421 try again later")
        return real_send(self, *args, **kwargs)

    return send, calls


def test_the_email_carries_subject_text_and_html(notification):
    assert send_notification_email.apply(args=[notification.pk]).get() is True
    (message,) = mail.outbox
    assert message.to == ["lead@example.test"]
    assert message.subject == "ESC-2026-000001 moved to tier 2"
    assert message.body == "Plain text body\n"
    assert message.alternatives[0][:2] == ("<p>HTML body</p>", "text/html")
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_running_the_task_twice_sends_one_email(notification):
    send_notification_email.apply(args=[notification.pk])
    emailed_at = type(notification).objects.get(pk=notification.pk).emailed_at
    assert send_notification_email.apply(args=[notification.pk]).get() is False
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at == emailed_at


def test_a_run_that_loaded_the_row_before_another_sent_it_sends_nothing(notification):
    """A redelivered task that read the row just before the first run marked it."""
    stale = type(notification).objects.get(pk=notification.pk)
    assert notification_send_email(notification.pk) is True
    with mock.patch("apps.notifications.services.Notification.objects.select_related") as read:
        read.return_value.filter.return_value.first.return_value = stale
        assert notification_send_email(notification.pk) is False
    assert len(mail.outbox) == 1


def test_a_transient_failure_is_retried_and_sends_once(notification):
    send, calls = _failing_then_sending(failures=2)
    with mock.patch.object(EmailMultiAlternatives, "send", send):
        result = send_notification_email.apply(args=[notification.pk])
    assert result.successful()
    assert calls["count"] == 3
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_after_its_retries_the_task_gives_up_and_leaves_it_unsent(notification):
    send, calls = _failing_then_sending(failures=100)
    with mock.patch.object(EmailMultiAlternatives, "send", send):
        result = send_notification_email.apply(args=[notification.pk])
    assert result.failed()
    assert calls["count"] == 1 + send_notification_email.max_retries
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.emailed_at is None


def test_the_retry_waits_longer_each_time():
    assert send_notification_email.retry_backoff is True
    assert send_notification_email.retry_backoff_max == 600


def test_text_only_when_there_is_no_html(world):
    notification = NotificationFactory(
        record=InterruptionFactory(client=world.client_a), recipient=world.lead, body_html=""
    )
    notification_send_email(notification.pk)
    (message,) = mail.outbox
    assert message.alternatives == []


@pytest.mark.parametrize("change", [{"email": ""}, {"is_active": False}])
def test_nobody_to_send_to_sends_nothing(world, change):
    for field, value in change.items():
        setattr(world.lead, field, value)
    world.lead.save()
    notification = NotificationFactory(
        record=InterruptionFactory(client=world.client_a), recipient=world.lead
    )
    assert notification_send_email(notification.pk) is False
    assert mail.outbox == []


def test_an_unknown_notification_is_ignored(db):
    assert notification_send_email(987_654) is False
