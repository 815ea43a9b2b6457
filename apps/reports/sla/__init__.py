"""SLA compliance of one client over a period: the figures of the page, its exports and the
monthly e-mail, computed here and nowhere else (see `sections` for how they are read)."""

from .definitions import LOGS, SLA_DEFINITIONS, SLA_TITLE
from .maintenance import LISTED_WINDOWS, maintenance_hours, maintenance_windows
from .sections import sla_sections
from .tallies import compliance_tallies, live_tallies

__all__ = [
    "LISTED_WINDOWS",
    "LOGS",
    "SLA_DEFINITIONS",
    "SLA_TITLE",
    "compliance_tallies",
    "live_tallies",
    "maintenance_hours",
    "maintenance_windows",
    "sla_sections",
]
