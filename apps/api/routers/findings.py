"""Audit findings: listed with the findings page's filters, read, acknowledged."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from ninja import Router, Schema

from apps.audits.models import AuditFinding
from apps.audits.services import finding_acknowledge
from apps.audits.views import ACKNOWLEDGE, AuditFindingListView

from ..auth import require_permission
from ..listing import ListSpec, api_page, filter_parameters, filtered
from ..serializers import related
from .common import find_scoped, page_schema, writing

SPEC = ListSpec(AuditFindingListView, tie_breaker="found_at")


class FindingOut(Schema):
    id: int
    kind: str
    severity: str
    client: dict
    record_reference: str
    summary: str
    found_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: dict | None
    url: str


def finding_data(finding: AuditFinding, request) -> dict:
    return {
        "id": finding.pk,
        "kind": finding.kind,
        "severity": finding.severity,
        "client": related(finding.client),
        "record_reference": finding.record_reference,
        "summary": finding.summary,
        "found_at": finding.found_at,
        "acknowledged_at": finding.acknowledged_at,
        "acknowledged_by": related(finding.acknowledged_by),
        "url": request.build_absolute_uri(reverse("api:findings_detail", args=[finding.pk])),
    }


def _finding(request, pk: int) -> AuditFinding:
    finding = find_scoped(
        request, AuditFinding.objects.select_related("client", "acknowledged_by"), pk=pk
    )
    require_permission(request, AuditFinding, "view")
    return finding


router = Router(tags=["Audit findings"])


@router.get(
    "/",
    response=page_schema("FindingPage", FindingOut),
    url_name="findings_list",
    summary="List audit findings",
    openapi_extra={"parameters": filter_parameters(SPEC)},
)
def list_findings(request):
    require_permission(request, AuditFinding, "view")
    rows = filtered(SPEC, request, AuditFinding.objects.for_user(request.user))
    page, links = api_page(SPEC, request, rows.select_related("client", "acknowledged_by"))
    return {"items": [finding_data(finding, request) for finding in page], "links": links}


@router.get("/{int:pk}", response=FindingOut, url_name="findings_detail", summary="Read one")
def read_finding(request, pk: int):
    return finding_data(_finding(request, pk), request)


@router.post(
    "/{int:pk}/acknowledge",
    response=FindingOut,
    url_name="findings_acknowledge",
    summary="Acknowledge",
)
def acknowledge(request, pk: int):
    finding = _finding(request, pk)
    if not request.user.has_perm(ACKNOWLEDGE):
        raise PermissionDenied("Your role may not acknowledge findings.")
    with writing(request):
        finding_acknowledge(finding, actor=request.user)
    return finding_data(_finding(request, pk), request)
