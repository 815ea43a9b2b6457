"""The demo data spans six months in every log, so every report shows a trend on first run,
and each record's stamps follow one another as they would have in the portal."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.core.roles import log_models

pytestmark = pytest.mark.django_db

SIX_MONTHS = timedelta(days=183)
MONTH = timedelta(days=30)


def _spans_six_months_with_records_in_each_month(model, now) -> None:
    occurred = sorted(model.objects.values_list("occurred_at", flat=True))
    assert occurred, model
    assert occurred[0] <= now - SIX_MONTHS, model
    assert occurred[-1] <= now
    # A trend: records in each of the last six months, not all at one end.
    for months_ago in range(6):
        end = now - MONTH * months_ago
        assert any(end - MONTH <= moment < end for moment in occurred), (model, months_ago)


def _stamps_follow_what_they_record(model, loaded, now) -> None:
    first_versions = dict(model.history.filter(history_type="+").values_list("id", "history_date"))
    for record in model.objects.all():
        assert record.created_at <= record.updated_at <= now
        if record.resolved_at:
            assert record.occurred_at <= record.resolved_at <= now
            assert record.created_at <= record.resolved_at
        if record.closed_at:
            assert record.resolved_at <= record.closed_at <= now
        if record.resolution_breached_at:
            # The due time it missed, as it stood then (a later move does not move the stamp).
            assert record.occurred_at < record.resolution_breached_at
            assert record.resolution_breached_at < (record.resolved_at or now)
        # The history starts when the record was logged, not when the demo was loaded.
        assert abs(first_versions[record.pk] - record.created_at) < timedelta(seconds=1)
    old = model.objects.filter(created_at__lt=loaded - SIX_MONTHS + MONTH)
    assert old.exists(), model
    versions = model.history.filter(id__in=old.values("pk"))
    assert versions.filter(history_date__lt=loaded - SIX_MONTHS + MONTH).exists(), model


def test_every_log_spans_six_months_and_its_stamps_follow_what_they_record():
    loaded = timezone.now()
    call_command("seed_demo", stdout=StringIO())
    now = timezone.now()
    for model in log_models():
        _spans_six_months_with_records_in_each_month(model, now)
        _stamps_follow_what_they_record(model, loaded, now)
