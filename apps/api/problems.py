"""Errors as JSON problem details (RFC 9457): a title, a detail, and the fields at fault.

{"type": "about:blank", "title": "Invalid input", "status": 400,
 "detail": "Check the fields named in errors.", "errors": {"title": ["This field is required."]}}
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as SchemaError

from apps.core.exceptions import StaleRecordError, TransitionError

CONTENT_TYPE = "application/problem+json"
NON_FIELD = "__all__"


class Problem(Exception):
    """Raised anywhere in an API operation: answered as this problem."""

    def __init__(self, status: int, title: str, detail: str = "", errors: dict | None = None):
        self.status, self.title, self.detail, self.errors = status, title, detail, errors
        super().__init__(detail or title)


def problem_response(
    status: int, title: str, detail: str = "", *, errors: dict | None = None, headers=None
) -> JsonResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    response = JsonResponse(body, status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def invalid(errors: dict, detail: str = "Check the fields named in errors.") -> Problem:
    return Problem(400, "Invalid input", detail, errors)


def validation_errors(error: ValidationError) -> dict[str, list[str]]:
    """A Django ValidationError as {field: [messages]}, `__all__` for the whole record."""
    if hasattr(error, "error_dict"):
        return {
            field: [str(m) for e in errors for m in e.messages]
            for field, errors in error.error_dict.items()
        }
    return {NON_FIELD: [str(message) for message in error.messages]}


def _schema_errors(error: SchemaError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for item in error.errors:
        location = [
            str(part) for part in item.get("loc", ()) if part not in ("body", "payload", "query")
        ]
        errors.setdefault(".".join(location) or NON_FIELD, []).append(item.get("msg", "Invalid."))
    return errors


def install_problem_handlers(api) -> None:
    """Every error an operation can meet, answered as a problem."""

    @api.exception_handler(Problem)
    def _problem(request, error: Problem):
        return problem_response(error.status, error.title, error.detail, errors=error.errors)

    @api.exception_handler(SchemaError)
    def _schema(request, error: SchemaError):
        return problem_response(
            400, "Invalid input", "Check the fields named in errors.", errors=_schema_errors(error)
        )

    @api.exception_handler(ValidationError)
    def _validation(request, error: ValidationError):
        return problem_response(
            400,
            "Not allowed by the portal's rules",
            " ".join(error.messages),
            errors=validation_errors(error),
        )

    @api.exception_handler(TransitionError)
    def _transition(request, error: TransitionError):
        return problem_response(
            409,
            "Not allowed from the record's current state",
            " ".join(error.messages),
            errors=validation_errors(error),
        )

    @api.exception_handler(StaleRecordError)
    def _stale(request, error: StaleRecordError):
        return problem_response(
            409,
            "Changed since you read it",
            f"{error.record.reference} is at version {error.record.version}, not "
            f"{error.expected_version}: read it again, then send your change with its version.",
            errors={"version": [f"The record is at version {error.record.version}."]},
        )

    @api.exception_handler(Http404)
    def _not_found(request, error: Http404):
        return problem_response(404, "Not found", str(error) or "No such resource here.")

    @api.exception_handler(PermissionDenied)
    def _denied(request, error: PermissionDenied):
        return problem_response(403, "Forbidden", str(error) or "Your role may not do this.")

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, error: AuthenticationError):
        return problem_response(
            401,
            "Unauthorized",
            "Send a valid, unrevoked personal API token: Authorization: Bearer <token>.",
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        )

    @api.exception_handler(Throttled)
    def _throttled(request, error: Throttled):
        wait = max(1, round(error.wait or 1))
        return problem_response(
            429,
            "Too many requests",
            f"This token's rate limit is reached: try again in {wait} s.",
            headers={"Retry-After": str(wait)},
        )

    @api.exception_handler(HttpError)
    def _http(request, error: HttpError):
        return problem_response(error.status_code, str(error))
