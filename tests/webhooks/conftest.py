"""Fixtures of the webhook tests: a loopback receiver and subscriptions to it."""

import pytest

from apps.webhooks.models import EventKind
from apps.webhooks.services import subscription_create

from .receiver import Receiver


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def subscribe(world, receiver):
    def make(*, client=None, events=EventKind.values, url=None, name="Client desk"):
        return subscription_create(
            client=client or world.client_a,
            name=name,
            url=url or receiver.url,
            events=list(events),
        )

    return make


@pytest.fixture(autouse=True)
def short_timeout(settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
