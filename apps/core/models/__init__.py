from .codes import CodeListEntry
from .organisation import Client, ClientAssignment, Service, Team, TeamMembership
from .outbox import OutboxMessage
from .records import LogRecord, ReferenceSequence, RootCauseFields
from .runs import TaskRun
from .summaries import SummaryRow
from .timeline import AlertDelivery, RecordLink, TimelineEntry

__all__ = [
    "AlertDelivery",
    "Client",
    "ClientAssignment",
    "CodeListEntry",
    "LogRecord",
    "OutboxMessage",
    "RecordLink",
    "ReferenceSequence",
    "RootCauseFields",
    "Service",
    "SummaryRow",
    "TaskRun",
    "Team",
    "TeamMembership",
    "TimelineEntry",
]
