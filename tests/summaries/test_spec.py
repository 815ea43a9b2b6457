"""The specs name the tables they summarise; a rebuild restores what a bypass lost."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from apps.core.models import SummaryRow
from apps.core.summaries.installed import (
    existing_triggers,
    missing_triggers,
    restore_summary_triggers,
)
from apps.core.summaries.kinds import SPECS
from apps.interruptions.models import Interruption
from tests.factories import InterruptionFactory
from tests.factories_escalations import EscalationFactory

from .figures import assert_figures_match


def test_every_spec_names_its_models_table():
    for spec in SPECS.values():
        model = apps.get_model(spec.model_label)
        assert spec.table == model._meta.db_table
        assert model._meta.get_field(spec.day_column)


@pytest.mark.django_db
def test_a_rebuild_restores_the_summaries_from_the_records(world):
    InterruptionFactory(client=world.client_a, severity="SEV1")
    InterruptionFactory(client=world.client_b, severity="SEV2")
    SummaryRow.objects.all().delete()

    call_command("rebuild_summaries", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert assert_figures_match(Interruption, world.admin)["rows"] == 2
    InterruptionFactory(client=world.client_a)
    assert assert_figures_match(Interruption, world.admin)["rows"] == 3


@pytest.mark.django_db
def test_every_summarised_kind_has_its_triggers_after_the_migrations():
    existing = existing_triggers()
    assert [spec.kind for spec in SPECS.values() if missing_triggers(spec, existing)] == []


@pytest.mark.django_db
def test_a_kind_that_lost_its_triggers_gets_them_back_with_its_rows(world):
    spec = SPECS["escalations.escalation"]
    with connection.cursor() as cursor:
        for statement in spec.drop_sql(connection.vendor):
            cursor.execute(statement)
    EscalationFactory(client=world.client_a)
    assert not SummaryRow.objects.filter(kind=spec.kind).exists()

    assert restore_summary_triggers() == [spec.kind]

    assert SummaryRow.objects.filter(kind=spec.kind).count() == 1
    EscalationFactory(client=world.client_a)
    assert sum(SummaryRow.objects.filter(kind=spec.kind).values_list("n", flat=True)) == 2
    assert restore_summary_triggers() == []
