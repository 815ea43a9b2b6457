"""The operations of one log, built for each of the five from its `ApiKind`."""

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Query, Router
from ninja import Status as Answer

from apps.core.chain import record_chain
from apps.core.forms import AssignForm, LinkForm, NoteForm, StatusChangeForm
from apps.core.history import record_history
from apps.core.lookup import find_record
from apps.core.services.links import linked_records, record_link
from apps.core.services.records import record_assign, record_change_status
from apps.core.services.timeline import timeline_add_note, timeline_for

from ..auth import require_permission
from ..kinds import ApiKind
from ..listing import ListSpec, api_page, filter_parameters, filtered
from ..saving import save_record
from ..schemas import (
    AssignmentIn,
    ChainOut,
    HistoryOut,
    LinkIn,
    LinkOut,
    NoteIn,
    StatusIn,
    TimelineOut,
)
from ..serializers import history_data, record_data, record_ref, timeline_data
from .common import find_scoped, page_schema, valid_form, writing


def record_of(kind: ApiKind, request, reference: str, action: str = "view"):
    """The record by reference among those the user may reach (404 before any 403)."""
    record = find_scoped(
        request,
        kind.model.objects.select_related(*kind.foreign_keys).prefetch_related(*kind.many_to_many),
        reference=reference,
    )
    require_permission(request, kind.model, action)
    return record


def shown(kind: ApiKind, request, record) -> dict:
    """The record as stored now, as this user may see it."""
    return record_data(kind, record_of(kind, request, record.reference), request)


def _links(record, request) -> list[dict]:
    return [
        {"description": link.description, "record": record_ref(link.record, request)}
        for link in linked_records(record, request.user)
    ]


def record_router(kind: ApiKind) -> Router:
    segment, model, out = kind.segment, kind.model, kind.output_schema
    plural = str(model._meta.verbose_name_plural)
    one = str(model._meta.verbose_name)
    a_one = f"{'an' if one[0] in 'aeiou' else 'a'} {one}"
    router = Router(tags=[kind.tag])
    spec = ListSpec(kind.list_view)

    @router.get(
        "/",
        response=page_schema(f"{model.__name__}Page", out),
        url_name=f"{segment}_list",
        summary=f"List {plural}",
        description="The same filters, sort orders and keyset pages as the list page.",
        openapi_extra={"parameters": filter_parameters(spec)},
    )
    def list_records(request):
        require_permission(request, model, "view")
        rows = filtered(spec, request, model.objects.for_user(request.user))
        rows = rows.select_related(*kind.foreign_keys).prefetch_related(*kind.many_to_many)
        page, links = api_page(spec, request, rows)
        return {"items": [record_data(kind, record, request) for record in page], "links": links}

    @router.post(
        "/",
        response={201: out},
        url_name=f"{segment}_create",
        summary=f"Log a new {model._meta.verbose_name}",
        description="Validated by the log's form and saved by its service, as on the page. "
        "`origin` follows up another record, as the page's Escalate / Report buttons do.",
    )
    def create_record(request, payload: kind.create_schema, origin: Query[str | None] = None):
        require_permission(request, model, "add")
        with writing(request):
            record = save_record(kind, request, payload.dict(exclude_unset=True))
        return Answer(201, shown(kind, request, record))

    @router.get(
        "/{reference}", response=out, url_name=f"{segment}_detail", summary=f"Read one {one}"
    )
    def read_record(request, reference: str):
        return record_data(kind, record_of(kind, request, reference), request)

    @router.patch(
        "/{reference}",
        response=out,
        url_name=f"{segment}_update",
        summary=f"Change fields of {a_one}",
        description="Send `version` as read and only the fields to change; a newer version "
        "is a 409 and nothing is saved.",
    )
    def update_record(request, reference: str, payload: kind.update_schema):
        with writing(request):
            record = record_of(kind, request, reference, "change")
            updated = save_record(kind, request, payload.dict(exclude_unset=True), record)
        return shown(kind, request, updated)

    @router.post(
        "/{reference}/status",
        response=out,
        url_name=f"{segment}_status",
        summary=f"Move {a_one} along the workflow",
    )
    def change_status(request, reference: str, payload: StatusIn):
        with writing(request):
            record = record_of(kind, request, reference, "change")
            data = valid_form(StatusChangeForm(payload.dict(), record=record, user=request.user))
            if data["status"] != record.status:
                record = record_change_status(
                    record,
                    target=data["status"],
                    actor=request.user,
                    reason=data["reason"],
                    expected_version=data["version"],
                    override_open_follow_ups=data.get("override_open_follow_ups", False),
                )
        return shown(kind, request, record)

    @router.post(
        "/{reference}/assignment",
        response=out,
        url_name=f"{segment}_assign",
        summary=f"Assign {a_one}",
    )
    def assign(request, reference: str, payload: AssignmentIn):
        with writing(request):
            record = record_of(kind, request, reference, "change")
            data = valid_form(AssignForm(payload.dict(), record=record))
            record = record_assign(
                record,
                actor=request.user,
                assignee=data["assignee"],
                team=data["team"],
                expected_version=data["version"],
            )
        return shown(kind, request, record)

    @router.post(
        "/{reference}/notes",
        response={201: TimelineOut},
        url_name=f"{segment}_note",
        summary=f"Add a note to {a_one}",
    )
    def add_note(request, reference: str, payload: NoteIn):
        with writing(request):
            record = record_of(kind, request, reference, "change")
            data = valid_form(NoteForm(payload.dict()))
            entry = timeline_add_note(record, text=data["text"], actor=request.user)
        return Answer(201, timeline_data(entry))

    @router.get(
        "/{reference}/links",
        response=list[LinkOut],
        url_name=f"{segment}_links",
        summary=f"Records linked to {a_one}",
    )
    def links(request, reference: str):
        return _links(record_of(kind, request, reference), request)

    @router.post(
        "/{reference}/links",
        response={201: list[LinkOut]},
        url_name=f"{segment}_link",
        summary=f"Link {a_one} to another record",
    )
    def link(request, reference: str, payload: LinkIn):
        with writing(request):
            record = record_of(kind, request, reference, "change")
            data = valid_form(LinkForm(payload.dict()))
            try:
                other = find_record(request.user, data["reference"])
            except Http404 as error:
                raise ValidationError({"reference": f"{error} Nothing was linked."}) from None
            record_link(record, other, relation=data["relation"], actor=request.user)
        return Answer(201, _links(record, request))

    @router.get(
        "/{reference}/chain",
        response=ChainOut,
        url_name=f"{segment}_chain",
        summary=f"Cause and follow-ups of {a_one}",
    )
    def chain(request, reference: str):
        found = record_chain(record_of(kind, request, reference), request.user)
        return {
            "nodes": [
                {
                    "depth": node.depth,
                    "current": node.is_current,
                    "record": record_ref(node.record, request),
                }
                for node in found.rows
            ],
            "truncated": found.truncated,
        }

    @router.get(
        "/{reference}/history",
        response=list[HistoryOut],
        url_name=f"{segment}_history",
        summary=f"Change history of {a_one}",
    )
    def history(request, reference: str):
        entries = record_history(record_of(kind, request, reference))
        kind.mask_history(entries, request.user)
        return [history_data(entry) for entry in entries]

    @router.get(
        "/{reference}/timeline",
        response=list[TimelineOut],
        url_name=f"{segment}_timeline",
        summary=f"Timeline of {a_one}",
    )
    def timeline(request, reference: str):
        return [timeline_data(entry) for entry in timeline_for(record_of(kind, request, reference))]

    return router
