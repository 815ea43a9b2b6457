"""Views of one record, shared by every log: detail, create, edit, note, status, assign."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import DetailView, FormView

from ..chain import open_records_caused_by, record_chain
from ..choices import Severity, Status
from ..exceptions import StaleRecordError
from ..followups import follow_up_for, follow_ups_for
from ..forms import AssignForm, LinkForm, NoteForm, StatusChangeForm
from ..history import record_history
from ..lookup import find_record
from ..roles import log_models
from ..services.links import linked_records, record_link
from ..services.records import record_assign, record_change_status
from ..services.timeline import timeline_add_note, timeline_for
from ..workflow import allowed_targets
from .listing import model_permission


class ScopedRecordMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Finds the record by reference among those the user may reach; anything else is 404."""

    model = None
    permission_action = "view"
    raise_exception = False

    def get_permission_required(self):
        return (model_permission(self.model, self.permission_action),)

    def handle_no_permission(self):
        if not self.request.user.is_authenticated:
            return super().handle_no_permission()
        # The record must not be found before permissions are judged: 404 first, then 403.
        self.get_record()
        return super().handle_no_permission()

    def get_record(self):
        if not hasattr(self, "_record"):
            self._record = get_object_or_404(
                self.model.objects.for_user(self.request.user).select_related(
                    "client", "assignee", "team", "reported_by"
                ),
                reference=self.kwargs["reference"],
            )
        return self._record


class RecordDetailView(ScopedRecordMixin, DetailView):
    template_name = "core/detail.html"
    context_object_name = "record"
    detail_template = None  # the kind's own fields, included by core/detail.html

    def get_object(self, queryset=None):
        return self.get_record()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.object
        user = self.request.user
        can_change = user.has_perm(model_permission(self.model, "change"))
        chain = record_chain(record, user)
        closes_later = record.status not in (Status.CLOSED, Status.CANCELLED)
        context.update(
            app=self.model._meta.app_label,
            detail_template=self.detail_template,
            timeline=timeline_for(record),
            history=record_history(record),
            can_change=can_change,
            note_form=NoteForm() if can_change else None,
            status_form=(
                StatusChangeForm(record=record, user=user)
                if can_change and allowed_targets(record.status)
                else None
            ),
            assign_form=AssignForm(record=record) if can_change else None,
            link_form=LinkForm() if can_change else None,
            links=linked_records(record, user),
            chain=chain,
            led_to=[
                (model._meta, chain.led_to.get(model, 0))
                for model in log_models()
                if model is not type(record)
            ],
            open_follow_ups=open_records_caused_by(record) if closes_later else [],
            closing_problems=record.closing_problems() if closes_later else {},
            follow_ups=follow_ups_for(record, user),
        )
        return context


class RecordActionView(ScopedRecordMixin, View):
    """A POST that changes the record, then back to its page with a message."""

    permission_action = "change"
    http_method_names = ["post"]
    form_class = None

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        form = self.build_form(request.POST, record)
        if form.is_valid():
            try:
                self.perform(record, form.cleaned_data)
            except StaleRecordError as error:
                messages.error(request, str(error))
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
        else:
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
        return HttpResponseRedirect(record.get_absolute_url())

    def build_form(self, data, record):
        return self.form_class(data, record=record)

    def perform(self, record, data) -> None:
        raise NotImplementedError


class AddNoteView(RecordActionView):
    def build_form(self, data, record):
        return NoteForm(data)

    def perform(self, record, data) -> None:
        timeline_add_note(record, text=data["text"], actor=self.request.user)
        messages.success(self.request, "Note added.")


class ChangeStatusView(RecordActionView):
    form_class = StatusChangeForm

    def build_form(self, data, record):
        return StatusChangeForm(data, record=record, user=self.request.user)

    def perform(self, record, data) -> None:
        if data["status"] == record.status:
            messages.info(self.request, f"{record.reference} stays {record.get_status_display()}.")
            return
        updated = record_change_status(
            record,
            target=data["status"],
            actor=self.request.user,
            reason=data["reason"],
            expected_version=data["version"],
            override_open_follow_ups=data.get("override_open_follow_ups", False),
        )
        messages.success(
            self.request, f"{updated.reference} is now {updated.get_status_display()}."
        )


class AssignView(RecordActionView):
    form_class = AssignForm

    def perform(self, record, data) -> None:
        updated = record_assign(
            record,
            actor=self.request.user,
            assignee=data["assignee"],
            team=data["team"],
            expected_version=data["version"],
        )
        if updated.version == record.version:
            messages.info(self.request, "The assignment is as it was: nothing changed.")
        else:
            messages.success(self.request, "Assignment saved.")


class LinkView(RecordActionView):
    def build_form(self, data, record):
        return LinkForm(data)

    def perform(self, record, data) -> None:
        try:
            other = find_record(self.request.user, data["reference"])
        except Http404 as error:
            raise ValidationError(f"{error} Nothing was linked.") from None
        record_link(record, other, relation=data["relation"], actor=self.request.user)
        messages.success(self.request, f"Linked to {other.reference}.")


class RecordFormView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    """Create (no reference in the URL) or edit a record through its kind's service."""

    model = None
    form_class = None
    template_name = "core/form.html"
    raise_exception = False
    default_severity = Severity.SEV3

    def get_permission_required(self):
        action = "change" if "reference" in self.kwargs else "add"
        return (model_permission(self.model, action),)

    def dispatch(self, request, *args, **kwargs):
        self.record = None
        if "reference" in kwargs and request.user.is_authenticated:
            self.record = get_object_or_404(
                self.model.objects.for_user(request.user), reference=kwargs["reference"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        if self.record is not None:
            kwargs["instance"] = self.record
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        if self.record is not None:
            return initial  # an edit shows what is stored, defaults are for new records
        initial.setdefault("severity", self.default_severity)
        return self.new_record_initial(initial)

    def new_record_initial(self, initial: dict) -> dict:
        """The values a new record's form starts with (the kind's defaults, the origin's…)."""
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(record=self.record, model_meta=self.model._meta)
        return context

    def form_valid(self, form):
        try:
            if self.record is None:
                record = self.create(form)
                messages.success(self.request, f"{record.reference} logged.")
            else:
                record = self.update(form)
                messages.success(self.request, f"{record.reference} saved.")
        except StaleRecordError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
            return self.form_invalid(form)
        return HttpResponseRedirect(record.get_absolute_url())

    def create(self, form):
        raise NotImplementedError

    def update(self, form):
        raise NotImplementedError


class FollowUpFormMixin:
    """A create form opened from another record (`?origin=<reference>`), e.g. "Escalate" on a
    call: the origin must be one this user may reach and this kind may follow, else 404,
    before anything is drawn or saved. Edit forms have no origin."""

    cannot_follow = "{reference} cannot be followed up here."

    def dispatch(self, request, *args, **kwargs):
        self.origin = None
        return super().dispatch(request, *args, **kwargs)

    def handle_no_permission(self):
        # An origin the user may not reach is 404 before any 403, as a record's page is.
        if self.request.user.is_authenticated:
            self.origin_record()
        return super().handle_no_permission()

    def origin_record(self):
        reference = self.request.GET.get("origin", "").strip()
        if not reference or self.record is not None:
            return None
        if self.origin is None:
            found = find_record(self.request.user, reference)
            follow_up = follow_up_for(self.model)
            if follow_up is None or not follow_up.accepts(found):
                raise Http404(self.cannot_follow.format(reference=found.reference))
            self.origin = found
        return self.origin

    def get_initial(self):
        """A follow-up starts with its origin's client, title and severity."""
        initial = super().get_initial()
        origin = self.origin_record()
        if origin is not None:
            initial.update(client=origin.client, title=origin.title, severity=origin.severity)
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["origin"] = self.origin_record()
        return context

    def get(self, request, *args, **kwargs):
        self.origin_record()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.origin_record()
        return super().post(request, *args, **kwargs)
