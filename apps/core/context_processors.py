from .access import role_names
from .navigation import log_sections
from .runs import engine_state


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": [], "user_roles": []}
    return {"nav_sections": log_sections(user), "user_roles": lambda: role_names(user)}


def engine_warning(request) -> dict:
    """Leads (who may act on escalations in bulk) are warned when the sweep has stopped."""
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("escalations.bulk_update_escalation"):
        return {}
    state = engine_state()
    return {} if state["ok"] else {"engine_stopped": state}
