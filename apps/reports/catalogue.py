"""The reports the portal offers, in the order the reports page lists them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportEntry:
    url_name: str
    title: str
    description: str


REPORTS: list[ReportEntry] = [
    ReportEntry(
        "reports:availability",
        "Availability and downtime",
        "Downtime, availability %, MTTR and MTBF per service, with maintenance and "
        "degradation apart, a timeline of the downtime and the trend.",
    ),
]
