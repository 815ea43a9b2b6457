"""Follow-up records started from another record's page, e.g. "Escalate" on an interruption.

An app that can be started from other kinds registers itself once (in its AppConfig.ready);
a record page then shows a button for each follow-up the user may add, opening the follow-up's
new-record form with `?origin=<reference>`.
"""

from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse
from django.utils.http import urlencode


@dataclass(frozen=True)
class FollowUp:
    label: str
    target: str  # "app_label.ModelName" of the record created
    origins: frozenset[str]  # "app_label.modelname" (lower case) of the records it starts from

    @property
    def model(self):
        return apps.get_model(self.target)

    def accepts(self, record) -> bool:
        return record._meta.label_lower in self.origins


_FOLLOW_UPS: dict[str, FollowUp] = {}


def register_follow_up(*, label: str, target: str, origins: tuple[str, ...]) -> None:
    """Declare that records of `target` can be started from records of `origins`."""
    _FOLLOW_UPS[target.lower()] = FollowUp(
        label=label, target=target, origins=frozenset(origin.lower() for origin in origins)
    )


def follow_up_for(target_model) -> FollowUp | None:
    return _FOLLOW_UPS.get(target_model._meta.label_lower)


def follow_ups_for(record, user) -> list[dict]:
    """Buttons for `record`'s page: label and URL of each follow-up `user` may add."""
    buttons = []
    for follow_up in _FOLLOW_UPS.values():
        if not follow_up.accepts(record):
            continue
        meta = follow_up.model._meta
        if not user.has_perm(f"{meta.app_label}.add_{meta.model_name}"):
            continue
        url = reverse(f"{meta.app_label}:create") + "?" + urlencode({"origin": record.reference})
        buttons.append({"label": follow_up.label, "url": url})
    return buttons
