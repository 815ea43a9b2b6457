from .codes import CodeListEntry
from .organisation import Client, ClientAssignment, Service, Team, TeamMembership
from .records import LogRecord, ReferenceSequence, RootCauseFields
from .timeline import AlertDelivery, RecordLink, TimelineEntry

__all__ = [
    "AlertDelivery",
    "Client",
    "ClientAssignment",
    "CodeListEntry",
    "LogRecord",
    "RecordLink",
    "ReferenceSequence",
    "RootCauseFields",
    "Service",
    "Team",
    "TeamMembership",
    "TimelineEntry",
]
