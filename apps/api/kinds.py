"""The five logs as the API serves them: each named by its list and form views, so that the
API filters, sorts, validates and saves exactly as the pages do."""

from dataclasses import dataclass
from functools import cached_property

from django.db import models

from apps.calls.masking import MASKED_FIELDS, mask_for
from apps.calls.views.calls import CallFormView, CallListView, mask_history
from apps.escalations.views import EscalationFormView, EscalationListView
from apps.failures.forms import CorrectiveActionFormSet
from apps.failures.models import CorrectiveAction, FailureReport
from apps.failures.views import FailureReportFormView, FailureReportListView
from apps.interruptions.views import InterruptionFormView, InterruptionListView
from apps.recovery.views import RecoveryCaseFormView, RecoveryCaseListView

from .schemas import input_schema, output_schema

HIDDEN_OUTPUT = {"id", "matrix_steps"}


def _unmasked(user, name: str, value):
    return value


def _history_as_is(entries, user) -> None:
    return None


def _call_mask(user, name: str, value):
    return mask_for(user, name, value) if name in MASKED_FIELDS else value


@dataclass(frozen=True)
class ApiKind:
    segment: str  # the path: /api/<segment>/
    list_view: type
    form_view: type
    mask: object = _unmasked  # (user, field name, value) -> value as the pages show it
    mask_history: object = _history_as_is  # (history entries, user), masked in place
    prepare_view: object = None  # (form view) -> None: what a form view needs beyond a page's

    @property
    def model(self) -> type[models.Model]:
        return self.list_view.model

    @property
    def tag(self) -> str:
        return str(self.model._meta.verbose_name_plural).capitalize()

    @cached_property
    def output_fields(self) -> list[str]:
        return [
            model_field.name
            for model_field in self.model._meta.get_fields()
            if (model_field.concrete or model_field.many_to_many)
            and model_field.name not in HIDDEN_OUTPUT
        ]

    @cached_property
    def foreign_keys(self) -> list[str]:
        return [name for name in self.output_fields if self.model._meta.get_field(name).many_to_one]

    @cached_property
    def many_to_many(self) -> list[str]:
        return [
            name for name in self.output_fields if self.model._meta.get_field(name).many_to_many
        ]

    @cached_property
    def output_schema(self):
        name = self.model.__name__
        return output_schema(
            f"{name}Out",
            self.model,
            self.output_fields,
            {"log": (str, ...), "url": (str, ...), "web_url": (str, ...)},
        )

    @cached_property
    def create_schema(self):
        return input_schema(
            f"{self.model.__name__}Create", self.list_form_class, with_version=False
        )

    @cached_property
    def update_schema(self):
        return input_schema(f"{self.model.__name__}Update", self.list_form_class, with_version=True)

    @property
    def list_form_class(self):
        return self.form_view.form_class


def _no_action_rows(view) -> None:
    """Corrective actions are rows of the report's page, not fields of the API's payload."""
    view._formset = CorrectiveActionFormSet(
        {"actions-TOTAL_FORMS": "0", "actions-INITIAL_FORMS": "0"},
        instance=view.record or FailureReport(),
        prefix="actions",
        user=view.request.user,
        queryset=CorrectiveAction.objects.none(),
    )


KINDS = (
    ApiKind("interruptions", InterruptionListView, InterruptionFormView),
    ApiKind("escalations", EscalationListView, EscalationFormView),
    ApiKind("failures", FailureReportListView, FailureReportFormView, prepare_view=_no_action_rows),
    ApiKind("calls", CallListView, CallFormView, mask=_call_mask, mask_history=mask_history),
    ApiKind("recovery", RecoveryCaseListView, RecoveryCaseFormView),
)
SEGMENTS = {kind.model: kind.segment for kind in KINDS}
