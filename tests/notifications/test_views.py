"""/notifications/: each person sees and marks only their own; the header counts the unread."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.notifications.models import Notification
from tests.factories import InterruptionFactory
from tests.factories_notifications import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(world):
    return InterruptionFactory(client=world.client_a)


def _rows(response) -> list[Notification]:
    return list(response.context["page"].object_list)


def test_the_list_shows_only_my_notifications_newest_first(world, client, record):
    now = timezone.now()
    older = NotificationFactory(record=record, recipient=world.lead, created_at=now - timedelta(1))
    newer = NotificationFactory(record=record, recipient=world.lead, created_at=now)
    NotificationFactory(record=record, recipient=world.agent, subject="Not for the lead")
    client.force_login(world.lead)

    response = client.get("/notifications/")

    assert response.status_code == 200
    assert _rows(response) == [newer, older]
    assert b"Not for the lead" not in response.content


def test_unread_ones_are_highlighted(world, client, record):
    NotificationFactory(record=record, recipient=world.lead, subject="Unread one")
    NotificationFactory(
        record=record, recipient=world.lead, subject="Read one", read_at=timezone.now()
    )
    client.force_login(world.lead)
    html = client.get("/notifications/").content.decode()
    assert html.count("notification-unread") == 1
    unread_block = html.split("notification-unread", 1)[1].split("list-group-item", 1)[0]
    assert "Unread one" in unread_block


def test_the_header_counts_my_unread_notifications_on_every_page(world, client, record):
    NotificationFactory.create_batch(3, record=record, recipient=world.lead)
    NotificationFactory(record=record, recipient=world.lead, read_at=timezone.now())
    NotificationFactory(record=record, recipient=world.agent)
    client.force_login(world.lead)

    html = client.get("/").content.decode()

    assert '<span class="badge text-bg-danger" title="Unread">3</span>' in html


def test_no_badge_without_unread_notifications(world, client):
    client.force_login(world.lead)
    home = client.get("/")
    assert home.status_code == 200
    assert 'title="Unread"' not in home.content.decode()


def test_the_unread_count_costs_one_query_per_request(world, client, record):
    NotificationFactory.create_batch(2, record=record, recipient=world.lead)
    client.force_login(world.lead)
    client.get("/notifications/")  # warm per-process caches
    with CaptureQueriesContext(connection) as captured:
        client.get("/notifications/")  # the page and the header both show the count
    counts = [q["sql"] for q in captured.captured_queries if "read_at" in q["sql"]]
    assert len([sql for sql in counts if "COUNT" in sql.upper()]) == 1


def test_the_list_costs_the_same_queries_for_few_and_many_notifications(world, client, record):
    client.force_login(world.lead)
    NotificationFactory.create_batch(2, record=record, recipient=world.lead)
    client.get("/notifications/")
    with CaptureQueriesContext(connection) as few:
        client.get("/notifications/")
    NotificationFactory.create_batch(40, record=record, recipient=world.lead)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/notifications/")
    assert len(_rows(response)) == 25
    assert len(many.captured_queries) == len(few.captured_queries)


def test_pages_go_back_in_time(world, client, record):
    now = timezone.now()
    for minutes in range(30):
        NotificationFactory(
            record=record, recipient=world.lead, created_at=now - timedelta(minutes=minutes)
        )
    client.force_login(world.lead)
    second = _rows(client.get("/notifications/?page=2"))
    assert len(second) == 5
    assert second[-1].created_at == now - timedelta(minutes=29)


def test_mark_one_read(world, client, record):
    notification = NotificationFactory(record=record, recipient=world.lead)
    client.force_login(world.lead)

    response = client.post(f"/notifications/{notification.pk}/read/")

    assert response.status_code == 302
    assert response.url == "/notifications/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_open_marks_read_and_goes_to_the_record(world, client, record):
    notification = NotificationFactory(record=record, recipient=world.lead)
    client.force_login(world.lead)
    response = client.post(f"/notifications/{notification.pk}/read/", {"next": notification.url})
    assert response.url == record.get_absolute_url()


def test_a_next_address_on_another_site_is_ignored(world, client, record):
    notification = NotificationFactory(record=record, recipient=world.lead)
    client.force_login(world.lead)
    response = client.post(
        f"/notifications/{notification.pk}/read/", {"next": "https://evil.example/"}
    )
    assert response.url == "/notifications/"


@pytest.mark.parametrize("who", ["agent", "agent_b", "admin"])
def test_someone_elses_notification_is_not_found(world, client, record, who):
    notification = NotificationFactory(record=record, recipient=world.lead)
    client.force_login(getattr(world, who))
    assert client.post(f"/notifications/{notification.pk}/read/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_marks_only_mine(world, client, record):
    NotificationFactory.create_batch(2, record=record, recipient=world.lead)
    theirs = NotificationFactory(record=record, recipient=world.agent)
    client.force_login(world.lead)

    response = client.post("/notifications/read-all/", follow=True)

    assert b"2 notifications marked read." in response.content
    assert not Notification.objects.filter(recipient=world.lead, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("url", ["/notifications/1/read/", "/notifications/read-all/"])
def test_marking_needs_a_post(world, client, url):
    client.force_login(world.lead)
    assert client.get(url).status_code == 405


def test_the_list_needs_a_get(world, client):
    client.force_login(world.lead)
    assert client.post("/notifications/").status_code == 405


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", "/notifications/"), ("post", "/notifications/1/read/")],
)
def test_anonymous_visitors_are_sent_to_log_in(client, db, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
