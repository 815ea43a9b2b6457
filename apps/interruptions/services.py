"""Interruption services: what views, admin, tasks and commands call to change interruptions."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from apps.core.choices import Severity, TimelineKind
from apps.core.models import AlertDelivery, Service
from apps.core.queueing import enqueue_on_commit
from apps.core.selectors import client_team_leads
from apps.core.services.records import record_create, record_update
from apps.core.services.timeline import timeline_log
from apps.notifications.services import notify

from .models import ALL_KIND_FIELDS, KIND_FIELDS, Interruption

SEVERE_ALERT = "severe_interruption"


def _queue_alert_if_severe(interruption: Interruption) -> None:
    if interruption.severity in Severity.alerting():
        from .tasks import send_interruption_alert

        enqueue_on_commit(send_interruption_alert, interruption.pk)


def _reset_other_kinds(kind: str, values: dict) -> dict:
    """`values` with the fields that belong to other kinds set back to empty."""
    keep = set(KIND_FIELDS.get(kind, ()))
    return values | {
        name: Interruption.blank_value(name) for name in ALL_KIND_FIELDS if name not in keep
    }


def interruption_create(
    *, actor, values: dict, affected_services: Iterable[Service] = ()
) -> Interruption:
    """Log a new interruption; a SEV1/SEV2 one alerts the client's team leads after commit."""
    with transaction.atomic():
        interruption = record_create(
            Interruption,
            actor=actor,
            values=_reset_other_kinds(values.get("kind", ""), values),
            m2m={"affected_services": list(affected_services)},
        )
        _queue_alert_if_severe(interruption)
    return interruption


def interruption_update(
    interruption: Interruption,
    *,
    actor,
    changes: dict,
    expected_version: int,
    affected_services: Iterable[Service] | None = None,
) -> Interruption:
    """Apply an edit; raising the severity to SEV1/SEV2 alerts the leads (once per record).

    "Raising" compares with the row as stored, not with `interruption`, which a model form
    has already given the new values.
    """
    m2m = None if affected_services is None else {"affected_services": list(affected_services)}
    with transaction.atomic():
        stored = Interruption.objects.select_for_update().get(pk=interruption.pk)
        kind = changes.get("kind", stored.kind)
        was_severe = stored.severity in Severity.alerting()
        updated = record_update(
            interruption,
            actor=actor,
            changes=_reset_other_kinds(kind, changes),
            expected_version=expected_version,
            m2m=m2m,
        )
        if not was_severe:
            _queue_alert_if_severe(updated)
    return updated


def interruption_send_alert(interruption_id: int) -> AlertDelivery | None:
    """E-mail the client's team leads about a severe interruption, at most once per record.

    The delivery row is claimed in the same transaction as the sending: a retry after a
    failed send finds no claim and tries again; a second run after success finds the claim
    and sends nothing.
    """
    interruption = Interruption.objects.select_related("client").filter(pk=interruption_id).first()
    if interruption is None or interruption.severity not in Severity.alerting():
        return None
    leads = list(client_team_leads(interruption.client).exclude(email=""))
    if not leads:
        return None
    recipients = [lead.email for lead in leads]
    content_type = ContentType.objects.get_for_model(Interruption)
    try:
        with transaction.atomic():
            delivery = AlertDelivery.objects.create(
                content_type=content_type,
                object_id=interruption.pk,
                alert_kind=SEVERE_ALERT,
                recipients=", ".join(recipients),
            )
            context = {"interruption": interruption, "portal_url": settings.PORTAL_BASE_URL}
            # The leads also find the alert in the portal; the e-mail below is their e-mail.
            notify(
                event_key=f"interruption:{interruption.pk}:{SEVERE_ALERT}",
                recipients=leads,
                record=interruption,
                subject_template="interruptions/email/severe_alert_subject.txt",
                text_template="interruptions/email/severe_alert.txt",
                context=context,
                email=False,
            )
            send_mail(
                subject=render_to_string(
                    "interruptions/email/severe_alert_subject.txt", context
                ).strip(),
                message=render_to_string("interruptions/email/severe_alert.txt", context),
                from_email=None,
                recipient_list=recipients,
            )
            timeline_log(
                interruption,
                kind=TimelineKind.ALERT,
                message=f"{interruption.get_severity_display()} alert e-mailed to "
                + ", ".join(lead.get_username() for lead in leads)
                + ".",
                data={"recipients": recipients},
            )
    except IntegrityError:
        return None  # already sent by an earlier or concurrent run
    return delivery
