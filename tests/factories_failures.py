"""factory-boy factories of failure reports and their corrective actions."""

from datetime import timedelta

import factory
from django.utils import timezone

from apps.core.choices import Severity, Status
from apps.core.services.references import next_reference
from apps.failures.models import CorrectiveAction, FailureCategory, FailureReport
from tests.factories import ClientFactory


class FailureReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FailureReport

    reference = factory.LazyFunction(lambda: next_reference(FailureReport.reference_prefix))
    client = factory.SubFactory(ClientFactory)
    title = factory.Sequence(lambda n: f"Refund promised but not processed #{n}")
    category = FailureCategory.TECHNICAL
    severity = Severity.SEV3
    status = Status.NEW
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=3))


class CorrectiveActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CorrectiveAction

    report = factory.SubFactory(FailureReportFactory)
    action = factory.Sequence(lambda n: f"Retrain the refunds desk, session {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))
