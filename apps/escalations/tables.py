import django_tables2 as tables

from apps.core.listing.tables import DueColumn, MomentColumn, PersonColumn, PortalTable

from .models import Escalation


class EscalationTable(PortalTable):
    client = tables.Column(
        accessor="client__code", verbose_name="Client", order_by=("client__code",)
    )
    origin = tables.Column()
    category = tables.Column(order_by=("category__label",))
    tier = tables.Column(verbose_name="Tier")
    assignee = PersonColumn(order_by=("assignee__username",))
    team = tables.Column(order_by=("team__name",))
    occurred_at = MomentColumn(verbose_name="Escalated")
    resolution_due = DueColumn()

    class Meta(PortalTable.Meta):
        model = Escalation
        fields = (
            "selection",
            "reference",
            "client",
            "origin",
            "category",
            "tier",
            "title",
            "severity",
            "status",
            "assignee",
            "team",
            "occurred_at",
            "resolution_due",
        )
        sequence = fields

    def render_client(self, value):
        return value.upper()

    def render_tier(self, value, record):
        return f"T{record.tier}"

    def render_category(self, value, record):
        return record.category.label
