"""factory-boy factories of the calls app."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from apps.calls.models import Call, Direction, Outcome, QualityAudit
from apps.core.choices import Severity, Status
from apps.core.models import CodeListEntry
from apps.core.services.references import next_reference
from tests.factories import ClientFactory, CodeListEntryFactory, UserFactory


class QueryCategoryFactory(CodeListEntryFactory):
    class Meta:
        model = CodeListEntry
        django_get_or_create = ("list_name", "code")

    list_name = CodeListEntry.ListName.QUERY_CATEGORY
    code = "billing"
    label = "Billing and payments"


class DispositionFactory(CodeListEntryFactory):
    class Meta:
        model = CodeListEntry
        django_get_or_create = ("list_name", "code")

    list_name = CodeListEntry.ListName.DISPOSITION
    code = "resolved-first-contact"
    label = "Resolved on first contact"


class CallFactory(factory.django.DjangoModelFactory):
    """An answered inbound call, resolved on the call, still open as a log."""

    class Meta:
        model = Call

    reference = factory.LazyFunction(lambda: next_reference(Call.reference_prefix))
    client = factory.SubFactory(ClientFactory)
    title = factory.Sequence(lambda n: f"Customer asks about invoice #{n}")
    severity = Severity.SEV4
    status = Status.NEW
    direction = Direction.INBOUND
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))
    answered_at = factory.LazyAttribute(lambda call: call.occurred_at + timedelta(seconds=30))
    ended_at = factory.LazyAttribute(
        lambda call: (call.answered_at or call.occurred_at) + timedelta(minutes=5)
    )
    wait_seconds = 30
    talk_seconds = 300
    caller_number = factory.Sequence(lambda n: f"+44 20 7946 {n % 10000:04d}")
    customer_name = factory.Faker("name")
    account_reference = factory.Sequence(lambda n: f"AC-{100000 + n}")
    queue = "Billing"
    query_category = factory.SubFactory(QueryCategoryFactory)
    disposition = factory.SubFactory(DispositionFactory)
    outcome = Outcome.RESOLVED
    resolution = "Explained the invoice line by line."
    external_call_id = factory.Sequence(lambda n: f"TEL-{n:07d}")
    resolution_due = factory.LazyAttribute(lambda call: call.occurred_at + timedelta(hours=72))


class QualityAuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QualityAudit

    call = factory.SubFactory(CallFactory)
    client = factory.LazyAttribute(lambda audit: audit.call.client)
    auditor = factory.SubFactory(UserFactory)
    scored_at = factory.LazyFunction(timezone.now)
    greeting = 4
    tone = 4
    accuracy = 5
    compliance = 4
    resolution = 4
    empathy = 4
    pass_mark = 80
    total_percent = factory.LazyAttribute(
        lambda audit: QualityAudit.total_of(
            {name: getattr(audit, name) for name in QualityAudit.SCORE_FIELDS}
        )
    )
    passed = factory.LazyAttribute(lambda audit: audit.total_percent >= Decimal(audit.pass_mark))
