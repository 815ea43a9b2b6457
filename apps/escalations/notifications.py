"""Who hears about what the sweep did, written in bulk: one notification per event per person.

Warnings go to the tier's team lead and the assignee; a move up to the new team's members
and lead (as the matrix step says); a breach to the client's team leads and the team lead.
The (recipient, event key) constraint keeps a re-run from telling anyone twice, and e-mails
are queued a chunk of notifications at a time through the outbox.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.core.bulk_insert import BulkTable
from apps.core.models import Client, Team
from apps.core.queueing import enqueue_on_commit
from apps.core.selectors import client_team_leads, members_by_team
from apps.notifications.models import Notification

from .engine import step_at
from .models import Escalation

EMAIL_CHUNK = 200
SUBJECT_LENGTH = Notification._meta.get_field("subject").max_length


@dataclass(frozen=True)
class EscalationEvent:
    escalation: Escalation
    kind: str  # "warning", "tier2", "tier3", "breach"
    message: str

    @property
    def event_key(self) -> str:
        # The tier's start tells a second visit of a tier (after a move back down) apart.
        entered = self.escalation.tier_entered_at
        stamp = int(entered.timestamp()) if entered else 0
        return f"escalation:{self.escalation.pk}:{self.kind}:{self.escalation.tier}:{stamp}"


def _recipient_ids(event: EscalationEvent, members, leads_of_team, client_leads) -> set[int]:
    escalation = event.escalation
    step = step_at(escalation.matrix_steps, escalation.tier) or {}
    team_lead = leads_of_team.get(escalation.team_id)
    people: set[int] = set()
    if event.kind == "warning":
        people |= {team_lead, escalation.assignee_id}
    elif event.kind == "breach":
        people |= client_leads[escalation.client_id] | {team_lead, escalation.assignee_id}
    else:
        if step.get("notify_team", True):
            people |= members[escalation.team_id]
        if step.get("notify_lead", True):
            people.add(team_lead)
    people.discard(None)
    return people


def _insert_once(rows: list[dict]) -> list[tuple[int, int]]:
    """Insert notifications, returning (id, recipient) of each; one already there (a re-run
    of an event) is skipped. The fast path writes them straight to the driver."""
    table = BulkTable(Notification)
    for row, pk in zip(rows, table.reserve_ids(len(rows)), strict=True):
        row["id"] = pk
    try:
        with transaction.atomic():
            table.insert(rows)
        return [(row["id"], row["recipient_id"]) for row in rows]
    except IntegrityError:
        Notification.objects.bulk_create(
            [Notification(**row) for row in rows], batch_size=1000, ignore_conflicts=True
        )
        ids = [row["id"] for row in rows]
        return list(Notification.objects.filter(pk__in=ids).values_list("pk", "recipient_id"))


def notify_escalation_events(events: list[EscalationEvent]) -> list[int]:
    """Create the notifications of `events` in bulk; returns the ids of those created now."""
    if not events:
        return []
    team_ids = {event.escalation.team_id for event in events}
    members = members_by_team(team_ids)
    leads_of_team = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "lead_id"))
    client_leads: dict[int, set[int]] = {}
    for client_id in {event.escalation.client_id for event in events if event.kind == "breach"}:
        client = Client(pk=client_id)
        client_leads[client_id] = set(client_team_leads(client).values_list("pk", flat=True))
    wanted = {
        event: _recipient_ids(event, members, leads_of_team, client_leads) for event in events
    }
    everyone = {pk for people in wanted.values() for pk in people}
    active = dict(
        get_user_model().objects.filter(pk__in=everyone, is_active=True).values_list("pk", "email")
    )
    content_type_id = ContentType.objects.get_for_model(Escalation).pk
    # One reverse() for all: at ten thousand events a call each is a second and a half.
    url_pattern = reverse("escalations:detail", args=["REFERENCE"])
    now = timezone.now()
    rows = []
    for event, people in wanted.items():
        escalation = event.escalation
        shared = {
            "client_id": escalation.client_id,
            "event_key": event.event_key,
            "content_type_id": content_type_id,
            "object_id": escalation.pk,
            "reference": escalation.reference,
            "url": url_pattern.replace("REFERENCE", escalation.reference),
            "subject": f"{escalation.reference}: {event.message}"[:SUBJECT_LENGTH],
            "body": f"{escalation.reference} · {escalation.title}\n\n{event.message}\n",
            "body_html": "",
            "created_at": now,
        }
        rows += [shared | {"recipient_id": pk} for pk in sorted(people) if pk in active]
    created = _insert_once(rows)
    to_email = [pk for pk, recipient in created if active.get(recipient)]
    from .tasks import send_escalation_emails

    for start in range(0, len(to_email), EMAIL_CHUNK):
        enqueue_on_commit(send_escalation_emails, to_email[start : start + EMAIL_CHUNK])
    return [pk for pk, _ in created]
