"""The reports the portal offers, in the order the reports page lists them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportEntry:
    url_name: str
    title: str
    description: str


REPORTS: list[ReportEntry] = [
    ReportEntry(
        "reports:recovery",
        "Customer recovery",
        "Recovery rate, satisfaction and likelihood to return after recovery, time to "
        "recover, refunds and credits per currency, per nature of issue, with the trend.",
    ),
]
