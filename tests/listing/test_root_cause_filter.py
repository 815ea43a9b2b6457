"""Every log list filters by root cause: interruptions, failure reports and escalations by
their own category, calls and recovery cases by the category of the records that caused them.
Another client's records never come back."""

import pytest
from django.urls import reverse

from apps.core.choices import LinkRelation, RootCause
from tests.factories import InterruptionFactory, RecordLinkFactory
from tests.factories_calls import CallFactory
from tests.factories_escalations import EscalationFactory
from tests.factories_failures import FailureReportFactory
from tests.factories_recovery import RecoveryCaseFactory

pytestmark = pytest.mark.django_db

OWN = [
    ("interruptions:list", InterruptionFactory),
    ("failures:list", FailureReportFactory),
    ("escalations:list", EscalationFactory),
]


def listed(client, url_name: str, query: str) -> set[str]:
    response = client.get(f"{reverse(url_name)}?{query}")
    assert response.status_code == 200, response.content[:500]
    return {row.reference for row in response.context["page"].rows}


@pytest.mark.parametrize(("url_name", "factory"), OWN)
def test_own_category_filter_lists_exactly_those_records(world, client, url_name, factory):
    people = factory(client=world.client_a, root_cause_category=RootCause.PEOPLE)
    process = factory(client=world.client_a, root_cause_category=RootCause.PROCESS)
    technology = factory(client=world.client_a, root_cause_category=RootCause.TECHNOLOGY)
    blank = factory(client=world.client_a, root_cause_category="")
    factory(client=world.client_b, root_cause_category=RootCause.PEOPLE)
    factory(client=world.client_b, root_cause_category="")
    client.force_login(world.lead)

    assert listed(client, url_name, "root_cause=people") == {people.reference}
    assert listed(client, url_name, "root_cause=people&root_cause=process") == {
        people.reference,
        process.reference,
    }
    assert listed(client, url_name, "root_cause=none") == {blank.reference}
    assert listed(client, url_name, "") == {
        people.reference,
        process.reference,
        technology.reference,
        blank.reference,
    }


@pytest.mark.parametrize("url_name", ["interruptions:list", "calls:list", "recovery:list"])
def test_an_unknown_category_is_a_filter_error(world, client, url_name):
    InterruptionFactory(client=world.client_a, root_cause_category=RootCause.PEOPLE)
    client.force_login(world.lead)

    response = client.get(f"{reverse(url_name)}?root_cause=gremlins")

    assert response.status_code == 200
    assert response.context["filter"].errors["root_cause"]
    assert list(response.context["page"].rows) == []


@pytest.mark.parametrize(
    ("url_name", "factory"), [("calls:list", CallFactory), ("recovery:list", RecoveryCaseFactory)]
)
def test_linked_records_match_the_category_of_their_causes(world, client, url_name, factory):
    a = world.client_a
    outage = InterruptionFactory(client=a, root_cause_category=RootCause.THIRD_PARTY)
    failure = FailureReportFactory(client=a, root_cause_category=RootCause.PEOPLE)
    escalation = EscalationFactory(client=a, root_cause_category=RootCause.PROCESS)
    unexplained = InterruptionFactory(client=a, root_cause_category="")
    by_outage = factory(client=a)
    by_failure = factory(client=a)
    by_escalation = factory(client=a)
    by_unexplained = factory(client=a)
    by_two = factory(client=a)
    only_related = factory(client=a)
    factory(client=a)  # caused by nothing
    for source, target in [
        (by_outage, outage),
        (by_failure, failure),
        (by_escalation, escalation),
        (by_unexplained, unexplained),
        (by_two, outage),
        (by_two, failure),
    ]:
        RecordLinkFactory(source_record=source, target_record=target)
    RecordLinkFactory(
        source_record=only_related, target_record=outage, relation=LinkRelation.RELATED_TO
    )
    # The other client's record caused by a cause of the same category stays out.
    b_outage = InterruptionFactory(client=world.client_b, root_cause_category="third_party")
    RecordLinkFactory(source_record=factory(client=world.client_b), target_record=b_outage)
    # A record that caused this one, itself caused by another: only the direct cause counts.
    chained = factory(client=a)
    middle = EscalationFactory(client=a, root_cause_category="")
    RecordLinkFactory(source_record=chained, target_record=middle)
    RecordLinkFactory(source_record=middle, target_record=failure)
    client.force_login(world.lead)

    assert listed(client, url_name, "root_cause=third_party") == {
        by_outage.reference,
        by_two.reference,
    }
    assert listed(client, url_name, "root_cause=people") == {
        by_failure.reference,
        by_two.reference,
    }
    assert listed(client, url_name, "root_cause=process&root_cause=people") == {
        by_escalation.reference,
        by_failure.reference,
        by_two.reference,
    }
    assert listed(client, url_name, "root_cause=none") == {
        by_unexplained.reference,
        chained.reference,
    }


@pytest.mark.parametrize("url_name", ["calls:list", "recovery:list"])
def test_linked_filter_explains_itself(world, client, url_name):
    client.force_login(world.lead)

    response = client.get(reverse(url_name))

    assert "caused by" in response.context["filter"].form.fields["root_cause"].help_text
