"""An escalation's own moves: up (or down) a tier, and its first response."""

from ninja import Router, Schema
from pydantic import Field

from apps.escalations.forms import FirstResponseForm, MoveTierForm
from apps.escalations.services import escalation_move_tier, escalation_record_first_response

from ..kinds import ApiKind
from .common import valid_form, writing
from .records import record_of, shown


class TierMoveIn(Schema):
    version: int
    tier: int = Field(description="The tier to move to (1 to 4; see the escalation matrix).")
    team: int = Field(description="The id of the team taking it over.")
    reason: str


class FirstResponseIn(Schema):
    version: int


def add_escalation_actions(router: Router, kind: ApiKind) -> None:
    out = kind.output_schema

    @router.post(
        "/{reference}/tier",
        response=out,
        url_name="escalations_move_tier",
        summary="Move to another tier",
    )
    def move_tier(request, reference: str, payload: TierMoveIn):
        with writing(request):
            record = record_of(kind, request, reference, "change")
            data = valid_form(MoveTierForm(payload.dict(), record=record))
            record = escalation_move_tier(
                record,
                tier=data["tier"],
                team=data["team"],
                reason=data["reason"],
                actor=request.user,
                expected_version=data["version"],
            )
        return shown(kind, request, record)

    @router.post(
        "/{reference}/first-response",
        response=out,
        url_name="escalations_first_response",
        summary="Record the first response",
    )
    def first_response(request, reference: str, payload: FirstResponseIn):
        with writing(request):
            record = record_of(kind, request, reference, "change")
            data = valid_form(FirstResponseForm(payload.dict(), record=record))
            record = escalation_record_first_response(
                record, actor=request.user, expected_version=data["version"]
            )
        return shown(kind, request, record)
