"""The demo failure reports: every category for each demo client, consistent, loaded once."""

import random

import pytest
from django.utils import timezone

from apps.core.choices import Status
from apps.core.demo import seed_organisation
from apps.failures.demo import SCENARIOS, seed_demo_failures
from apps.failures.demo_volume import generate_failure_volume
from apps.failures.models import CorrectiveAction, FailureCategory, FailureReport

pytestmark = pytest.mark.django_db


def test_demo_reports_cover_every_category_and_belong_to_their_client():
    organisation = seed_organisation()

    created = seed_demo_failures(organisation, rng=random.Random(1), now=timezone.now())

    assert created == len(SCENARIOS) * len(organisation.clients) == FailureReport.objects.count()
    for demo in organisation.clients:
        reports = FailureReport.objects.filter(client=demo.client)
        assert set(reports.values_list("category", flat=True)) == set(FailureCategory.values)
        for report in reports.select_related("service", "team"):
            assert report.service is None or report.service.client_id == demo.client.pk
            assert report.team.clients.filter(pk=demo.client.pk).exists()
            assert report.corrective_actions.exists()
            if report.status == Status.CLOSED:
                assert report.closing_problems() == {}
    assert FailureReport.objects.filter(status=Status.CLOSED).exists()
    assert FailureReport.objects.filter(status=Status.NEW).exists()
    assert CorrectiveAction.objects.filter(done_at__isnull=False).exists()


def test_demo_is_loaded_once():
    organisation = seed_organisation()
    seed_demo_failures(organisation, rng=random.Random(1), now=timezone.now())
    before = FailureReport.objects.count(), CorrectiveAction.objects.count()

    again = seed_demo_failures(organisation, rng=random.Random(2), now=timezone.now())

    assert again == 0
    assert (FailureReport.objects.count(), CorrectiveAction.objects.count()) == before


def test_volume_adds_valid_reports_with_history_on_every_call():
    organisation = seed_organisation()

    first = generate_failure_volume(
        organisation, count=120, rng=random.Random(3), now=timezone.now(), batch_size=50
    )
    second = generate_failure_volume(
        organisation, count=30, rng=random.Random(4), now=timezone.now()
    )

    assert (first, second, FailureReport.objects.count()) == (120, 30, 150)
    references = list(FailureReport.objects.values_list("reference", flat=True))
    assert len(set(references)) == 150
    assert FailureReport.history.count() == 150
    assert CorrectiveAction.history.count() == CorrectiveAction.objects.count() > 150
    for report in FailureReport.objects.prefetch_related("corrective_actions"):
        report.full_clean()
        if report.status == Status.CLOSED:
            assert report.closing_problems() == {}
