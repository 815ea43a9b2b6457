"""What the admin still writes: a real change, once, and nothing beside it."""

from datetime import timedelta

import pytest
from django import forms
from django.contrib.admin.models import LogEntry
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from apps.core.admin import LongSelect
from apps.core.models import Client, CodeListEntry, Service
from apps.core.models.organisation import TIMEZONE_CHOICES

from .builders import TRICKY
from .forms import form_data
from .harness import as_browser_sends, change_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(client, django_user_model):
    person = django_user_model.objects.create_superuser("root", "root@example.test", "x")
    client.force_login(person)
    return client


def _submit(client, obj, **changed):
    """Submit `obj`'s change form as rendered, with `changed` fields typed in."""
    page = client.get(change_url(obj)).content.decode()
    data, _ = form_data(page, f"{obj._meta.model_name}_form")
    data.update({name: [value] for name, value in changed.items()})
    response = client.post(change_url(obj), {**as_browser_sends(data), "_save": "Save"})
    assert response.status_code == 302, response.content.decode()[:3000]


def test_a_changed_field_is_saved_once_and_logged(administrator):
    acme = Client.objects.create(name="Acme", code="acme", contract_reference="MSA-1")
    Service.objects.create(client=acme, name="CRM", vendor=TRICKY)

    _submit(administrator, acme, contract_reference="MSA-2")

    acme.refresh_from_db()
    assert acme.contract_reference == "MSA-2"
    assert acme.history.count() == 2
    assert acme.history.first().history_user.username == "root"
    assert Service.history.count() == 1  # the untouched inline row was not saved
    assert LogEntry.objects.get().get_change_message() == "Changed Contract reference."


def test_a_changed_inline_row_alone_is_saved(administrator):
    acme = Client.objects.create(name="Acme", code="acme")
    crm = Service.objects.create(client=acme, name="CRM")
    Service.objects.create(client=acme, name="IVR")

    _submit(administrator, acme, **{"services-0-vendor": "Salesforce"})

    crm.refresh_from_db()
    assert crm.vendor == "Salesforce"
    assert acme.history.count() == 1
    assert Service.history.filter(history_type="~").count() == 1
    assert LogEntry.objects.count() == 1


def test_fields_left_as_shown_keep_their_exact_stored_value(administrator):
    start = timezone.now().replace(microsecond=654321) - timedelta(days=1)
    task = PeriodicTask.objects.create(
        name="Nightly digest",
        task="apps.core.tasks.digest",
        interval=IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS),
        description="First line.\nSecond line.",
        start_time=start,
    )

    _submit(administrator, task, name="Nightly digest (all clients)")

    task.refresh_from_db()
    assert task.name == "Nightly digest (all clients)"
    assert task.start_time == start  # microseconds kept though the form shows none
    assert task.description == "First line.\nSecond line."  # not the browser's CR LF
    assert LogEntry.objects.get().get_change_message() == "Changed Name."


def test_a_list_edit_saves_only_the_rows_that_changed(administrator):
    entries = [
        CodeListEntry.objects.create(list_name="disposition", code=f"c{n}", label=f"Code {n}")
        for n in range(3)
    ]
    page = administrator.get("/admin/core/codelistentry/").content.decode()
    data, _ = form_data(page, "changelist-form")
    data["form-1-sort_order"] = ["7"]
    data["_save"] = ["Save"]

    assert administrator.post("/admin/core/codelistentry/", data).status_code == 302

    assert [entry.history.count() for entry in entries] == [1, 2, 1]
    assert LogEntry.objects.count() == 1


def test_the_long_select_shows_the_same_choices_and_selection_as_django():
    django_select = forms.Select(choices=TIMEZONE_CHOICES)
    rendered = LongSelect(choices=TIMEZONE_CHOICES).render(
        "timezone", "Europe/Dublin", {"id": "id_timezone", "required": True}
    )
    expected = django_select.render("timezone", "Europe/Dublin", {"id": "id_timezone"})

    def options(html):
        data, _ = form_data(f'<form id="f">{html}</form>', "f")
        return data, html.count("<option")

    assert options(rendered) == options(expected)
    assert options(rendered)[0] == {"timezone": ["Europe/Dublin"]}
    assert 'id="id_timezone"' in rendered and " required" in rendered
