"""Demo organisation: two clients, their teams, services, code lists and one login per role.

Everything here is looked up by its natural key and only saved when it differs from the demo
definition, so loading the demo again changes nothing and writes no extra history.
"""

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractUser, Group
from django.db import models, transaction
from django.utils import timezone

from . import roles
from .choices import Tier
from .models import Client, ClientAssignment, CodeListEntry, Service, Team, TeamMembership

DEMO_PASSWORD = "demo"
# The demo's records happened over the last six months or so, so that every chart of the
# reports shows a trend on the first run.
DEMO_DAYS = 190
EMAIL_DOMAIN = "example.com"

CLIENTS = (
    {
        "code": "acme",
        "name": "Acme Retail",
        "timezone": "Europe/London",
        "retention_months": 24,
        "contract_reference": "ACME-BPO-2024-017",
    },
    {
        "code": "globex",
        "name": "Globex Telecom",
        "timezone": "America/New_York",
        "retention_months": 12,
        "contract_reference": "GLX-MSA-2025-003",
    },
)

TEAM_NAMES = {
    Tier.FRONTLINE: "{name} Frontline",
    Tier.TECHNICAL: "{name} Technical Support",
    Tier.EXPERT: "{name} Service Management",
}

# Name → vendor. "Vendor API" services are what third-party interruptions usually hit.
SERVICES = {
    "acme": (
        ("CRM", "Salesforce"),
        ("Telephony platform", "Genesys Cloud"),
        ("IVR", "Genesys Cloud"),
        ("E-mail gateway", "Microsoft 365"),
        ("Workforce management", "NICE"),
        ("Payment gateway", "Stripe"),
        ("Carrier tracking API", "DPD"),
    ),
    "globex": (
        ("CRM", "Zendesk"),
        ("Telephony platform", "Avaya"),
        ("IVR", "Avaya"),
        ("Live chat", "LivePerson"),
        ("Billing system", "Amdocs"),
        ("Number porting API", "Syniverse"),
    ),
}

CODE_LISTS = {
    CodeListEntry.ListName.DISPOSITION: (
        ("resolved-first-contact", "Resolved on first contact"),
        ("callback-scheduled", "Callback scheduled"),
        ("transferred", "Transferred to another team"),
        ("escalated", "Escalated"),
        ("information-given", "Information given"),
        ("complaint-logged", "Complaint logged"),
        ("no-answer", "No answer"),
        ("voicemail-left", "Voicemail left"),
        ("wrong-number", "Wrong number"),
    ),
    CodeListEntry.ListName.QUERY_CATEGORY: (
        ("billing", "Billing and payments"),
        ("order-status", "Order status"),
        ("delivery", "Delivery"),
        ("returns", "Returns and refunds"),
        ("technical-support", "Technical support"),
        ("account-change", "Account change"),
        ("complaint", "Complaint"),
        ("cancellation", "Cancellation"),
        ("product-information", "Product information"),
    ),
    CodeListEntry.ListName.RECOVERY_ACTION: (
        ("refund", "Refund"),
        ("replacement", "Replacement"),
        ("credit", "Account credit"),
        ("apology", "Apology"),
        ("expedite", "Expedited service"),
        ("other", "Other"),
    ),
    CodeListEntry.ListName.ESCALATION_CATEGORY: (
        ("billing-dispute", "Billing dispute"),
        ("service-failure", "Service failure"),
        ("complaint", "Formal complaint"),
        ("technical-fault", "Technical fault"),
        ("delivery-problem", "Delivery problem"),
        ("regulatory", "Regulatory / compliance"),
        ("vip-customer", "VIP customer"),
    ),
}


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    role: str | None
    client: str | None = None  # client code; None for administrators
    tier: int | None = None  # team the person works in; None for a direct client assignment
    leads: bool = False  # leads every team of their client


PEOPLE = (
    Person("agent", "Alex", "Morgan", roles.AGENT, "acme", Tier.FRONTLINE),
    Person("lead", "Lena", "Fischer", roles.TEAM_LEAD, "acme", Tier.FRONTLINE, leads=True),
    Person("auditor", "Omar", "Haddad", roles.AUDITOR, "acme"),
    Person("admin", "Ada", "Administrator", None),
    Person("agent_b", "Blake", "Rivera", roles.AGENT, "globex", Tier.FRONTLINE),
    Person("lead_b", "Grace", "Okafor", roles.TEAM_LEAD, "globex", Tier.FRONTLINE, leads=True),
    Person("priya.shah", "Priya", "Shah", roles.AGENT, "acme", Tier.FRONTLINE),
    Person("tom.baker", "Tom", "Baker", roles.AGENT, "acme", Tier.FRONTLINE),
    Person("chloe.wright", "Chloe", "Wright", roles.AGENT, "acme", Tier.FRONTLINE),
    Person("dan.evans", "Dan", "Evans", roles.AGENT, "acme", Tier.TECHNICAL),
    Person("sofia.rossi", "Sofia", "Rossi", roles.AGENT, "acme", Tier.TECHNICAL),
    Person("helen.price", "Helen", "Price", roles.TEAM_LEAD, "acme", Tier.EXPERT),
    Person("maria.lopez", "Maria", "Lopez", roles.AGENT, "globex", Tier.FRONTLINE),
    Person("kevin.chen", "Kevin", "Chen", roles.AGENT, "globex", Tier.FRONTLINE),
    Person("aisha.bello", "Aisha", "Bello", roles.AGENT, "globex", Tier.FRONTLINE),
    Person("raj.patel", "Raj", "Patel", roles.AGENT, "globex", Tier.TECHNICAL),
    Person("james.miller", "James", "Miller", roles.TEAM_LEAD, "globex", Tier.EXPERT),
)

LOGINS = (
    ("agent", "Agent, Acme Retail frontline"),
    ("lead", "Team lead of the Acme Retail teams"),
    ("auditor", "Auditor of Acme Retail"),
    ("admin", "Administrator (sees every client)"),
    ("agent_b", "Agent, Globex Telecom only"),
    ("lead_b", "Team lead of the Globex Telecom teams"),
)


@dataclass
class DemoClient:
    """One demo client with the people and things its records are made of."""

    client: Client
    teams: dict[int, Team]
    services: list[Service]
    members: dict[int, list[AbstractUser]]  # tier → people working in that tier's team
    lead: AbstractUser


@dataclass
class DemoOrganisation:
    clients: list[DemoClient]
    admin: AbstractUser
    users: dict[str, AbstractUser] = field(default_factory=dict)

    def client(self, code: str) -> DemoClient:
        return next(demo for demo in self.clients if demo.client.code == code)


def upsert(model: type[models.Model], lookup: dict, values: dict) -> models.Model:
    """Get the row matching `lookup` (creating it with `values`), saved only if it differs."""
    obj, created = model.objects.get_or_create(**lookup, defaults=values)
    if not created:
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save(update_fields=changed)
    return obj


@contextmanager
def timestamps_as_given(*model_classes: type[models.Model]) -> Iterator[None]:
    """Keep the created/updated times set on instances instead of stamping "now".

    Demo records happened over past weeks: their creation and last change must carry those
    times, which `auto_now` / `auto_now_add` would overwrite. Only for this process's inserts.
    """
    switched = []
    for model in model_classes:
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.DateField) and (
                model_field.auto_now or model_field.auto_now_add
            ):
                switched.append((model_field, model_field.auto_now, model_field.auto_now_add))
                model_field.auto_now = model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field, auto_now, auto_now_add in switched:
            model_field.auto_now, model_field.auto_now_add = auto_now, auto_now_add


def _seed_code_lists() -> None:
    for list_name, entries in CODE_LISTS.items():
        for order, (code, label) in enumerate(entries, start=1):
            upsert(
                CodeListEntry,
                {"list_name": list_name, "code": code},
                {"label": label, "sort_order": order, "active": True},
            )


def _seed_user(person: Person, password_hash: str) -> AbstractUser:
    """The person's account; a new one gets the demo password, an existing one keeps its own."""
    user_model = get_user_model()
    is_admin = person.role is None
    user = upsert(
        user_model,
        {"username": person.username},
        {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": f"{person.username}@{EMAIL_DOMAIN}",
            "is_active": True,
            "is_staff": is_admin,
            "is_superuser": is_admin,
        },
    )
    if not user.password:
        user.password = password_hash
        user.save(update_fields=["password"])
    groups = [Group.objects.get(name=person.role)] if person.role else []
    if set(user.groups.all()) != set(groups):
        user.groups.set(groups)
    return user


def seed_organisation() -> DemoOrganisation:
    """Create or bring up to date the demo clients, teams, services, code lists and users."""
    roles.sync_roles()
    # Every demo account shares one password, so it is hashed once rather than per account.
    password_hash = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        _seed_code_lists()
        users = {person.username: _seed_user(person, password_hash) for person in PEOPLE}
        demo_clients = []
        for spec in CLIENTS:
            values = {key: value for key, value in spec.items() if key != "code"}
            client = upsert(Client, {"code": spec["code"]}, {**values, "active": True})
            demo_clients.append(_seed_client(client, users))
    return DemoOrganisation(clients=demo_clients, admin=users["admin"], users=users)


def _seed_client(client: Client, users: dict[str, AbstractUser]) -> DemoClient:
    people = [person for person in PEOPLE if person.client == client.code]
    lead = users[next(person.username for person in people if person.leads)]
    teams = {}
    for tier, pattern in TEAM_NAMES.items():
        team = upsert(
            Team,
            {"name": pattern.format(name=client.name)},
            {"tier": tier, "lead": lead},
        )
        if not team.clients.filter(pk=client.pk).exists():
            team.clients.add(client)
        teams[tier] = team
    members: dict[int, list[AbstractUser]] = {tier: [] for tier in teams}
    for person in people:
        user = users[person.username]
        # A lead works in every team they lead, which is also what gives them the client.
        tiers = list(teams) if person.leads else [person.tier] if person.tier else []
        for tier in tiers:
            TeamMembership.objects.get_or_create(team=teams[tier], user=user)
            members[tier].append(user)
        if person.tier is None:
            ClientAssignment.objects.get_or_create(
                client=client, user=user, defaults={"note": "Audits this client's logs."}
            )
    services = [
        upsert(Service, {"client": client, "name": name}, {"vendor": vendor, "active": True})
        for name, vendor in SERVICES[client.code]
    ]
    return DemoClient(client=client, teams=teams, services=services, members=members, lead=lead)


class StoryClock:
    """The portal's "now" while a demo record's story is told through the services.

    Inside `with clock:` every stamp the services write (created, changed, resolved, breach
    stamps, history versions, timeline entries) is the clock's moment; `advance()` moves it
    on by a random step, never past the real now. Outside, time is real again.
    """

    def __init__(self, start: datetime, now: datetime, rng: random.Random):
        self.current, self.now, self.rng = min(start, now), now, rng
        self._real_now = None

    def advance(self, low_hours: float = 0.1, high_hours: float = 4) -> datetime:
        step = timedelta(hours=self.rng.uniform(low_hours, high_hours))
        self.current = min(self.now, self.current + step)
        return self.current

    def at_least(self, moment: datetime) -> datetime:
        """Move on to `moment` if it is later (something the story says already happened)."""
        self.current = min(self.now, max(self.current, moment))
        return self.current

    def __enter__(self) -> "StoryClock":
        real_now = self._real_now = timezone.now
        teller = threading.get_ident()

        # Only the thread telling the story: the outbox's publisher thread keeps real time.
        def story_now() -> datetime:
            return self.current if threading.get_ident() == teller else real_now()

        timezone.now = story_now
        return self

    def __exit__(self, *exc_info) -> None:
        timezone.now = self._real_now
