"""factory-boy factories for monitoring integrations; the token issued is kept on `.token`."""

import factory

from apps.core.choices import Severity
from apps.intake.models import AlertFormat, Integration
from apps.intake.services import integration_issue_token
from tests.factories import ClientFactory


class IntegrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Integration
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Monitor {n}")
    slug = factory.Sequence(lambda n: f"monitor-{n}")
    client = factory.SubFactory(ClientFactory)
    alert_format = AlertFormat.ALERTMANAGER
    default_severity = Severity.SEV3
    severity_map = factory.LazyFunction(lambda: {"critical": "SEV1", "warning": "SEV3"})

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if create and extracted:
            self.services.set(extracted)

    @factory.post_generation
    def token(self, create, extracted, **kwargs):
        """A token is issued unless token=False; the clear text is kept on the instance."""
        if create and extracted is not False:
            self.token = integration_issue_token(self)
