"""The reports the portal offers, in the order the reports page lists them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportEntry:
    url_name: str
    title: str
    description: str


REPORTS: list[ReportEntry] = [
    ReportEntry(
        "reports:escalations",
        "Escalations",
        "Time to first response and to resolution per tier, resolved at the tier where raised, "
        "moves between tiers, where escalations wait longest, origins and channels, the trend.",
    ),
]
