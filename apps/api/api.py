"""The portal's REST API: every log, audit findings and notifications, at /api/."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_safe
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from .auth import TokenAuth
from .kinds import KINDS
from .problems import install_problem_handlers
from .rendering import ExactJSONRenderer
from .routers.escalations import add_escalation_actions
from .routers.findings import router as findings_router
from .routers.notifications import router as notifications_router
from .routers.records import record_router
from .throttling import TokenRateThrottle

DESCRIPTION = """
Every request carries a personal API token of yours (`Authorization: Bearer <token>`),
created on your API tokens page. A token acts with your role and clients, no more; a
read-only token changes nothing. Errors are problem details (`application/problem+json`)
naming the fields at fault. Changes send the `version` they read: a newer one is a 409.
"""


def _documentation_page(view):
    """The documentation and its schema: read by people signed in to the portal."""
    return login_required(require_safe(view))


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="BPO Operations Portal API",
        version="1",
        description=DESCRIPTION,
        urls_namespace="api",
        auth=TokenAuth(),
        throttle=[TokenRateThrottle()],
        docs=Swagger(settings={"persistAuthorization": False}),
        docs_url="/docs",
        docs_decorator=_documentation_page,
        renderer=ExactJSONRenderer(),
    )
    install_problem_handlers(api)
    for kind in KINDS:
        router = record_router(kind)
        if kind.segment == "escalations":
            add_escalation_actions(router, kind)
        api.add_router(f"/{kind.segment}/", router)
    api.add_router("/findings/", findings_router)
    api.add_router("/notifications/", notifications_router)
    return api


api = build_api()
