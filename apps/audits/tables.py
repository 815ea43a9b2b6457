import django_tables2 as tables
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.html import format_html

from apps.core.listing.tables import MomentColumn, PortalTable, url_with
from apps.core.templatetags.portal import person

from .models import AuditFinding


class AuditFindingTable(PortalTable):
    """Findings, newest first; the acknowledge buttons submit the page's one form."""

    found_at = MomentColumn(verbose_name="Found")
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
        if record.record_type_id is None:
            return format_html('<a href="{}">{}</a>', "", value)
        app_label = ContentType.objects.get_for_id(record.record_type_id).app_label
        return format_html(
            '<a href="{}">{}</a>', url_with(self, f"{app_label}:detail", value), value
        )

    def render_acknowledged_at(self, value, record):
        if value:
            when = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
            return f"{when} by {person(record.acknowledged_by)}"
        if not self.can_acknowledge:
            return "—"
        return format_html(
            '<button class="btn btn-outline-success btn-sm" type="submit" '
            'form="acknowledge-form" formaction="{}">Acknowledge</button>',
            url_with(self, "audits:acknowledge", record.pk),
        )
