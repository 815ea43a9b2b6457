"""Who may do what on a record's page, for each of the five logs: workers act, auditors read,
people of another client find nothing."""

import html
import re

import pytest
from django.contrib.contenttypes.models import ContentType

from apps.core.choices import Status
from apps.core.followups import follow_up_for
from apps.core.models import TimelineEntry
from tests.log_kinds import KINDS, LOG_FACTORIES

pytestmark = pytest.mark.django_db

ACTIONS = ("note", "status", "assign", "link")
# CSRF tokens are masked afresh for every response.
TOKENS = re.compile(rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+"')


@pytest.fixture(params=KINDS)
def record(request, world):
    return LOG_FACTORIES[request.param](client=world.client_a, title="Acme only: CRM unreachable")


def _base(record) -> str:
    return f"/{record._meta.app_label}/{record.reference}/"


def _page(client, record) -> str:
    response = client.get(_base(record))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _timeline(record):
    return TimelineEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    )


def _unchanged(record) -> None:
    before = (record.title, record.status, record.assignee_id, record.version)
    record.refresh_from_db()
    assert (record.title, record.status, record.assignee_id, record.version) == before
    assert record.status == Status.NEW
    assert not _timeline(record).exists()


@pytest.mark.parametrize("role", ["agent", "lead"])
def test_workers_see_the_record_with_its_action_forms(world, client, record, role):
    client.force_login(getattr(world, role))

    content = _page(client, record)

    base = _base(record)
    assert "Acme only: CRM unreachable" in content
    assert f'href="{base}edit/"' in content
    for action in ACTIONS:
        assert f'action="{base}{action}/"' in content, action


def test_auditor_reads_the_record_without_any_action_form(world, client, record):
    client.force_login(world.auditor)

    content = _page(client, record)

    base = _base(record)
    assert "Acme only: CRM unreachable" in content
    assert "Change history" in content
    assert f'href="{base}edit/"' not in content
    for action in ACTIONS:
        assert f'action="{base}{action}/"' not in content, action


def test_auditor_posts_to_actions_are_forbidden_and_change_nothing(world, client, record):
    client.force_login(world.auditor)
    base = _base(record)

    responses = [
        client.post(f"{base}note/", {"text": "Auditor note"}),
        client.post(f"{base}status/", {"status": "in_progress", "version": 1}),
        client.post(f"{base}assign/", {"assignee": world.lead.pk, "version": 1}),
        client.post(f"{base}link/", {"relation": "related_to", "reference": record.reference}),
        client.post(f"{base}edit/", {"title": "Audited away", "version": 1}),
    ]

    assert [response.status_code for response in responses] == [403] * 5
    _unchanged(record)


def test_outsider_gets_404_for_every_url_of_another_clients_record(world, client, record):
    client.force_login(world.agent_b)
    base = _base(record)

    for url in (base, f"{base}edit/"):
        assert client.get(url).status_code == 404, url
    posts = [
        (f"{base}edit/", {"title": "Hijacked", "version": 1}),
        (f"{base}note/", {"text": "Outsider note"}),
        (f"{base}status/", {"status": "in_progress", "version": 1}),
        (f"{base}assign/", {"assignee": world.agent_b.pk, "version": 1}),
        (f"{base}link/", {"relation": "related_to", "reference": record.reference}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    _unchanged(record)


@pytest.mark.parametrize("role", ["agent_b", "auditor"])
def test_another_clients_record_looks_like_an_unknown_reference(world, client, record, role):
    if role == "auditor":  # the auditor works for client A: put the record at client B
        record = LOG_FACTORIES[record._meta.app_label](client=world.client_b, title="Globex")
    client.force_login(getattr(world, role))
    prefix = type(record).reference_prefix

    foreign = client.get(_base(record))
    unknown = client.get(f"/{record._meta.app_label}/{prefix}-1999-000001/")

    assert foreign.status_code == unknown.status_code == 404
    assert TOKENS.sub(rb"\1", foreign.content) == TOKENS.sub(rb"\1", unknown.content)


def _starts_from(kind: str):
    """The app labels of the records a form of `kind` may be opened from (?origin=)."""
    follow_up = follow_up_for(LOG_FACTORIES[kind]._meta.model)
    if follow_up is None:
        return []
    return [other for other in KINDS if follow_up.accepts(LOG_FACTORIES[other]._meta.model())]


@pytest.mark.parametrize(
    ("kind", "origin_kind"),
    [(kind, origin) for kind in KINDS for origin in _starts_from(kind)],
)
def test_a_form_opened_from_another_clients_record_is_404_also_for_auditors(
    world, client, kind, origin_kind
):
    """Auditors may not start records (403), but whether the origin exists is not told."""
    own = LOG_FACTORIES[origin_kind](client=world.client_a)
    foreign = LOG_FACTORIES[origin_kind](client=world.client_b)
    client.force_login(world.auditor)

    assert client.get(f"/{kind}/new/?origin={foreign.reference}").status_code == 404
    assert client.post(f"/{kind}/new/?origin={foreign.reference}").status_code == 404
    assert client.get(f"/{kind}/new/?origin={own.reference}").status_code == 403
