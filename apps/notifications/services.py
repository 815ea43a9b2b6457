"""Telling people about events on records: in the portal, and by e-mail exactly once."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from apps.core.queueing import enqueue_on_commit

from .models import Notification

SUBJECT_LENGTH = Notification._meta.get_field("subject").max_length


def _render(record, recipient, context: dict, subject_template, text_template, html_template):
    full_context = {
        **context,
        "record": record,
        "recipient": recipient,
        "portal_url": settings.PORTAL_BASE_URL,
        "record_url": settings.PORTAL_BASE_URL + record.get_absolute_url(),
    }
    subject = " ".join(render_to_string(subject_template, full_context).split())
    return {
        "subject": subject[:SUBJECT_LENGTH],
        "body": render_to_string(text_template, full_context),
        "body_html": render_to_string(html_template, full_context) if html_template else "",
    }


def notify(
    *,
    event_key: str,
    recipients: Iterable,
    record,
    subject_template: str,
    text_template: str,
    html_template: str | None = None,
    context: dict | None = None,
    email: bool = True,
) -> list[Notification]:
    """Tell each active recipient about an event on `record` once; e-mail them after commit.

    `event_key` names the event ("escalation:42:tier:2"): a recipient already told about it
    is skipped, so a retried or concurrent caller creates nothing twice (the unique
    constraint settles a race). Each new notification queues one e-mail through the outbox
    (`email=False`: shown in the portal only). The templates are rendered once per
    recipient with `context` plus `record`, `recipient`, `portal_url` and `record_url`;
    `notifications/email/record_subject.txt`, `record.txt` and `record.html` fit any log
    record, given a `headline` and an optional `message` in `context`.
    Returns the notifications this call created.
    """
    people = {user.pk: user for user in recipients if user.is_active}
    if not people:
        return []
    content_type = ContentType.objects.get_for_model(record)
    with transaction.atomic():
        told = set(
            Notification.objects.filter(event_key=event_key, recipient_id__in=people).values_list(
                "recipient_id", flat=True
            )
        )
        now = timezone.now()
        rows = [
            Notification(
                recipient=user,
                client_id=record.client_id,
                event_key=event_key,
                content_type=content_type,
                object_id=record.pk,
                reference=record.reference,
                url=record.get_absolute_url(),
                created_at=now,
                **_render(
                    record, user, context or {}, subject_template, text_template, html_template
                ),
            )
            for pk, user in people.items()
            if pk not in told
        ]
        if not rows:
            return []
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        # Rows a concurrent caller inserted first were ignored; ours carry this call's time.
        created = list(
            Notification.objects.filter(
                event_key=event_key,
                recipient_id__in=[row.recipient_id for row in rows],
                created_at=now,
            ).select_related("recipient")
        )
        if email:
            from .tasks import send_notification_email

            for notification in created:
                if notification.recipient.email:
                    enqueue_on_commit(send_notification_email, notification.pk)
    return created


def notify_person(
    *,
    event_key: str,
    recipient,
    subject: str,
    body: str,
    url: str,
    reference: str,
    about,
    email: bool = True,
) -> Notification | None:
    """Tell one person about their own work (`about`: an export, an import), of no client.

    Once per `event_key`, like `notify`: a retried caller creates nothing more. `url` is a
    path in the portal; the e-mail carries it as a full link. Returns the notification this
    call created, or None.
    """
    if not recipient.is_active:
        return None
    with transaction.atomic():
        created = Notification.objects.bulk_create(
            [
                Notification(
                    recipient=recipient,
                    client=None,
                    event_key=event_key,
                    content_type=ContentType.objects.get_for_model(about),
                    object_id=about.pk,
                    reference=reference,
                    url=url,
                    subject=subject[:SUBJECT_LENGTH],
                    body=body,
                )
            ],
            ignore_conflicts=True,
        )
        notification = Notification.objects.filter(
            recipient=recipient, event_key=event_key, created_at=created[0].created_at
        ).first()
        if notification is None:
            return None  # told already
        if email and recipient.email:
            from .tasks import send_notification_email

            enqueue_on_commit(send_notification_email, notification.pk)
    return notification


def notification_send_email(notification_id: int) -> bool:
    """E-mail one notification to its recipient, at most once; True if it was sent now.

    The mark (`emailed_at`) is set by a conditional update in the transaction that sends:
    a send that fails rolls the mark back, so a retry sends; a run after a successful send,
    or concurrent with one, finds the mark and sends nothing.
    """
    notification = (
        Notification.objects.select_related("recipient")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None:
        return False
    recipient = notification.recipient
    if not (recipient.is_active and recipient.email):
        return False
    if not Notification.objects.for_recipient(recipient).filter(pk=notification.pk).exists():
        return False  # they no longer work for the record's client
    with transaction.atomic():
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            return False
        message = EmailMultiAlternatives(
            subject=notification.subject, body=notification.body, to=[recipient.email]
        )
        if notification.body_html:
            message.attach_alternative(notification.body_html, "text/html")
        message.send()
    return True


def notification_mark_read(*, notification: Notification, actor) -> bool:
    """Mark one of `actor`'s own notifications read; False if it already was (or is not theirs)."""
    return (
        Notification.objects.for_recipient(actor)
        .unread()
        .filter(pk=notification.pk)
        .update(read_at=timezone.now())
        == 1
    )


def notification_mark_all_read(*, actor) -> int:
    """Mark all of `actor`'s unread notifications read; how many were."""
    return Notification.objects.for_recipient(actor).unread().update(read_at=timezone.now())
