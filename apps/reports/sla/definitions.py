"""What the SLA compliance report says it counts, and the logs it counts them over."""

from dataclasses import dataclass

from apps.calls.models import Call
from apps.core.choices import Severity
from apps.escalations.models import Escalation
from apps.failures.models import FailureReport
from apps.interruptions.models import Interruption
from apps.recovery.models import RecoveryCase

SLA_TITLE = "SLA compliance"
SLA_DEFINITIONS = (
    "Resolution compliance % (calendar time of the stamps; business hours and holidays are "
    "already in the due times): of the records whose resolution due time, as it stood when "
    "they were resolved or breached (the breach stamp, else the due time), falls in the "
    "period, the share resolved at or before it with no breach stamp. Records still open and "
    "not yet due, and records cancelled before meeting or missing it, are left out; each "
    "record is counted once, in its final state (a reopened record by its last resolution).",
    "First-response compliance % works the same way on the first-response due time; a first "
    "response is the first of the first-response time and the resolution. Only escalations "
    "have a first-response target.",
    "Missed: counted and not met. Breach stamps: records stamped with a due time in the "
    "period; a record missed late by an import is stamped within a minute.",
    "Target: the client's active SLA policy for the severity, in business minutes of its "
    "calendar, time on hold not counted; without one, the portal's default in calendar time. "
    "The current policy is shown for every period of the trend.",
    "Time on hold (calendar hours): each hold of a record of the client (a status change to "
    "on hold) counted in the period it began, for its whole length, to its end or to now.",
    "Maintenance (calendar hours): the part of the period covered by the client's maintenance "
    "windows (planned start to recorded end, or planned end while none is recorded, overruns "
    "as the clocks count them), overlaps merged. The clocks of the records tied to the "
    "services under work stand meanwhile.",
    "Trend: the same figures for each of the last six periods, by due time.",
)


@dataclass(frozen=True)
class Log:
    model: type
    list_name: str
    label: str


LOGS = (
    Log(Interruption, "interruptions:list", "Interruptions"),
    Log(FailureReport, "failures:list", "Failure reports"),
    Log(Escalation, "escalations:list", "Escalations"),
    Log(Call, "calls:list", "Call logs"),
    Log(RecoveryCase, "recovery:list", "Recovery cases"),
)
SEVERITIES = tuple(Severity.values)
