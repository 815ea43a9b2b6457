"""The intake endpoint monitoring sources post alerts to, and the log of its requests."""

from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.core.listing.exports import ExportColumn
from apps.core.listing.measures import Measure, count_of
from apps.core.listing.pages import PER_PAGE_CHOICES, requested_page
from apps.core.summaries.figures import list_figures
from apps.core.views.listing import FilteredTableView, model_permission

from .filters import IntakeRequestFilterSet
from .models import IntakeRequest, Integration, Outcome
from .receiving import intake_receive
from .tables import IntakeRequestTable
from .tokens import bearer_token


def _content_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


@csrf_exempt  # machines post here with a bearer token, not a browser session
@require_POST
def receive(request, integration: str):
    """POST /intake/<integration>/: 202 when stored, else 401, 413, 429 or 400 with why."""
    found = get_object_or_404(Integration, slug=integration)
    answer = intake_receive(
        found,
        token=bearer_token(request.headers.get("Authorization", "")),
        content_length=_content_length(request),
        read_body=lambda: request.body,
        remote_addr=request.META.get("REMOTE_ADDR") or None,
    )
    response = JsonResponse(answer.body, status=answer.status)
    for name, value in answer.headers.items():
        response[name] = value
    return response


class IntakeRequestListView(FilteredTableView):
    """Every request to the intake endpoint, of the clients the reader works for."""

    model = IntakeRequest
    filterset_class = IntakeRequestFilterSet
    table_class = IntakeRequestTable
    default_sort = "-received_at"
    select_related = ("client", "integration")
    template_name = "intake/requests.html"
    export_columns = [
        ExportColumn("Received at", "received_at"),
        ExportColumn("Client", "client__code"),
        ExportColumn("Integration", "integration__name"),
        ExportColumn("Outcome", "outcome", choices=dict(Outcome.choices)),
        ExportColumn("Status code", "status_code"),
        ExportColumn("Alerts", "alert_count"),
        ExportColumn("Interruptions", "references"),
        ExportColumn("Details", "reason"),
        ExportColumn("Processed at", "processed_at"),
    ]

    def get_measures(self) -> list[Measure]:
        return [
            Measure(
                outcome.label,
                count_of(Q(outcome=outcome.value)),
                narrows_to={"outcome": [outcome.value]},
            )
            for outcome in Outcome
        ]

    def page_context(self, queryset) -> dict:
        requested = requested_page(
            self.request,
            queryset.select_related(*self.select_related),
            model=self.model,
            table_class=self.table_class,
            default_sort=self.default_sort,
            tie_breaker="received_at",
        )
        return {
            "filter": self.filterset,
            "table": self.table_class(requested.page.rows, order_by=requested.sort),
            "page": requested.page,
            "cursor_error": requested.cursor_error,
            **list_figures(self, queryset),
            "per_page": self.per_page(),
            "per_page_choices": PER_PAGE_CHOICES,
            "can_export": self.request.user.has_perm(model_permission(self.model, "export")),
            "bulk_form": None,
            "model_meta": self.model._meta,
        }
