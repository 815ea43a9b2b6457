import django_tables2 as tables
from django.utils.html import format_html

from apps.core.listing.tables import DueColumn, MomentColumn, PersonColumn, PortalTable

from .models import FailureReport


class FailureReportTable(PortalTable):
    client = tables.Column(
        accessor="client__code", verbose_name="Client", order_by=("client__code",)
    )
    category = tables.Column()
    actions = tables.Column(accessor="pk", verbose_name="Actions", orderable=False)
    follow_up_status = tables.Column(verbose_name="Follow-up")
    assignee = PersonColumn(order_by=("assignee__username",))
    team = tables.Column(order_by=("team__name",))
    occurred_at = MomentColumn(verbose_name="Occurred")

    resolution_due = DueColumn()

    class Meta(PortalTable.Meta):
        model = FailureReport
        fields = (
            "selection",
            "reference",
            "client",
            "category",
            "title",
            "severity",
            "status",
            "resolution_due",
            "actions",
            "follow_up_status",
            "assignee",
            "team",
            "occurred_at",
        )
        sequence = fields

    def render_client(self, value):
        return value.upper()

    def render_actions(self, record):
        """Settled / total, and how many are overdue (from the prefetched actions)."""
        actions = list(record.corrective_actions.all())
        if not actions:
            return "—"
        settled = sum(1 for action in actions if action.is_settled)
        overdue = sum(1 for action in actions if action.is_overdue)
        if overdue:
            return format_html(
                '{}/{} <span class="badge text-bg-danger">{} overdue</span>',
                settled,
                len(actions),
                overdue,
            )
        return f"{settled}/{len(actions)}"
