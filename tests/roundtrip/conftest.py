"""What the round-trip properties draw from besides the shared `world`: rows a record may
still hold although they would no longer be offered to a new one."""

from dataclasses import dataclass

import pytest

from apps.core import roles
from apps.core.models import CodeListEntry
from tests.factories import CodeListEntryFactory, ServiceFactory, UserFactory


@dataclass
class Extras:
    former_agent: object  # assignee of old records, no longer working for the client
    retired_service: object
    escalation_categories: list
    query_categories: list
    dispositions: list
    action_types: list


def _codes(list_name: str, *codes: str) -> list:
    entries = [CodeListEntryFactory(list_name=list_name, code=code, label=code) for code in codes]
    entries[-1].active = False
    entries[-1].save()
    return entries


@pytest.fixture
def extras(world) -> Extras:
    ListName = CodeListEntry.ListName
    return Extras(
        former_agent=UserFactory(username="former", role=roles.AGENT),
        retired_service=ServiceFactory(client=world.client_a, name="Old IVR", active=False),
        escalation_categories=_codes(ListName.ESCALATION_CATEGORY, "billing", "legacy-esc"),
        query_categories=_codes(ListName.QUERY_CATEGORY, "billing-q", "legacy-q"),
        dispositions=_codes(ListName.DISPOSITION, "resolved", "legacy-disp"),
        action_types=_codes(ListName.RECOVERY_ACTION, "refund", "apology", "legacy-act"),
    )
