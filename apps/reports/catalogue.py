"""The reports the portal offers, in the order the reports page lists them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportEntry:
    url_name: str
    title: str
    description: str


REPORTS: list[ReportEntry] = [
    ReportEntry(
        "reports:sla",
        "SLA compliance",
        "First-response and resolution compliance per log and severity against the client's "
        "targets, breaches with their stamps, time paused, and the trend.",
    ),
]
