"""Escalations with a history told version by version, for the escalations report's tests."""

from datetime import datetime

from apps.core.choices import Status
from apps.escalations.models import Escalation
from apps.escalations.tier_stays import refresh_tier_stays
from tests.factories_escalations import EscalationFactory

History = Escalation.history.model
FINISHED = (Status.RESOLVED, Status.CLOSED)


def story(client, raised_at: datetime, versions, *, first_response_at=None, **fields):
    """An escalation of `client` raised at `raised_at` whose history is `versions`:
    `(at, tier, status)` in order. The row ends as its last version says: its tier and status,
    resolved at the last resolution still standing (a reopening clears it), changed last then.
    With no versions, a row with no history at all (`fields` give its tier and status).
    Written behind the services' backs, so its tier stays are written again as they would."""
    escalation = EscalationFactory(
        client=client,
        occurred_at=raised_at,
        first_response_at=first_response_at,
        first_response_due=None,
        resolution_due=None,
        **fields,
    )
    template = History.objects.filter(id=escalation.pk).get()
    History.objects.filter(id=escalation.pk).delete()
    if not versions:
        refresh_tier_stays([escalation.pk])
        return escalation
    resolved_at = None
    for at, tier, status in versions:
        if status in FINISHED and resolved_at is None:
            resolved_at = at
        elif status not in FINISHED:
            resolved_at = None
        template.history_id = None
        template.history_date, template.tier, template.status = at, tier, status
        template.resolved_at = resolved_at
        template.save()
    last_at, last_tier, last_status = versions[-1]
    Escalation.objects.filter(pk=escalation.pk).update(
        tier=last_tier,
        status=last_status,
        resolved_at=resolved_at,
        closed_at=last_at if last_status == Status.CLOSED else None,
        cancel_reason="Withdrawn." if last_status == Status.CANCELLED else "",
        updated_at=last_at,
    )
    refresh_tier_stays([escalation.pk])
    escalation.refresh_from_db()
    return escalation
