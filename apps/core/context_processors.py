from .navigation import log_sections


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    return {"nav_sections": log_sections(user)}
