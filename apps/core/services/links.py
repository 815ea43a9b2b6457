"""Links between records of any kind: "caused by" and "related to", seen from both sides."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from ..chain import caused_by_descends_from
from ..choices import LinkRelation, TimelineKind
from ..models import LogRecord, RecordLink
from .timeline import timeline_log


def record_link(source: LogRecord, target: LogRecord, *, relation: str, actor) -> RecordLink:
    """Link `source` to `target` ("source was caused by target", or related to it)."""
    if source.client_id != target.client_id:
        raise ValidationError("Only records of the same client can be linked.")
    source_type = ContentType.objects.get_for_model(source)
    target_type = ContentType.objects.get_for_model(target)
    if source_type == target_type and source.pk == target.pk:
        raise ValidationError("A record cannot be linked to itself.")
    label = LinkRelation(relation).label.lower()
    if relation == LinkRelation.CAUSED_BY and caused_by_descends_from(target, source):
        raise ValidationError(
            f"{target.reference} already follows from {source.reference}: "
            "linking them this way would make a loop."
        )
    try:
        with transaction.atomic():
            link = RecordLink.objects.create(
                client_id=source.client_id,
                source_type=source_type,
                source_id=source.pk,
                target_type=target_type,
                target_id=target.pk,
                relation=relation,
                created_by=actor,
            )
            timeline_log(
                source,
                kind=TimelineKind.LINK,
                actor=actor,
                message=f"Linked: {label} {target.reference}.",
            )
            timeline_log(
                target,
                kind=TimelineKind.LINK,
                actor=actor,
                message=f"Linked: {source.reference} is {label} this record.",
            )
    except IntegrityError as error:
        raise ValidationError(
            f"{source.reference} is already {label} {target.reference}."
        ) from error
    return link


@dataclass
class LinkedRecord:
    record: LogRecord
    relation: str
    outgoing: bool  # True: this record → other; False: other → this record

    @property
    def description(self) -> str:
        if self.relation == LinkRelation.CAUSED_BY:
            return "Caused by" if self.outgoing else "Led to"
        return "Related to"


def linked_records(record: LogRecord, user) -> list[LinkedRecord]:
    """Every record linked to `record` in either direction that `user` may reach."""
    own_type = ContentType.objects.get_for_model(record)
    links = list(
        RecordLink.objects.filter(
            Q(source_type=own_type, source_id=record.pk)
            | Q(target_type=own_type, target_id=record.pk)
        ).order_by("created_at")
    )
    wanted: dict[int, set[int]] = {}
    for link in links:
        outgoing = link.source_type_id == own_type.pk and link.source_id == record.pk
        type_id, object_id = (
            (link.target_type_id, link.target_id)
            if outgoing
            else (link.source_type_id, link.source_id)
        )
        wanted.setdefault(type_id, set()).add(object_id)
    found = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        for other in model.objects.for_user(user).filter(pk__in=ids):
            found[(type_id, other.pk)] = other
    result = []
    for link in links:
        outgoing = link.source_type_id == own_type.pk and link.source_id == record.pk
        key = (
            (link.target_type_id, link.target_id)
            if outgoing
            else (link.source_type_id, link.source_id)
        )
        if key in found:
            result.append(LinkedRecord(found[key], link.relation, outgoing))
    return result
