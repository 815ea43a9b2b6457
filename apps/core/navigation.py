"""The log lists a user can open, for the navigation bar and the home page."""

from django.urls import reverse

from .choices import Status
from .roles import log_models


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
            scoped = model.objects.for_user(user)
            section["open_count"] = scoped.filter(status__in=Status.open_values()).count()
            section["new_url"] = (
                reverse(f"{meta.app_label}:create")
                if user.has_perm(f"{meta.app_label}.add_{meta.model_name}")
                else None
            )
        sections.append(section)
    return sections
