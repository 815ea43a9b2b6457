"""The chain of records (caused by / led to) and the rule that follow-ups close first."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.chain import open_records_caused_by, record_chain
from apps.core.choices import LinkRelation, Status, TimelineKind
from apps.core.exceptions import TransitionError
from apps.core.services.links import record_link
from apps.core.services.records import record_change_status
from apps.core.services.timeline import timeline_for
from apps.escalations.models import Escalation
from apps.failures.models import FailureReport
from tests.factories import InterruptionFactory
from tests.factories_escalations import EscalationFactory
from tests.factories_failures import FailureReportFactory

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def _closable_interruption(world, **values):
    """Resolved, with everything closing needs."""
    return InterruptionFactory(
        client=world.client_a,
        status=Status.RESOLVED,
        resolved_at=timezone.now(),
        ended_at=timezone.now(),
        root_cause_category="technology",
        root_cause_analysis="Certificate expired on the CRM gateway.",
        resolution="Certificate renewed.",
        occurred_at=timezone.now() - 5 * HOUR,
        **values,
    )


def _caused_by(follow_up, origin, world):
    record_link(follow_up, origin, relation=LinkRelation.CAUSED_BY, actor=world.lead)


@pytest.fixture
def outage_chain(world):
    """An outage that led to an escalation (which led to a failure report) and a report."""
    now = timezone.now()
    outage = _closable_interruption(world, title="CRM outage")
    escalation = EscalationFactory(client=world.client_a, occurred_at=now - 4 * HOUR)
    report_of_escalation = FailureReportFactory(client=world.client_a, occurred_at=now - 3 * HOUR)
    report_of_outage = FailureReportFactory(client=world.client_a, occurred_at=now - 2 * HOUR)
    _caused_by(escalation, outage, world)
    _caused_by(report_of_escalation, escalation, world)
    _caused_by(report_of_outage, outage, world)
    unrelated = InterruptionFactory(client=world.client_a, title="Unrelated")
    record_link(outage, unrelated, relation=LinkRelation.RELATED_TO, actor=world.lead)
    return outage, escalation, report_of_escalation, report_of_outage


def _rows(chain) -> list[tuple[str, int, bool]]:
    return [(node.record.reference, node.depth, node.is_current) for node in chain.rows]


def test_chain_seen_from_the_middle_starts_at_the_origin(world, outage_chain):
    outage, escalation, report_of_escalation, report_of_outage = outage_chain
    chain = record_chain(escalation, world.lead)
    assert _rows(chain) == [
        (outage.reference, 0, False),
        (escalation.reference, 1, True),
        (report_of_escalation.reference, 2, False),
        (report_of_outage.reference, 1, False),
    ]
    assert chain.led_to == {FailureReport: 1}


def test_origin_counts_everything_it_led_to_by_kind(world, outage_chain):
    chain = record_chain(outage_chain[0], world.lead)
    assert chain.led_to == {Escalation: 1, FailureReport: 2}
    assert len(chain.rows) == 4  # "related to" links are not part of the chain


def test_a_record_caused_by_two_others_shows_once(world, outage_chain):
    outage, escalation, *_ = outage_chain
    joint = FailureReportFactory(client=world.client_a)
    _caused_by(joint, outage, world)
    _caused_by(joint, escalation, world)
    references = [node.record.reference for node in record_chain(joint, world.lead).rows]
    assert references.count(joint.reference) == 1
    assert record_chain(outage, world.lead).led_to == {Escalation: 1, FailureReport: 3}


def test_a_record_alone_has_no_relatives(world):
    record = InterruptionFactory(client=world.client_a)
    chain = record_chain(record, world.lead)
    assert not chain.has_relatives
    assert _rows(chain) == [(record.reference, 0, True)]


def test_a_loop_of_causes_is_refused(world, outage_chain):
    outage, _, report_of_escalation, _ = outage_chain
    with pytest.raises(ValidationError, match="loop"):
        _caused_by(outage, report_of_escalation, world)
    with pytest.raises(ValidationError, match="itself"):
        _caused_by(outage, outage, world)


def test_detail_page_shows_the_chain_and_what_it_led_to(world, client, outage_chain):
    outage, escalation, report_of_escalation, _ = outage_chain
    client.force_login(world.auditor)
    page = client.get(f"/interruptions/{outage.reference}/").content.decode()
    chain_html = page.split('id="record-chain"')[1].split("</ul>")[0]
    assert escalation.reference in chain_html and report_of_escalation.reference in chain_html
    led_to = page.split('id="led-to"')[1].split("</p>")[0]
    assert ">1 escalation<" in led_to and ">2 failure reports<" in led_to


def test_detail_page_queries_do_not_grow_with_the_chain(world, client):
    """One query per level and kind: six branches cost what one does."""
    small, large = _closable_interruption(world), _closable_interruption(world)
    for origin, branches in ((small, 1), (large, 6)):
        for _ in range(branches):
            escalation = EscalationFactory(client=world.client_a)
            _caused_by(escalation, origin, world)
            _caused_by(FailureReportFactory(client=world.client_a), escalation, world)
    client.force_login(world.lead)
    client.get(f"/interruptions/{small.reference}/")  # warm the per-user caches
    with CaptureQueriesContext(connection) as small_page:
        client.get(f"/interruptions/{small.reference}/")
    with CaptureQueriesContext(connection) as large_page:
        client.get(f"/interruptions/{large.reference}/")
    assert len(large_page.captured_queries) == len(small_page.captured_queries)


# --- closing while follow-ups are open ----------------------------------------------------


def test_open_follow_ups_hold_the_close_for_everyone_without_override(world, outage_chain):
    outage, escalation, *_ = outage_chain
    for actor in (world.agent, world.lead):
        with pytest.raises(TransitionError) as caught:
            record_change_status(outage, target=Status.CLOSED, actor=actor)
        assert escalation.reference in str(caught.value)
    outage.refresh_from_db()
    assert outage.status == Status.RESOLVED


def test_an_agent_cannot_override(world, outage_chain):
    outage = outage_chain[0]
    with pytest.raises(TransitionError, match="Only a team lead"):
        record_change_status(
            outage,
            target=Status.CLOSED,
            actor=world.agent,
            reason="Customer informed",
            override_open_follow_ups=True,
        )


def test_a_lead_overrides_with_a_reason_kept_in_history_and_timeline(world, outage_chain):
    outage, escalation, report_of_escalation, report_of_outage = outage_chain
    with pytest.raises(TransitionError, match="reason"):
        record_change_status(
            outage, target=Status.CLOSED, actor=world.lead, override_open_follow_ups=True
        )
    reason = "Client review board closed the outage; follow-ups tracked by their owners. " * 3
    record_change_status(
        outage,
        target=Status.CLOSED,
        actor=world.lead,
        reason=reason,
        override_open_follow_ups=True,
    )
    outage.refresh_from_db()
    assert outage.status == Status.CLOSED
    change_reason = outage.history.first().history_change_reason
    assert escalation.reference in change_reason and report_of_outage.reference in change_reason
    assert report_of_escalation.reference not in change_reason  # only what it caused directly
    assert change_reason.endswith(reason.strip())
    (event,) = timeline_for(outage).filter(kind=TimelineKind.STATUS)
    assert escalation.reference in event.message and reason.strip() in event.message


def test_closed_or_cancelled_follow_ups_no_longer_hold_the_close(world, outage_chain):
    outage, escalation, _, report_of_outage = outage_chain
    Escalation.objects.filter(pk=escalation.pk).update(
        status=Status.CLOSED, closed_at=timezone.now()
    )
    assert open_records_caused_by(outage) == [report_of_outage]
    FailureReport.objects.filter(pk=report_of_outage.pk).update(
        status=Status.CANCELLED, cancel_reason="Duplicate"
    )
    record_change_status(outage, target=Status.CLOSED, actor=world.agent)
    outage.refresh_from_db()
    assert outage.status == Status.CLOSED


def test_only_leads_see_the_override_and_it_works_over_http(world, client, outage_chain):
    outage, escalation, *_ = outage_chain
    url = f"/interruptions/{outage.reference}/"
    client.force_login(world.agent)
    page = client.get(url).content.decode()
    assert "override_open_follow_ups" not in page
    assert f'Close <a class="alert-link" href="/escalations/{escalation.reference}/">' in page
    client.post(
        url + "status/",
        {
            "version": outage.version,
            "status": Status.CLOSED,
            "override_open_follow_ups": "on",
            "reason": "Agent tries",
        },
    )
    outage.refresh_from_db()
    assert outage.status == Status.RESOLVED

    client.force_login(world.lead)
    assert "override_open_follow_ups" in client.get(url).content.decode()
    response = client.post(
        url + "status/",
        {
            "version": outage.version,
            "status": Status.CLOSED,
            "override_open_follow_ups": "on",
            "reason": "Board decision",
        },
        follow=True,
    )
    outage.refresh_from_db()
    assert outage.status == Status.CLOSED
    assert "is now Closed" in response.content.decode()
