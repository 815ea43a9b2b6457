"""The one-pass table drawing gives the HTML of django-tables2's bootstrap5 template."""

import re

import pytest
from django.template import RequestContext, Template

from tests.listing.conftest import DEFAULT_READERS, READERS, list_urls

pytestmark = pytest.mark.django_db

TEMPLATE = Template("{% load django_tables2 %}{% render_table table %}")


def _normalised(html: str) -> str:
    html = re.sub(r"\s+", " ", html)
    return re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html)).strip()


@pytest.mark.parametrize("role", ["lead", "auditor"])
def test_every_list_table_draws_as_the_template_does(world, client, rows_of_every_list, role):
    client.force_login(getattr(world, role))
    for url in list_urls():
        if role not in READERS.get(url, DEFAULT_READERS):
            continue
        for query in ("", "?sort=-severity&per_page=50"):
            response = client.get(url + query)
            table, request = response.context["table"], response.wsgi_request
            assert len(table.rows) > 0, url

            drawn = table.as_html(request)
            expected = TEMPLATE.render(RequestContext(request, {"table": table}))

            assert _normalised(drawn) == _normalised(expected), url
