"""An administrator's panels: the leads' for every client, and the way to the admin."""

from datetime import datetime

from django.urls import reverse

from . import lead
from .panel import Panel


def panels(user, now: datetime) -> list[Panel]:
    return [
        *(
            Panel(
                key=panel.key,
                title="Every client's queues",
                template=panel.template,
                data=panel.data,
                note="Records of every client.",
                definitions=panel.definitions,
            )
            for panel in lead.panels(user, now)
        ),
        Panel(
            key="administration",
            title="Administration",
            template="reports/dashboard/admin.html",
            links=[("Open the administration", reverse("admin:index"))],
        ),
    ]
