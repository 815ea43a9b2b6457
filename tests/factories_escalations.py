"""factory-boy factories of the escalations app."""

from datetime import timedelta

import factory
from django.utils import timezone

from apps.core.choices import Severity, Status, Tier
from apps.core.models import CodeListEntry
from apps.core.services.references import next_reference
from apps.escalations.models import Escalation, EscalationChannel, EscalationOrigin
from tests.factories import ClientFactory, CodeListEntryFactory


class EscalationCategoryFactory(CodeListEntryFactory):
    class Meta:
        model = CodeListEntry
        django_get_or_create = ("list_name", "code")

    list_name = CodeListEntry.ListName.ESCALATION_CATEGORY
    code = "billing-dispute"
    label = "Billing dispute"


class EscalationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Escalation

    reference = factory.LazyFunction(lambda: next_reference(Escalation.reference_prefix))
    client = factory.SubFactory(ClientFactory)
    title = factory.Sequence(lambda n: f"Customer disputes invoice #{n}")
    severity = Severity.SEV3
    status = Status.NEW
    origin = EscalationOrigin.CUSTOMER
    channel = EscalationChannel.VOICE
    category = factory.SubFactory(EscalationCategoryFactory)
    tier = Tier.FRONTLINE
    customer_name = factory.Faker("name")
    account_reference = factory.Sequence(lambda n: f"AC-{100000 + n}")
    reason = "Customer asked for a supervisor after two unresolved contacts."
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))
    first_response_due = factory.LazyAttribute(lambda e: e.occurred_at + timedelta(hours=4))
    resolution_due = factory.LazyAttribute(lambda e: e.occurred_at + timedelta(hours=24))
