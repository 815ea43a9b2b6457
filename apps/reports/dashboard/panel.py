"""A panel of the home page: a template and what it shows."""

from dataclasses import dataclass, field

from django.urls import reverse

from apps.core.choices import Status
from apps.core.roles import log_models


@dataclass(frozen=True)
class Panel:
    key: str  # unique on the page: the panel's anchor
    title: str
    template: str
    data: object = None
    note: str = ""
    definitions: tuple[str, ...] = ()  # how each figure is counted, stated under the panel
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)


OPEN = tuple(Status.open_values())
DONE = (Status.RESOLVED, Status.CLOSED)


def readable_logs(user) -> list:
    """The log models `user` may list, in the navigation's order."""
    return [
        model
        for model in log_models()
        if user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    ]


def list_address(model) -> str:
    return reverse(f"{model._meta.app_label}:list")


def log_label(model) -> str:
    return str(model._meta.verbose_name_plural).capitalize()
