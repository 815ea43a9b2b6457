"""Hostile telephony exports: bytes PostgreSQL refuses, control characters, numbers and dates
out of range, oversized uploads. Each is a line or form error; nothing is imported, nothing
fails with a server error."""

import os
from datetime import datetime, timedelta
from datetime import timezone as fixed_zone

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from apps.calls.importing import ImportMode
from apps.calls.models import Call
from apps.core.dates import range_message
from tests.calls.test_import import GOOD, csv_bytes, row, run, upload
from tests.core.test_plausible_dates import LAST_YEAR, far_moments

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the column's bound is PostgreSQL's",
)


def only_error(report) -> str:
    assert report.created == 0
    assert report.error_count == 1, report.errors
    assert not Call.objects.exists()
    return report.errors[0][1]


@pytest.mark.parametrize("column", ["title", "customer_name", "external_call_id", "client"])
def test_a_nul_byte_is_a_line_error(world, codes, column):
    # On PostgreSQL (CI) the row would otherwise reach COPY, which refuses NUL outright.
    report = run(csv_bytes([row(1, **{column: row(1).get(column, "x") + "\x00"})]), world.lead)

    assert only_error(report) == (
        f"{column} contains a control character (U+0000) at position "
        f"{len(row(1).get(column, 'x')) + 1}: remove it"
    )


@pytest.mark.parametrize("character", ["\x01", "\x08", "\x0b", "\x1b", "\x7f"])
def test_control_characters_are_refused_as_forms_refuse_them(world, client, codes, character):
    report = run(csv_bytes([row(1, description=f"Asked{character}about a charge.")]), world.lead)

    assert "description contains a control character" in only_error(report)
    # The same rule on the call form.
    client.force_login(world.lead)
    response = client.post("/calls/new/", {"description": f"Asked{character}twice"})
    assert "This text contains a control character" in response.content.decode()


def test_tabs_and_line_breaks_are_text(world, codes):
    report = run(csv_bytes([row(1, description="Line one\r\nline\ttwo")]), world.lead)

    assert (report.error_count, report.created) == (0, 1)
    assert Call.objects.get().description == "Line one\r\nline\ttwo"


@pytest.mark.parametrize("column", ["wait_seconds", "talk_seconds"])
@pytest.mark.parametrize(
    "value",
    [
        # PostgreSQL's integer column ends here; SQLite's 64-bit one further on.
        pytest.param("2147483648", marks=on_postgresql),
        "99999999999999999999999",
    ],
)
def test_seconds_beyond_what_the_column_holds_are_a_line_error(world, codes, column, value):
    report = run(csv_bytes([row(1, **{column: value})], [*row(1), column]), world.lead)

    message = only_error(report)
    assert message.startswith(f"{column} “{value}” is out of range: Ensure this value is less")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    moment=far_moments,
    column=st.sampled_from(["started_at", "answered_at", "ended_at", "follow_up_due"]),
    separator=st.sampled_from([" ", "T"]),
)
@example(
    moment=datetime(LAST_YEAR, 12, 31, 23, 59, tzinfo=fixed_zone(timedelta(hours=-14))),
    column="started_at",
    separator="T",
)
@example(moment=datetime(1, 1, 1, tzinfo=fixed_zone(timedelta(hours=14))), column="ended_at",
         separator=" ")  # fmt: skip
def test_far_dates_are_a_line_error(world, codes, moment, column, separator):
    text = moment.isoformat(sep=separator, timespec="seconds")

    report = run(csv_bytes([row(1, **{column: text})]), world.lead, ImportMode.VALID_ROWS)

    assert report.created == 0
    assert report.error_count == 1
    assert f"{column} “{text}”: {range_message()}" in report.errors[0][1]


@override_settings(CALL_IMPORT_MAX_BYTES=1024)
def test_an_upload_over_the_limit_is_refused_and_the_form_says_the_limit(world, client, codes):
    client.force_login(world.lead)
    assert "At most 1.0\xa0KB;" in client.get("/calls/import/").content.decode()
    big = csv_bytes([row(number) for number in range(1, 40)])
    assert len(big) > 1024

    response = upload(client, big)

    content = response.content.decode()
    assert response.status_code == 200
    assert "more than the 1.0\xa0KB an import may be. Split it into several files" in content
    assert not Call.objects.exists()
    assert upload(client, csv_bytes(GOOD[:1])).status_code == 200
    assert Call.objects.count() == 1


def test_the_default_limit_is_20_mb(world, client):
    client.force_login(world.lead)

    assert (
        "At most 20.0\xa0MB; split a larger export" in client.get("/calls/import/").content.decode()
    )
