"""The reports the portal offers, in the order the reports page lists them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportEntry:
    url_name: str
    title: str
    description: str


REPORTS: list[ReportEntry] = []

REPORTS.append(
    ReportEntry(
        "reports:calls",
        "Calls and agents",
        "FCR, handle time, wait, abandonment and call-back compliance per agent, team and "
        "queue; QA audit averages per criterion, agent and auditor; the trend.",
    )
)
