"""Telling leads what an audit found: the record's team lead, or the client's leads."""

from django.contrib.auth import get_user_model

from apps.core.selectors import client_team_leads
from apps.notifications.services import notify


def tell_leads(filed: list) -> int:
    """Notify the lead of each (record, finding) once (in the portal and by e-mail); returns
    how many notifications were created. A record whose team has an active lead tells that
    lead; any other tells every lead of its client."""
    users = get_user_model().objects
    by_team: dict[int, list] = {}
    by_client: dict[int, list] = {}
    told = 0
    for record, finding in filed:
        lead_id = record.team.lead_id if record.team_id else None
        if lead_id is not None and lead_id not in by_team:
            by_team[lead_id] = list(users.filter(pk=lead_id, is_active=True))
        leads = by_team.get(lead_id) or []
        if not leads:
            if record.client_id not in by_client:
                by_client[record.client_id] = list(client_team_leads(record.client))
            leads = by_client[record.client_id]
        told += len(
            notify(
                event_key=f"audit:{finding.fingerprint}",
                recipients=leads,
                record=record,
                subject_template="notifications/email/record_subject.txt",
                text_template="notifications/email/record.txt",
                html_template="notifications/email/record.html",
                context={
                    "headline": f"Audit finding: {finding.get_kind_display().lower()}",
                    "message": finding.summary,
                },
            )
        )
    return told
