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
    ReportEntry(
        "reports:root_causes",
        "Root causes",
        "A Pareto of root causes across interruptions, failure reports and escalations, the "
        "causes that keep hitting each service, and the corrective actions open, overdue "
        "and done per cause.",
    ),
    ReportEntry(
        "reports:calls",
        "Calls and agents",
        "FCR, handle time, wait, abandonment and call-back compliance per agent, team and "
        "queue; QA audit averages per criterion, agent and auditor; the trend.",
    ),
    ReportEntry(
        "reports:availability",
        "Availability and downtime",
        "Downtime, availability %, MTTR and MTBF per service, with maintenance and "
        "degradation apart, a timeline of the downtime and the trend.",
    ),
    ReportEntry(
        "reports:recovery",
        "Customer recovery",
        "Recovery rate, satisfaction and likelihood to return after recovery, time to "
        "recover, refunds and credits per currency, per nature of issue, with the trend.",
    ),
    ReportEntry(
        "reports:escalations",
        "Escalations",
        "Time to first response and to resolution per tier, resolved at the tier where raised, "
        "moves between tiers, where escalations wait longest, origins and channels, the trend.",
    ),
]
