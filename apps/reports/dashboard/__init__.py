"""The home page's panels: what each role looks at first, read from summaries and indexed
counts so the page costs the same few queries at any volume."""

from datetime import datetime

from django.utils import timezone

from apps.core.access import role_names
from apps.core.roles import AGENT, AUDITOR, TEAM_LEAD
from apps.core.scoping import sees_every_client

from . import admin, agent, auditor, lead
from .panel import Panel


def panels_for(user, *, now: datetime | None = None) -> list[Panel]:
    """The panels of every role `user` holds; administrators see the leads' for every client."""
    now = now or timezone.now()
    if sees_every_client(user):
        return admin.panels(user, now)
    roles = set(role_names(user))
    panels: list[Panel] = []
    if TEAM_LEAD in roles:
        panels += lead.panels(user, now)
    if AUDITOR in roles:
        panels += auditor.panels(user, now)
    if AGENT in roles:
        panels += agent.panels(user, now)
    return panels
