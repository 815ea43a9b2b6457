import django_tables2 as tables
from django.utils.html import format_html

from apps.core.listing.tables import DueColumn, MomentColumn, PortalTable
from apps.core.templatetags.portal import person

from .models import RecoveryCase


class RecoveryCaseTable(PortalTable):
    client = tables.Column(
        accessor="client__code", verbose_name="Client", order_by=("client__code",)
    )
    nature = tables.Column(verbose_name="Nature")
    customer_name = tables.Column(verbose_name="Customer", orderable=False)
    assignee = tables.Column(verbose_name="Owner", order_by=("assignee__username",))
    # Counted for the page's rows in one query (selectors.attach_action_counts).
    action_count = tables.Column(verbose_name="Actions", orderable=False)
    outcome = tables.Column(verbose_name="Outcome", accessor="pk", orderable=False, empty_values=())
    occurred_at = MomentColumn(verbose_name="Occurred")

    resolution_due = DueColumn()

    class Meta(PortalTable.Meta):
        model = RecoveryCase
        fields = (
            "selection",
            "reference",
            "client",
            "nature",
            "title",
            "customer_name",
            "severity",
            "status",
            "resolution_due",
            "assignee",
            "action_count",
            "outcome",
            "occurred_at",
        )
        sequence = fields

    def render_client(self, value):
        return value.upper()

    def render_customer_name(self, value, record):
        if record.account_reference:
            return format_html(
                '{}<div class="small text-body-secondary">{}</div>',
                value,
                record.account_reference,
            )
        return value

    def render_assignee(self, value):
        return person(value)

    def render_outcome(self, record):
        """Confirmed by the customer, and the latest satisfaction score, if any."""
        satisfaction = record.latest_satisfaction
        score = f"{satisfaction}/5" if satisfaction is not None else ""
        if record.confirmed_at:
            return format_html(
                '<span class="badge text-bg-success">{}</span> {}', "confirmed", score
            )
        return score or "—"

    def render_action_count(self, value):
        return value or "—"
