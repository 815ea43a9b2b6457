import django_tables2 as tables
from django.utils.html import format_html, format_html_join

from apps.core.listing.tables import MomentColumn, PortalTable, url_with

from .models import IntakeRequest

OUTCOME_COLOURS = {
    "received": "secondary",
    "accepted": "success",
    "deduplicated": "info",
    "ignored": "light",
    "refused": "danger",
    "failed": "warning",
}


class IntakeRequestTable(PortalTable):
    """Requests to the intake endpoint, newest first, with what became of them."""

    received_at = MomentColumn(verbose_name="Received", format="Y-m-d H:i:s")
    client = tables.Column(
        accessor="client__code", verbose_name="Client", order_by=("client__code",)
    )
    integration = tables.Column(
        accessor="integration__name", verbose_name="Integration", order_by=("integration__name",)
    )
    outcome = tables.Column()
    status_code = tables.Column(verbose_name="Status")
    alert_count = tables.Column(verbose_name="Alerts")
    references = tables.Column(verbose_name="Interruptions", orderable=False, empty_values=())
    reason = tables.Column(verbose_name="Details", orderable=False)

    compact_columns = frozenset({"received_at", "outcome", "status_code", "references"})

    class Meta(PortalTable.Meta):
        model = IntakeRequest
        exclude = ("selection", "reference", "severity", "status")
        fields = (
            "received_at",
            "client",
            "integration",
            "outcome",
            "status_code",
            "alert_count",
            "references",
            "reason",
        )
        sequence = fields
        empty_text = "No requests match these filters."

    def render_client(self, value):
        return value.upper()

    def render_outcome(self, value, record):
        colour = OUTCOME_COLOURS.get(record.outcome, "secondary")
        text = "text-bg-light border" if colour == "light" else f"text-bg-{colour}"
        return format_html('<span class="badge {}">{}</span>', text, value)

    def render_references(self, value, record):
        if not value:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((url_with(self, "interruptions:detail", reference), reference) for reference in value),
        )
