from .audits import QualityAuditAddView, QualityAuditListView
from .calls import CallBulkView, CallDetailView, CallFormView, CallListView
from .imports import CallImportTemplateView, CallImportView

__all__ = [
    "CallBulkView",
    "CallDetailView",
    "CallFormView",
    "CallImportTemplateView",
    "CallImportView",
    "CallListView",
    "QualityAuditAddView",
    "QualityAuditListView",
]
