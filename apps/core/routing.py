"""The URL set every log kind gets: list, history export, new, detail, edit and the record
actions."""

from django.urls import path

from .views.history_export import HistoryExportView
from .views.records import AddNoteView, AssignView, ChangeStatusView, LinkView


def log_urlpatterns(*, model, list_view, bulk_view, detail_view, form_view) -> list:
    record_actions = {
        "note": AddNoteView,
        "status": ChangeStatusView,
        "assign": AssignView,
        "link": LinkView,
    }
    patterns = [
        path("", list_view.as_view(), name="list"),
        path("bulk/", bulk_view.as_view(), name="bulk"),
        path("new/", form_view.as_view(), name="create"),
        path("history.csv", HistoryExportView.as_view(list_view=list_view), name="history_export"),
        path("<str:reference>/", detail_view.as_view(), name="detail"),
        path("<str:reference>/edit/", form_view.as_view(), name="update"),
    ]
    for action, view in record_actions.items():
        patterns.append(path(f"<str:reference>/{action}/", view.as_view(model=model), name=action))
    return patterns
