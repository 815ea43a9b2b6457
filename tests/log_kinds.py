"""The five logs by app label, with their record factory, for tests that hold for every kind."""

from tests.factories import InterruptionFactory
from tests.factories_calls import CallFactory
from tests.factories_escalations import EscalationFactory
from tests.factories_failures import FailureReportFactory
from tests.factories_recovery import RecoveryCaseFactory

LOG_FACTORIES = {
    "interruptions": InterruptionFactory,
    "failures": FailureReportFactory,
    "escalations": EscalationFactory,
    "calls": CallFactory,
    "recovery": RecoveryCaseFactory,
}
KINDS = tuple(LOG_FACTORIES)
