"""Records and their parts as the API answers them, shown (masked) as the pages show them."""

from django.urls import reverse

from apps.core.history import HistoryEntry


def related(obj) -> dict | None:
    if obj is None:
        return None
    return {"id": obj.pk, "name": str(obj), "reference": getattr(obj, "reference", None)}


def api_url(request, segment: str, reference: str) -> str:
    return request.build_absolute_uri(reverse(f"api:{segment}_detail", args=[reference]))


def record_data(kind, record, request) -> dict:
    """Every field of the record the pages show, personal data as this user may see it."""
    meta = record._meta
    data = {}
    for name in kind.output_fields:
        field = meta.get_field(name)
        if field.many_to_many:
            data[name] = [related(obj) for obj in getattr(record, name).all()]
        elif field.many_to_one:
            data[name] = related(getattr(record, name))
        else:
            data[name] = kind.mask(request.user, name, getattr(record, name))
    data.update(
        log=kind.segment,
        url=api_url(request, kind.segment, record.reference),
        web_url=request.build_absolute_uri(record.get_absolute_url()),
    )
    return data


def record_ref(record, request) -> dict:
    from .kinds import SEGMENTS

    return {
        "log": SEGMENTS[type(record)],
        "reference": record.reference,
        "title": record.title,
        "status": record.status,
        "url": api_url(request, SEGMENTS[type(record)], record.reference),
    }


def history_data(entry: HistoryEntry) -> dict:
    return {
        "at": entry.when,
        "by": entry.who,
        "action": entry.action,
        "reason": entry.reason,
        "subject": entry.subject,
        "changes": [
            {"field": change.label, "old": change.old, "new": change.new}
            for change in entry.changes
        ],
    }


def timeline_data(entry) -> dict:
    return {
        "at": entry.created_at,
        "kind": entry.kind,
        "message": entry.message,
        "actor": None if entry.actor is None else str(entry.actor),
    }
