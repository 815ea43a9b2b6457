"""factory-boy factories of notifications."""

import factory
from django.contrib.contenttypes.models import ContentType

from apps.notifications.models import Notification
from tests.factories import InterruptionFactory, UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification
        exclude = ("record",)

    record = factory.SubFactory(InterruptionFactory)
    recipient = factory.SubFactory(UserFactory)
    client = factory.LazyAttribute(lambda row: row.record.client)
    event_key = factory.Sequence(lambda n: f"test:event:{n}")
    content_type = factory.LazyAttribute(lambda row: ContentType.objects.get_for_model(row.record))
    object_id = factory.LazyAttribute(lambda row: row.record.pk)
    reference = factory.LazyAttribute(lambda row: row.record.reference)
    url = factory.LazyAttribute(lambda row: row.record.get_absolute_url())
    subject = factory.Sequence(lambda n: f"Something happened #{n}")
    body = "Something happened to a record of yours."
