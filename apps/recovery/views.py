from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from apps.core.exceptions import StaleRecordError
from apps.core.views.listing import BulkActionView, FilteredTableView
from apps.core.views.records import (
    FollowUpFormMixin,
    RecordActionView,
    RecordDetailView,
    RecordFormView,
)

from .exports import EXPORT_COLUMNS, with_export_annotations
from .filters import RecoveryCaseFilterSet
from .forms import ActionForm, FeedbackForm, InteractionForm, RecoveryCaseForm, ResolutionForm
from .models import RecoveryCase
from .selectors import attach_action_counts, case_children, recovery_measures
from .services import (
    FEEDBACK_STATUSES,
    WORKING_STATUSES,
    feedback_add,
    interaction_add,
    recovery_action_add,
    recovery_case_create,
    recovery_case_update,
    resolution_save,
)
from .tables import RecoveryCaseTable


class RecoveryCaseListView(FilteredTableView):
    model = RecoveryCase
    filterset_class = RecoveryCaseFilterSet
    table_class = RecoveryCaseTable
    export_columns = EXPORT_COLUMNS
    extra_measures = recovery_measures()
    template_name = "recovery/list.html"

    def page_context(self, queryset) -> dict:
        context = super().page_context(queryset)
        attach_action_counts(context["page"].rows)
        return context

    def with_export_annotations(self, queryset):
        return with_export_annotations(queryset)


class RecoveryCaseBulkView(BulkActionView):
    model = RecoveryCase


class RecoveryCaseDetailView(RecordDetailView):
    model = RecoveryCase
    detail_template = "recovery/detail_fields.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.object
        children = case_children(record)
        can_work = context["can_change"] and record.status in WORKING_STATUSES
        can_take_feedback = context["can_change"] and record.status in FEEDBACK_STATUSES
        context.update(
            children,
            interaction_form=InteractionForm() if can_work else None,
            action_form=ActionForm() if can_work else None,
            resolution_form=ResolutionForm(record=record) if can_work else None,
            feedback_form=FeedbackForm() if can_take_feedback else None,
        )
        return context


class RecoveryCaseFormView(FollowUpFormMixin, RecordFormView):
    model = RecoveryCase
    form_class = RecoveryCaseForm
    template_name = "recovery/form.html"

    cannot_follow = "No recovery case can start from {reference}."

    def new_record_initial(self, initial: dict) -> dict:
        origin = self.origin_record()
        if origin is not None:
            initial.update(
                client=origin.client,
                title=origin.title,
                severity=origin.severity,
                occurred_at=origin.occurred_at,
                origin_reference=origin.reference,
                **self.customer_of(origin),
            )
        return initial

    def customer_of(self, origin) -> dict:
        """The customer the origin names, as far as this user may see it (a call's caller
        is personal data: the call decides)."""
        if hasattr(origin, "follow_up_initial"):
            return origin.follow_up_initial(self.request.user)
        names = ("customer_name", "account_reference")
        return {name: getattr(origin, name) for name in names if getattr(origin, name, "")}

    def create(self, form):
        return recovery_case_create(
            actor=self.request.user, values=form.changes(), origin=form.origin
        )

    def update(self, form):
        return recovery_case_update(
            self.record,
            actor=self.request.user,
            changes=form.changes(),
            expected_version=form.cleaned_data["version"] or 0,
        )


class CaseEntryView(RecordActionView):
    """Add a child row from the case's page, then back to it; errors come back as messages
    that name the field they are about."""

    form_class = None

    def build_form(self, data, record):
        return self.form_class(data)

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        form = self.build_form(request.POST, record)
        if form.is_valid():
            try:
                self.perform(record, form.cleaned_data)
            except StaleRecordError as error:
                messages.error(request, str(error))
            except ValidationError as error:
                self.report(
                    form,
                    error.message_dict if hasattr(error, "error_dict") else {None: error.messages},
                )
        else:
            self.report(form, form.errors)
        return HttpResponseRedirect(record.get_absolute_url())

    def report(self, form, errors: dict) -> None:
        for name, texts in errors.items():
            field = form.fields.get(name) if name else None
            for text in texts:
                messages.error(self.request, f"{field.label}: {text}" if field else text)

    def perform(self, record, data) -> None:
        raise NotImplementedError


class AddInteractionView(CaseEntryView):
    form_class = InteractionForm

    def perform(self, record, data) -> None:
        interaction_add(record, actor=self.request.user, values=data)
        messages.success(self.request, "Interaction logged.")


class AddActionView(CaseEntryView):
    form_class = ActionForm

    def perform(self, record, data) -> None:
        recovery_action_add(record, actor=self.request.user, values=data)
        messages.success(self.request, "Recovery action recorded.")


class SaveResolutionView(CaseEntryView):
    form_class = ResolutionForm

    def build_form(self, data, record):
        return ResolutionForm(data, record=record)

    def perform(self, record, data) -> None:
        version = data.pop("version")
        resolution_save(record, actor=self.request.user, values=data, expected_version=version)
        messages.success(self.request, "Resolution saved.")


class AddFeedbackView(CaseEntryView):
    form_class = FeedbackForm

    def perform(self, record, data) -> None:
        feedback_add(record, actor=self.request.user, values=data)
        messages.success(self.request, "Feedback recorded.")
