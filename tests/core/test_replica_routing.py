"""With a read replica configured, exports read from it; writes, and every other read, stay on
the primary. The test settings declare `replica` as a mirror of the test database."""

import csv
import io

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.test.utils import CaptureQueriesContext

from apps.interruptions.models import Interruption
from config.routers import REPLICA, on_replica, replica_reads
from tests.factories import InterruptionFactory
from tests.factories_calls import CallFactory

WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "ALTER", "CREATE", "DROP")


@pytest.fixture
def with_replica(settings):
    settings.READ_REPLICA = REPLICA


def _statements(context: CaptureQueriesContext) -> list[str]:
    return [query["sql"].lstrip().upper() for query in context.captured_queries]


def _export(client, url: str) -> tuple[list[list[str]], list[str], list[str]]:
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get(url)
        assert response.status_code == 200
        text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text))), _statements(primary), _statements(replica)


def test_reads_stay_on_the_primary_without_a_replica():
    with replica_reads():
        assert router.db_for_read(Interruption) == DEFAULT_DB_ALIAS
    assert on_replica(Interruption.objects.all()).db == DEFAULT_DB_ALIAS


def test_only_reads_in_a_replica_block_go_to_the_replica(with_replica):
    assert router.db_for_read(Interruption) == DEFAULT_DB_ALIAS
    with replica_reads():
        assert router.db_for_read(Interruption) == REPLICA
        assert router.db_for_write(Interruption) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Interruption) == DEFAULT_DB_ALIAS
    # Bound when asked for: it stays on the replica when evaluated after the block.
    assert on_replica(Interruption.objects.all()).db == REPLICA
    assert not router.allow_migrate(REPLICA, "interruptions")
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "interruptions")


@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
@pytest.mark.parametrize(
    ("url", "factory"),
    [("/interruptions/?_export=csv", InterruptionFactory), ("/calls/?_export=csv", CallFactory)],
)
def test_an_export_reads_its_rows_from_the_replica(world, client, with_replica, url, factory):
    factory.create_batch(3, client=world.client_a)
    factory(client=world.client_b)
    client.force_login(world.auditor)

    rows, on_primary, on_replica_ = _export(client, url)

    assert len(rows) == 4
    table = factory._meta.model._meta.db_table.upper()
    assert any(table in sql for sql in on_replica_)
    assert not any(sql.startswith("COPY") or table in sql for sql in on_primary)
    assert not any(sql.startswith(WRITES) for sql in on_replica_)


@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
def test_writes_in_a_replica_block_go_to_the_primary(world, with_replica):
    interruption = InterruptionFactory(client=world.client_a, title="Before")
    with (
        CaptureQueriesContext(connections[REPLICA]) as replica,
        replica_reads(),
    ):
        read = Interruption.objects.get(pk=interruption.pk)
        Interruption.objects.filter(pk=interruption.pk).update(title="After")

    assert read._state.db == REPLICA
    assert all(sql.startswith("SELECT") for sql in _statements(replica))
    assert Interruption.objects.using(DEFAULT_DB_ALIAS).get(pk=interruption.pk).title == "After"


@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
def test_exports_read_from_the_primary_without_a_replica(world, client):
    InterruptionFactory.create_batch(2, client=world.client_a)
    client.force_login(world.auditor)

    rows, on_primary, on_replica_ = _export(client, "/interruptions/?_export=csv")

    assert len(rows) == 3
    assert any("INTERRUPTIONS_INTERRUPTION" in sql for sql in on_primary)
    assert on_replica_ == []
