"""The log lists a user can open, for the navigation bar and the home page."""

from django.db.models import Count, Q
from django.urls import reverse

from .choices import Severity, Status
from .roles import log_models

OPEN = "&".join(f"status={value}" for value in Status.open_values())
SEVERE = "&".join(f"severity={value}" for value in sorted(Severity.alerting()))
# What a lead looks at first: label, filter of the list, condition counted.
QUEUE_VIEWS = (
    ("open", OPEN, Q()),
    ("SEV1/SEV2 open", f"{OPEN}&{SEVERE}", Q(severity__in=Severity.alerting())),
    ("unassigned", f"{OPEN}&assignment=nobody", Q(assignee__isnull=True)),
    ("assigned to me", f"{OPEN}&assignment=me", None),
)


def queue_counts(model, user) -> list[dict]:
    """The home page's counters for one log, in one query over the user's clients."""
    conditions = {
        f"count_{index}": Q(assignee=user) if condition is None else condition
        for index, (_, _, condition) in enumerate(QUEUE_VIEWS)
    }
    totals = (
        model.objects.for_user(user)
        .filter(status__in=Status.open_values())
        .aggregate(
            **{name: Count("pk", filter=condition) for name, condition in conditions.items()}
        )
    )
    url = reverse(f"{model._meta.app_label}:list")
    return [
        {"label": label, "count": totals[f"count_{index}"], "url": f"{url}?{query}"}
        for index, (label, query, _) in enumerate(QUEUE_VIEWS)
    ]


def log_sections(user, *, counts: bool = False) -> list[dict]:
    sections = []
    if not user.is_authenticated:
        return sections
    for model in log_models():
        meta = model._meta
        if not user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
            continue
        section = {
            "label": str(meta.verbose_name_plural).capitalize(),
            "url": reverse(f"{meta.app_label}:list"),
            "app_label": meta.app_label,
        }
        if counts:
            section["counts"] = queue_counts(model, user)
            section["new_url"] = (
                reverse(f"{meta.app_label}:create")
                if user.has_perm(f"{meta.app_label}.add_{meta.model_name}")
                else None
            )
        sections.append(section)
    return sections
