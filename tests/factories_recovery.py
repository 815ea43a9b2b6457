"""factory-boy factories of recovery cases and their interactions, actions, resolution and
feedback."""

from datetime import timedelta

import factory
from django.utils import timezone

from apps.core.choices import Severity, Status
from apps.core.models import CodeListEntry
from apps.core.services.references import next_reference
from apps.recovery.models import (
    InteractionChannel,
    NatureOfIssue,
    RecoveryAction,
    RecoveryCase,
    RecoveryFeedback,
    RecoveryInteraction,
    RecoveryResolution,
    Satisfied,
)
from apps.recovery.selectors import case_outcome
from tests.factories import ClientFactory, CodeListEntryFactory, UserFactory


class RecoveryActionTypeFactory(CodeListEntryFactory):
    class Meta:
        model = CodeListEntry
        django_get_or_create = ("list_name", "code")

    list_name = CodeListEntry.ListName.RECOVERY_ACTION
    code = "apology"
    label = factory.LazyAttribute(lambda entry: entry.code.replace("-", " ").capitalize())


class RecoveryCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecoveryCase

    reference = factory.LazyFunction(lambda: next_reference(RecoveryCase.reference_prefix))
    client = factory.SubFactory(ClientFactory)
    title = factory.Sequence(lambda n: f"Parcel lost, customer upset #{n}")
    severity = Severity.SEV3
    status = Status.NEW
    nature = NatureOfIssue.DELIVERY_PROBLEM
    customer_name = factory.Faker("name")
    account_reference = factory.Sequence(lambda n: f"AC-{200000 + n}")
    initial_feedback = "Angry: waited a week for nothing."
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))


class ChildFactory(factory.django.DjangoModelFactory):
    """A child row written straight to its table; its case's outcome columns are brought up
    to date as the services would (without a new version: this is test data)."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        child = super()._create(model_class, *args, **kwargs)
        RecoveryCase.objects.filter(pk=child.case_id).update(**case_outcome(child.case))
        return child


class CaseEntryFactory(ChildFactory):
    class Meta:
        abstract = True

    case = factory.SubFactory(RecoveryCaseFactory)
    recorded_by = factory.SubFactory(UserFactory)
    at = factory.LazyAttribute(lambda entry: entry.case.occurred_at + timedelta(hours=1))


class RecoveryInteractionFactory(CaseEntryFactory):
    class Meta:
        model = RecoveryInteraction

    channel = InteractionChannel.PHONE
    summary = factory.Sequence(lambda n: f"Called the customer, attempt {n}.")
    resolution_offered = ""
    customer_satisfied = Satisfied.UNKNOWN


class RecoveryActionFactory(CaseEntryFactory):
    class Meta:
        model = RecoveryAction

    action_type = factory.SubFactory(RecoveryActionTypeFactory)
    department = "Customer care"


class RecoveryResolutionFactory(ChildFactory):
    class Meta:
        model = RecoveryResolution

    case = factory.SubFactory(RecoveryCaseFactory)
    final_resolution = "Replacement delivered and delivery fee refunded."
    recorded_by = factory.SubFactory(UserFactory)
    updated_by = factory.SelfAttribute("recorded_by")


class RecoveryFeedbackFactory(CaseEntryFactory):
    class Meta:
        model = RecoveryFeedback

    satisfaction = 4
    likelihood_to_return = 8
