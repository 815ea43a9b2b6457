"""The root-cause filter every log list offers.

Interruptions, failure reports and escalations carry a root-cause category of their own.
Calls and recovery cases do not: they are matched by the category of the records they were
"caused by" (their direct causes, one link up), which is where their root cause is recorded.
"""

import django_filters as filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from ..choices import LinkRelation, RootCause
from ..models import RecordLink, RootCauseFields
from ..roles import log_models

# Records whose root cause has not been recorded (an empty category).
NOT_RECORDED = "none"
ROOT_CAUSE_CHOICES = [*RootCause.choices, (NOT_RECORDED, "Not recorded")]

OWN_HELP = "The root-cause category recorded on the record itself."
LINKED_HELP = (
    "The root-cause category of the interruptions, failure reports or escalations this "
    "record was caused by (its “caused by” links); records caused by none of them match "
    "no category."
)


def cause_models() -> list:
    """The log models that record a root cause of their own."""
    return [model for model in log_models() if issubclass(model, RootCauseFields)]


def category_values(values) -> list[str]:
    """The stored category values the chosen filter values stand for ('none' is '')."""
    return sorted({"" if value == NOT_RECORDED else value for value in values})


def own_root_cause(values) -> Q:
    """Records whose own category is one of `values`."""
    return Q(root_cause_category__in=category_values(values))


def caused_by_root_cause(model, values) -> Exists:
    """Records of `model` caused by a record whose category is one of `values`."""
    targets = Q()
    for cause_model in cause_models():
        targets |= Q(
            target_type=ContentType.objects.get_for_model(cause_model),
            target_id__in=cause_model.objects.filter(own_root_cause(values)).values("pk"),
        )
    return Exists(
        RecordLink.objects.filter(
            targets,
            relation=LinkRelation.CAUSED_BY,
            source_type=ContentType.objects.get_for_model(model),
            source_id=OuterRef("pk"),
        )
    )


class RootCauseFilter(filters.MultipleChoiceFilter):
    """`root_cause=…` (repeatable): by the record's own category, or with `through_links`
    by the categories of the records that caused it."""

    def __init__(self, *args, through_links: bool = False, **kwargs):
        self.through_links = through_links
        kwargs.setdefault("choices", ROOT_CAUSE_CHOICES)
        kwargs.setdefault("label", "Root cause")
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs.setdefault("help_text", LINKED_HELP if through_links else OWN_HELP)
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        if self.through_links:
            return qs.filter(caused_by_root_cause(qs.model, value))
        return qs.filter(own_root_cause(value))
