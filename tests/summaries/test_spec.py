"""The specs name the tables they summarise; a rebuild restores what a bypass lost."""

import pytest
from django.apps import apps
from django.core.management import call_command

from apps.core.models import SummaryRow
from apps.core.summaries.kinds import SPECS
from apps.interruptions.models import Interruption
from tests.factories import InterruptionFactory

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
