import django_tables2 as tables

from apps.core.listing.tables import DueColumn, MomentColumn, PersonColumn, PortalTable

from .models import Interruption


class InterruptionTable(PortalTable):
    client = tables.Column(
        accessor="client__code", verbose_name="Client", order_by=("client__code",)
    )
    kind = tables.Column()
    services = tables.Column(accessor="pk", verbose_name="Services", orderable=False)
    assignee = PersonColumn(order_by=("assignee__username",))
    team = tables.Column(order_by=("team__name",))
    occurred_at = MomentColumn(verbose_name="Started")
    ended_at = MomentColumn(verbose_name="Ended")

    resolution_due = DueColumn()

    class Meta(PortalTable.Meta):
        model = Interruption
        fields = (
            "selection",
            "reference",
            "client",
            "kind",
            "title",
            "severity",
            "status",
            "resolution_due",
            "services",
            "assignee",
            "team",
            "occurred_at",
            "ended_at",
        )
        sequence = fields

    def render_client(self, value):
        return value.upper()

    def render_services(self, record):
        return ", ".join(service.name for service in record.affected_services.all()) or "—"
