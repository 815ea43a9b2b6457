"""The unread count in the header: one COUNT per request, and only if the page shows it."""

from .selectors import unread_count


def unread_notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        # Templates call this each time they name it; the request keeps the answer.
        if not hasattr(request, "_unread_notifications"):
            request._unread_notifications = unread_count(user)
        return request._unread_notifications

    return {"unread_notifications": count}
