import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html

from apps.core.listing.tables import PersonColumn, PortalTable

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
    occurred_at = tables.DateTimeColumn(verbose_name="Escalated", format="Y-m-d H:i")
    resolution_due = tables.Column(verbose_name="Resolution due")

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

    def render_resolution_due(self, value, record):
        text = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        if record.is_overdue:
            return format_html('<span class="badge text-bg-danger">overdue</span> {}', text)
        return text
