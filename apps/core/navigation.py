"""The log lists a user can open, for the navigation bar and the home page."""

from django.db.models import Q
from django.urls import reverse

from .capped_counts import capped_counts, shown
from .choices import Severity, Status
from .roles import log_models
from .summaries.home import open_counts

OPEN = "&".join(f"status={value}" for value in Status.open_values())
SEVERE = "&".join(f"severity={value}" for value in sorted(Severity.alerting()))
# What a lead looks at first: label, filter of the list. The first two are read from the
# summaries; who a record is assigned to is not kept there, so the last two count open records
# live, each up to a cap ("1,000+", the list counting them all).
QUEUE_VIEWS = (
    ("open", OPEN),
    ("SEV1/SEV2 open", f"{OPEN}&{SEVERE}"),
    ("unassigned", f"{OPEN}&assignment=nobody"),
    ("assigned to me", f"{OPEN}&assignment=me"),
)


def assignment_counts(models, user) -> dict[str, tuple[int, int]]:
    """label_lower → (unassigned, assigned to `user`) of the open records, every log in one
    query, each counted up to `CAP` + 1."""
    is_open = Q(status__in=Status.open_values())
    counts = capped_counts(
        models,
        user,
        {"unassigned": is_open & Q(assignee__isnull=True), "mine": is_open & Q(assignee=user)},
    )
    return {label: (found["unassigned"], found["mine"]) for label, found in counts.items()}


def queue_counts(model, opened: tuple[int, int], assigned: tuple[int, int]) -> list[dict]:
    """The home page's counters for one log, each a link to the list it counts: the first two
    exact (from the summaries), the assignments capped."""
    url = reverse(f"{model._meta.app_label}:list")
    figures = [(count, f"{count:,}") for count in opened]
    figures += [(count, shown(count)) for count in assigned]
    return [
        {"label": label, "count": count, "shown": text, "url": f"{url}?{query}"}
        for (label, query), (count, text) in zip(QUEUE_VIEWS, figures, strict=True)
    ]


def log_sections(user, *, counts: bool = False) -> list[dict]:
    sections = []
    if not user.is_authenticated:
        return sections
    models = [
        model
        for model in log_models()
        if user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    ]
    summarised = open_counts(models, user) if counts else {}
    assigned = assignment_counts(models, user) if counts else {}
    for model in models:
        meta = model._meta
        section = {
            "label": str(meta.verbose_name_plural).capitalize(),
            "url": reverse(f"{meta.app_label}:list"),
            "app_label": meta.app_label,
        }
        if counts:
            label = meta.label_lower
            section["counts"] = queue_counts(
                model, summarised.get(label, (0, 0)), assigned.get(label, (0, 0))
            )
            section["new_url"] = (
                reverse(f"{meta.app_label}:create")
                if user.has_perm(f"{meta.app_label}.add_{meta.model_name}")
                else None
            )
        sections.append(section)
    return sections
