"""Keyset pagination: walking pages either way gives exactly the plain ordered query."""

import base64
import json
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from apps.core.listing.keyset import (
    InvalidCursor,
    KeysetPage,
    SortKey,
    decode_cursor,
    encode_cursor,
    paginate,
)
from apps.core.listing.ordering import path_is_nullable, sort_keys
from apps.interruptions.models import Interruption

pytestmark = pytest.mark.django_db

ROWS = 23


@pytest.fixture
def rows(world):
    """Client A records with many ties and NULLs in every sort column; one record of B."""
    base = timezone.now().replace(microsecond=0) - timedelta(days=1)
    assignees = [None, world.agent, world.lead, None, world.auditor]
    statuses = ["new", "in_progress", "on_hold"]
    records = []
    for number in range(ROWS):
        occurred = base - timedelta(hours=number % 4)
        records.append(
            Interruption(
                reference=f"INT-2026-{number + 1:06d}",
                client=world.client_a,
                title=f"Row {number}",
                kind="incident",
                occurred_at=occurred,
                ended_at=(
                    None if number % 3 == 0 else occurred + timedelta(minutes=10 * (number % 2))
                ),
                assignee=assignees[number % len(assignees)],
                status=statuses[number % len(statuses)],
            )
        )
    records.append(
        Interruption(
            reference="INT-2026-100000",
            client=world.client_b,
            title="Other client",
            kind="incident",
            occurred_at=base,
        )
    )
    # Bulk insert: the order of the pks is the only thing these rows need from the database.
    Interruption.objects.bulk_create(records)
    return Interruption.objects.for_user(world.agent)


def _plain_order(pairs: list[tuple[str, bool]]) -> list:
    """The ORDER BY a plain query would use: NULLs last, then start time and id in the last
    key's direction."""
    order = []
    for path, descending in pairs:
        if path_is_nullable(Interruption, path):
            column = F(path)
            order.append(
                column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
            )
        else:
            order.append(f"-{path}" if descending else path)
    if "occurred_at" not in {path for path, _ in pairs}:
        order.append("-occurred_at" if pairs[-1][1] else "occurred_at")
    order.append("-id" if pairs[-1][1] else "id")
    return order


def _pks(page: KeysetPage) -> list[int]:
    return [row.pk for row in page.rows]


def _walk_forward(queryset, keys, per_page) -> list[KeysetPage]:
    pages = [paginate(queryset, keys, per_page=per_page)]
    while pages[-1].next_cursor:
        pages.append(paginate(queryset, keys, per_page=per_page, after=pages[-1].next_cursor))
        assert len(pages) <= ROWS + 1, "pagination does not end"
    return pages


def _walk_backward(queryset, keys, per_page, last: KeysetPage) -> list[KeysetPage]:
    pages = [last]
    while pages[-1].previous_cursor:
        pages.append(paginate(queryset, keys, per_page=per_page, before=pages[-1].previous_cursor))
        assert len(pages) <= ROWS + 1, "pagination does not end"
    pages.reverse()
    return pages


ORDERS = [
    pytest.param([("occurred_at", True)], id="occurred_at-desc"),
    pytest.param([("occurred_at", False)], id="occurred_at-asc"),
    pytest.param([("ended_at", False)], id="ended_at-asc"),
    pytest.param([("ended_at", True)], id="ended_at-desc"),
    pytest.param([("assignee__username", False)], id="assignee-asc"),
    pytest.param([("assignee__username", True)], id="assignee-desc"),
    pytest.param([("status", False), ("ended_at", True)], id="status-asc-ended_at-desc"),
    pytest.param([("assignee__username", True), ("ended_at", False)], id="assignee-ended_at"),
]


def _check_walks(queryset, pairs, per_page) -> None:
    keys = sort_keys(Interruption, pairs)
    expected = list(queryset.order_by(*_plain_order(pairs)).values_list("pk", flat=True))
    assert len(expected) == ROWS

    forward = _walk_forward(queryset, keys, per_page)
    assert [pk for page in forward for pk in _pks(page)] == expected
    assert [len(page.rows) for page in forward[:-1]] == [per_page] * (len(forward) - 1)
    assert 0 < len(forward[-1].rows) <= per_page
    assert forward[0].is_first and forward[0].previous_cursor is None
    assert not any(page.is_first for page in forward[1:])
    assert all(page.previous_cursor for page in forward[1:])

    backward = _walk_backward(queryset, keys, per_page, forward[-1])
    assert [_pks(page) for page in backward] == [_pks(page) for page in forward]
    assert backward[0].is_first and backward[0].previous_cursor is None
    # "Next" from a page reached backwards leads to the page that followed it.
    for page, following in zip(backward[:-1], forward[1:], strict=True):
        assert page.next_cursor
        again = paginate(queryset, keys, per_page=per_page, after=page.next_cursor)
        assert _pks(again) == _pks(following)


@pytest.mark.parametrize("pairs", ORDERS)
def test_walking_both_ways_matches_the_plain_query(rows, pairs):
    # Page sizes: one row, sizes that split runs of ties, and everything on one page.
    for per_page in (1, 4, 7, 50):
        _check_walks(rows, pairs, per_page)


def test_explicit_keys_match_sort_keys():
    assert sort_keys(Interruption, [("ended_at", False)]) == [
        SortKey("ended_at", False, True),
        SortKey("occurred_at", False, False),
        SortKey("id", False, False),
    ]
    assert sort_keys(Interruption, [("occurred_at", True), ("id", True)]) == [
        SortKey("occurred_at", True, False),
        SortKey("id", True, False),
    ]
    assert sort_keys(Interruption, []) == [
        SortKey("occurred_at", True, False),
        SortKey("id", True, False),
    ]


@pytest.mark.parametrize(
    ("path", "nullable"),
    [
        ("occurred_at", False),
        ("ended_at", True),
        ("assignee__username", True),
        ("client__name", False),
        ("team__name", True),
    ],
)
def test_path_is_nullable(path, nullable):
    assert path_is_nullable(Interruption, path) is nullable


def test_an_empty_queryset_is_one_empty_first_page(world):
    keys = sort_keys(Interruption, [("occurred_at", True)])
    page = paginate(Interruption.objects.none(), keys, per_page=10)
    assert page == KeysetPage([], None, None, is_first=True)


def test_a_cursor_past_the_end_gives_an_empty_page(rows):
    keys = sort_keys(Interruption, [("occurred_at", True)])
    last = _walk_forward(rows, keys, 50)[-1]
    beyond = encode_cursor([last.rows[-1].occurred_at, last.rows[-1].pk])
    page = paginate(rows, keys, per_page=10, after=beyond)
    assert page.rows == []
    assert page.is_first is False


def test_the_page_size_bounds_the_query(rows, django_assert_num_queries):
    keys = sort_keys(Interruption, [("ended_at", False)])
    first = paginate(rows, keys, per_page=5)
    with django_assert_num_queries(1):
        paginate(rows, keys, per_page=5, after=first.next_cursor)


def test_cursor_round_trip():
    moment = timezone.now()
    cursor = encode_cursor([moment, None, "agent", 42])
    assert "=" not in cursor
    assert decode_cursor(cursor, 4) == [moment.isoformat(), None, "agent", 42]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "%%%",
        "not base64 at all!",
        _b64(b"\xff\xfe\xfd"),
        _b64(b"{not json"),
        _b64(json.dumps({"occurred_at": "2026-01-01"}).encode()),
        _b64(json.dumps(["2026-01-01T00:00:00+00:00"]).encode()),
        _b64(json.dumps(["2026-01-01T00:00:00+00:00", 1, 2]).encode()),
        _b64(json.dumps("a string").encode()),
    ],
)
def test_a_damaged_cursor_is_refused(db, cursor):
    rows = Interruption.objects.all()
    keys = sort_keys(Interruption, [("occurred_at", True)])
    with pytest.raises(InvalidCursor):
        paginate(rows, keys, per_page=5, after=cursor)
    with pytest.raises(InvalidCursor):
        paginate(rows, keys, per_page=5, before=cursor)


@pytest.mark.parametrize(
    "values",
    [
        ["yesterday", 5],
        ["2026-01-01T00:00:00+00:00", "five"],
        [{"a": 1}, 5],
        [[1, 2], 5],
    ],
)
def test_a_cursor_with_values_of_the_wrong_type_is_refused(db, values):
    rows = Interruption.objects.all()
    keys = sort_keys(Interruption, [("occurred_at", True)])
    with pytest.raises(InvalidCursor):
        paginate(rows, keys, per_page=5, after=_b64(json.dumps(values).encode()))
