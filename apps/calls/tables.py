"""The call log table and the quality audit table."""

import django_tables2 as tables
from django.utils.html import format_html

from apps.core.listing.tables import DueColumn, MomentColumn, PortalTable, record_url
from apps.core.templatetags.portal import person

from .models import Call, QualityAudit


def duration(seconds: int | None) -> str:
    """Seconds as m:ss (h:mm:ss past an hour)."""
    if seconds is None:
        return "—"
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class CallTable(PortalTable):
    client = tables.Column(
        accessor="client__code", verbose_name="Client", order_by=("client__code",)
    )
    direction = tables.Column(verbose_name="Dir.")
    occurred_at = MomentColumn(verbose_name="Started")
    # What the user may see (masked or not); never sortable, or the order would give it away.
    customer = tables.Column(accessor="shown_customer_name", orderable=False)
    caller = tables.Column(accessor="shown_caller_number", orderable=False)
    assignee = tables.Column(verbose_name="Agent", order_by=("assignee__username",))
    query_category = tables.Column(verbose_name="Query", order_by=("query_category__label",))
    outcome = tables.Column()
    # Not sortable: most calls have neither, and a sort by them would read every row.
    talk_seconds = tables.Column(verbose_name="Talk", orderable=False)
    qa_score = tables.Column(verbose_name="QA %", orderable=False)

    resolution_due = DueColumn()

    class Meta(PortalTable.Meta):
        model = Call
        fields = (
            "selection",
            "reference",
            "client",
            "direction",
            "occurred_at",
            "title",
            "customer",
            "caller",
            "assignee",
            "query_category",
            "outcome",
            "talk_seconds",
            "qa_score",
            "severity",
            "status",
            "resolution_due",
        )
        sequence = fields

    def render_client(self, value):
        return value.upper()

    def render_direction(self, value, record):
        return "In" if record.direction == "inbound" else "Out"

    def render_assignee(self, value, record):
        return person(record.assignee)

    def render_query_category(self, value, record):
        return record.query_category.label

    def render_talk_seconds(self, value):
        return duration(value)


class QualityAuditTable(PortalTable):
    scored_at = MomentColumn(verbose_name="Scored")
    call = tables.Column(accessor="call__reference", order_by=("call__reference",))
    client = tables.Column(
        accessor="client__code", verbose_name="Client", order_by=("client__code",)
    )
    agent = tables.Column(
        accessor="call__assignee", verbose_name="Agent", order_by=("call__assignee__username",)
    )
    auditor = tables.Column(order_by=("auditor__username",))
    total_percent = tables.Column(verbose_name="Total %")
    pass_mark = tables.Column(verbose_name="Pass mark")
    passed = tables.BooleanColumn()
    coaching_needed = tables.BooleanColumn(verbose_name="Coaching")

    compact_columns = frozenset({"scored_at", "call", "agent", "total_percent", "passed"})

    class Meta(PortalTable.Meta):
        model = QualityAudit
        empty_text = "No quality audits match these filters."
        exclude = ("selection", "reference", "severity", "status")
        fields = (
            "scored_at",
            "call",
            "client",
            "agent",
            "auditor",
            *QualityAudit.SCORE_FIELDS,
            "total_percent",
            "pass_mark",
            "passed",
            "coaching_needed",
        )
        sequence = fields

    def render_call(self, value, record):
        return format_html('<a href="{}">{}</a>', record_url(self, record.call), value)

    def render_client(self, value):
        return value.upper()

    def render_agent(self, value, record):
        return person(record.call.assignee)

    def render_auditor(self, value, record):
        return person(record.auditor)
