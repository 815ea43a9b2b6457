from .escalation import Escalation, EscalationChannel, EscalationOrigin
from .matrix import EscalationMatrix, MatrixStep

__all__ = [
    "Escalation",
    "EscalationChannel",
    "EscalationMatrix",
    "EscalationOrigin",
    "MatrixStep",
]
