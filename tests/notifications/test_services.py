"""notify(): one notification per event per person, rendered once, one e-mail queued each."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from apps.core.models import OutboxMessage
from apps.notifications.models import Notification
from apps.notifications.services import (
    notification_mark_all_read,
    notification_mark_read,
    notify,
)
from apps.notifications.tasks import send_notification_email
from tests.factories import InterruptionFactory, UserFactory
from tests.factories_notifications import NotificationFactory

pytestmark = pytest.mark.django_db

TEMPLATES = {
    "subject_template": "notifications/email/record_subject.txt",
    "text_template": "notifications/email/record.txt",
    "html_template": "notifications/email/record.html",
}


@pytest.fixture
def record(world):
    return InterruptionFactory(client=world.client_a, severity="SEV2", title="IVR <loops>")


def _notify(record, recipients, event_key="interruption:1:test", **options):
    return notify(
        event_key=event_key,
        recipients=recipients,
        record=record,
        **(TEMPLATES | {"context": {"headline": "Moved to tier 2", "message": "Overdue."}})
        | options,
    )


def _queued_emails() -> list[list]:
    return [
        message.args
        for message in OutboxMessage.objects.filter(task_name=send_notification_email.name)
    ]


def test_each_recipient_gets_one_rendered_notification_and_one_queued_email(
    world, record, settings
):
    settings.PORTAL_BASE_URL = "https://portal.example.test"
    created = _notify(record, [world.lead, world.agent])

    assert sorted(n.recipient.username for n in created) == ["agent", "lead"]
    notification = next(n for n in created if n.recipient == world.lead)
    assert notification.client == world.client_a
    assert notification.event_key == "interruption:1:test"
    assert notification.content_type == ContentType.objects.get_for_model(record)
    assert notification.object_id == record.pk
    assert notification.record == record
    assert notification.reference == record.reference
    assert notification.url == record.get_absolute_url()
    assert notification.subject == f"[SEV2] ACME {record.reference}: Moved to tier 2"
    assert "Title:     IVR <loops>" in notification.body  # plain text is not escaped
    assert "Overdue." in notification.body
    assert f"Open it: https://portal.example.test{record.get_absolute_url()}" in notification.body
    assert "IVR &lt;loops&gt;" in notification.body_html
    assert (notification.read_at, notification.emailed_at) == (None, None)
    assert sorted(_queued_emails()) == sorted([[n.pk] for n in created])


def test_a_second_call_for_the_same_event_creates_and_queues_nothing(world, record):
    first = _notify(record, [world.lead])
    assert _notify(record, [world.lead, world.agent]) != []  # only the agent is new
    assert _notify(record, [world.lead, world.agent]) == []
    assert Notification.objects.count() == 2
    assert len(_queued_emails()) == 2
    assert Notification.objects.get(recipient=world.lead).pk == first[0].pk


def test_another_event_on_the_same_record_is_told_again(world, record):
    _notify(record, [world.lead], event_key="escalation:1:tier:2")
    _notify(record, [world.lead], event_key="escalation:1:tier:3")
    assert Notification.objects.filter(recipient=world.lead).count() == 2


def test_the_database_refuses_a_second_notification_of_one_event_to_one_person(world, record):
    NotificationFactory(record=record, recipient=world.lead, event_key="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationFactory(record=record, recipient=world.lead, event_key="same")


def test_inactive_people_and_duplicates_in_the_list_are_skipped(world, record):
    gone = UserFactory(username="gone", is_active=False)
    created = _notify(record, [world.lead, gone, world.lead])
    assert [n.recipient for n in created] == [world.lead]
    assert _notify(record, [gone], event_key="other") == []


def test_people_without_an_address_are_told_in_the_portal_only(world, record):
    world.agent.email = ""
    world.agent.save()
    (notification,) = _notify(record, [world.agent])
    assert notification.pk
    assert _queued_emails() == []


def test_without_email_nothing_is_queued_and_html_is_optional(world, record):
    (notification,) = _notify(record, [world.lead], email=False, html_template=None)
    assert notification.body_html == ""
    assert _queued_emails() == []


def test_a_rolled_back_caller_leaves_neither_notification_nor_email(world, record):
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify(record, [world.lead])
        raise RuntimeError("the sweep failed")
    assert not Notification.objects.exists()
    assert _queued_emails() == []


def test_marking_read_touches_only_the_actors_own_unread_notifications(world, record):
    mine = NotificationFactory(record=record, recipient=world.lead)
    theirs = NotificationFactory(record=record, recipient=world.agent)

    assert notification_mark_read(notification=theirs, actor=world.lead) is False
    assert notification_mark_read(notification=mine, actor=world.lead) is True
    assert notification_mark_read(notification=mine, actor=world.lead) is False
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None


def test_mark_all_read_counts_what_it_marked(world, record):
    NotificationFactory.create_batch(3, record=record, recipient=world.lead)
    NotificationFactory(record=record, recipient=world.agent)
    assert notification_mark_all_read(actor=world.lead) == 3
    assert notification_mark_all_read(actor=world.lead) == 0
    assert Notification.objects.filter(read_at__isnull=True).get().recipient == world.agent
