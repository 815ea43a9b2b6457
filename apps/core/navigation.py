"""The log lists a user can open, for the navigation bar and the home page."""

from django.db.models import Count, Q
from django.urls import reverse

from .choices import Severity, Status
from .roles import log_models
from .summaries.home import open_counts

OPEN = "&".join(f"status={value}" for value in Status.open_values())
SEVERE = "&".join(f"severity={value}" for value in sorted(Severity.alerting()))
# What a lead looks at first: label, filter of the list. The first two are read from the
# summaries; who a record is assigned to is not kept there, so the last two count open records
# live (few: a queue's open records, through the status index).
QUEUE_VIEWS = (
    ("open", OPEN),
    ("SEV1/SEV2 open", f"{OPEN}&{SEVERE}"),
    ("unassigned", f"{OPEN}&assignment=nobody"),
    ("assigned to me", f"{OPEN}&assignment=me"),
)


def queue_counts(model, user, summarised: dict[str, tuple[int, int]]) -> list[dict]:
    """The home page's counters for one log: `summarised` holds its open and severe open."""
    assignment = (
        model.objects.for_user(user)
        .filter(status__in=Status.open_values())
        .aggregate(
            unassigned=Count("pk", filter=Q(assignee__isnull=True)),
            mine=Count("pk", filter=Q(assignee=user)),
        )
    )
    opened, severe = summarised.get(model._meta.label_lower, (0, 0))
    counts = (opened, severe, assignment["unassigned"], assignment["mine"])
    url = reverse(f"{model._meta.app_label}:list")
    return [
        {"label": label, "count": count, "url": f"{url}?{query}"}
        for (label, query), count in zip(QUEUE_VIEWS, counts, strict=True)
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
    for model in models:
        meta = model._meta
        section = {
            "label": str(meta.verbose_name_plural).capitalize(),
            "url": reverse(f"{meta.app_label}:list"),
            "app_label": meta.app_label,
        }
        if counts:
            section["counts"] = queue_counts(model, user, summarised)
            section["new_url"] = (
                reverse(f"{meta.app_label}:create")
                if user.has_perm(f"{meta.app_label}.add_{meta.model_name}")
                else None
            )
        sections.append(section)
    return sections
