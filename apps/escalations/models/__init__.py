from .escalation import Escalation, EscalationChannel, EscalationOrigin
from .matrix import EscalationMatrix, MatrixStep
from .stays import TierStay

__all__ = [
    "Escalation",
    "EscalationChannel",
    "EscalationMatrix",
    "EscalationOrigin",
    "MatrixStep",
    "TierStay",
]
