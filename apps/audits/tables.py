import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html

from apps.core.listing.tables import PortalTable
from apps.core.templatetags.portal import person

from .models import AuditFinding


class AuditFindingTable(PortalTable):
    """Findings, newest first; the acknowledge buttons submit the page's one form."""

    found_at = tables.DateTimeColumn(verbose_name="Found", format="Y-m-d H:i")
    client = tables.Column(
        accessor="client__code", verbose_name="Client", order_by=("client__code",)
    )
    kind = tables.Column()
    record_reference = tables.Column(verbose_name="Record", empty_values=())
    summary = tables.Column(orderable=False)
    acknowledged_at = tables.Column(verbose_name="Acknowledged", empty_values=())

    compact_columns = frozenset(
        {"found_at", "severity", "record_reference", "summary", "acknowledged_at"}
    )

    class Meta(PortalTable.Meta):
        model = AuditFinding
        exclude = ("selection", "reference", "status")
        fields = (
            "found_at",
            "client",
            "kind",
            "severity",
            "record_reference",
            "summary",
            "acknowledged_at",
        )
        sequence = fields
        empty_text = "No findings match these filters."

    def __init__(self, *args, can_acknowledge: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_acknowledge = can_acknowledge

    def render_client(self, value):
        return value.upper()

    def render_record_reference(self, value, record):
        if not value:
            return "—"
        return format_html('<a href="{}">{}</a>', record.record_url, value)

    def render_acknowledged_at(self, value, record):
        if value:
            when = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
            return f"{when} by {person(record.acknowledged_by)}"
        if not self.can_acknowledge:
            return "—"
        return format_html(
            '<button class="btn btn-outline-success btn-sm" type="submit" '
            'form="acknowledge-form" formaction="{}">Acknowledge</button>',
            record.acknowledge_url,
        )
