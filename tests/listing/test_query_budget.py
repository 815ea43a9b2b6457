"""Every list page, for every role that may open it, costs at most eight SQL queries, for 25
rows as for 100, filtered or not."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.listing.conftest import DEFAULT_READERS, READERS, ROLES, list_urls

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 8
LIST_URLS = list_urls()


def test_the_resolver_finds_every_list():
    assert {"/interruptions/", "/calls/", "/calls/audits/", "/audits/findings/"} <= set(LIST_URLS)
    assert "/intake/requests/" in LIST_URLS
    assert len(LIST_URLS) == 8


def _cost(client, url: str) -> tuple[int, int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response.status_code, len(captured), "\n".join(q["sql"] for q in captured)


@pytest.mark.parametrize("url", LIST_URLS)
def test_a_list_page_costs_at_most_eight_queries_for_every_role(
    world, client, rows_of_every_list, url
):
    filtered = f"{url}?client={world.client_a.pk}&severity=SEV1&severity=SEV2&sort=-occurred_at"
    opened = []
    for role in ROLES:
        client.force_login(getattr(world, role))
        status, _, _ = _cost(client, url)  # fills the per-process and access caches
        if status == 403:
            continue
        opened.append(role)
        for page in (url, f"{url}?per_page=100", filtered):
            status, count, sql = _cost(client, page)
            assert status == 200, page
            # A chosen client is checked against the user's clients: one query more.
            budget = QUERY_BUDGET + (1 if page == filtered else 0)
            assert count <= budget, f"{role} {page}: {count} queries\n{sql}"
    assert READERS.get(url, DEFAULT_READERS) <= set(opened)
