"""factory-boy factories, one per model."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from apps.core.choices import LinkRelation, Severity, Status, Tier, TimelineKind
from apps.core.models import (
    AlertDelivery,
    Client,
    ClientAssignment,
    CodeListEntry,
    RecordLink,
    ReferenceSequence,
    Service,
    Team,
    TeamMembership,
    TimelineEntry,
)
from apps.core.services.references import next_reference
from apps.interruptions.models import Interruption, InterruptionKind


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")
    password = factory.PostGenerationMethodCall("set_password", "demo")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """UserFactory(role="Agent") puts the user in that role's group."""
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"Client {n}")
    code = factory.Sequence(lambda n: f"c{n}")
    timezone = "Europe/London"
    retention_months = 24


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")
    tier = Tier.FRONTLINE

    @factory.post_generation
    def clients(self, create, extracted, **kwargs):
        if create and extracted:
            self.clients.set(extracted)


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)


class ClientAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientAssignment

    client = factory.SubFactory(ClientFactory)
    user = factory.SubFactory(UserFactory)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    vendor = ""


class CodeListEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CodeListEntry

    list_name = CodeListEntry.ListName.DISPOSITION
    code = factory.Sequence(lambda n: f"code-{n}")
    label = factory.Sequence(lambda n: f"Code {n}")


class ReferenceSequenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferenceSequence

    prefix = factory.Sequence(lambda n: f"T{n}")
    year = 2026
    last_value = 0


class InterruptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interruption
        skip_postgeneration_save = True

    reference = factory.LazyFunction(lambda: next_reference(Interruption.reference_prefix))
    client = factory.SubFactory(ClientFactory)
    title = factory.Sequence(lambda n: f"CRM unreachable #{n}")
    kind = InterruptionKind.INCIDENT
    severity = Severity.SEV3
    status = Status.NEW
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))

    @factory.post_generation
    def affected_services(self, create, extracted, **kwargs):
        if create and extracted:
            self.affected_services.set(extracted)


class TimelineEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimelineEntry
        exclude = ("record",)

    record = factory.SubFactory(InterruptionFactory)
    client = factory.LazyAttribute(lambda entry: entry.record.client)
    content_type = factory.LazyAttribute(
        lambda entry: ContentType.objects.get_for_model(entry.record)
    )
    object_id = factory.LazyAttribute(lambda entry: entry.record.pk)
    kind = TimelineKind.NOTE
    message = "Called the vendor."


class RecordLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecordLink
        exclude = ("source_record", "target_record")

    source_record = factory.SubFactory(InterruptionFactory)
    target_record = factory.SubFactory(
        InterruptionFactory, client=factory.SelfAttribute("..source_record.client")
    )
    client = factory.LazyAttribute(lambda link: link.source_record.client)
    source_type = factory.LazyAttribute(
        lambda link: ContentType.objects.get_for_model(link.source_record)
    )
    source_id = factory.LazyAttribute(lambda link: link.source_record.pk)
    target_type = factory.LazyAttribute(
        lambda link: ContentType.objects.get_for_model(link.target_record)
    )
    target_id = factory.LazyAttribute(lambda link: link.target_record.pk)
    relation = LinkRelation.CAUSED_BY


class AlertDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AlertDelivery
        exclude = ("record",)

    record = factory.SubFactory(InterruptionFactory)
    content_type = factory.LazyAttribute(
        lambda delivery: ContentType.objects.get_for_model(delivery.record)
    )
    object_id = factory.LazyAttribute(lambda delivery: delivery.record.pk)
    alert_kind = "severe_interruption"
    recipients = "lead@example.test"
