"""What an export of recovery cases holds: the case, its origin, its outcome columns, and
counts computed in the export's one query (subqueries), whatever the number of rows."""

from django.db.models import BooleanField, ExpressionWrapper, Q

from apps.core.choices import Status
from apps.core.listing.exports import ExportColumn

from .models import NatureOfIssue, RecoveryAction, RecoveryInteraction
from .selectors import child_count, origin_reference, recovered_condition

YES_NO = {True: "Yes", False: "No"}

EXPORT_COLUMNS = [
    ExportColumn("Reference", "reference"),
    ExportColumn("Client", "client__code"),
    ExportColumn("Title", "title"),
    ExportColumn("Nature of issue", "nature", choices=dict(NatureOfIssue.choices)),
    ExportColumn("Severity", "severity"),
    ExportColumn("Status", "status", choices=dict(Status.choices)),
    ExportColumn("Customer", "customer_name"),
    ExportColumn("Account reference", "account_reference"),
    ExportColumn("Occurred at", "occurred_at"),
    ExportColumn("Initial customer feedback", "initial_feedback"),
    ExportColumn("Caused by", "origin_reference"),
    ExportColumn("Owner", "assignee__username"),
    ExportColumn("Team", "team__name"),
    ExportColumn("Reported by", "reported_by__username"),
    ExportColumn("Interactions", "interaction_count"),
    ExportColumn("Actions", "action_count"),
    ExportColumn("Final resolution", "resolution__final_resolution"),
    ExportColumn("Customer confirmed", "confirmed", choices=YES_NO),
    ExportColumn("Confirmed at", "confirmed_at"),
    ExportColumn("Could not be reached", "resolution__unreachable_reason"),
    ExportColumn("Follow-up at", "resolution__follow_up_at"),
    ExportColumn("Latest satisfaction (1-5)", "latest_satisfaction"),
    ExportColumn("Latest likelihood to return (0-10)", "latest_likelihood_to_return"),
    ExportColumn("Customer satisfied (latest word)", "customer_satisfied", choices=YES_NO),
    ExportColumn("Recovered", "recovered", choices=YES_NO),
    ExportColumn("Resolved at", "resolved_at"),
    ExportColumn("Breached at", "resolution_breached_at"),
    ExportColumn("Closed at", "closed_at"),
    ExportColumn("Created at", "created_at"),
]


def with_export_annotations(queryset):
    """`queryset` with the computed columns of EXPORT_COLUMNS."""
    return queryset.annotate(
        origin_reference=origin_reference(),
        interaction_count=child_count(RecoveryInteraction),
        action_count=child_count(RecoveryAction),
        confirmed=ExpressionWrapper(Q(confirmed_at__isnull=False), output_field=BooleanField()),
        recovered=ExpressionWrapper(recovered_condition(), output_field=BooleanField()),
    )
