import pytest
from django.test import Client

from apps.api.models import Scope
from apps.api.tokens import token_issue


class ApiClient:
    """A test client that sends a personal token and JSON, and reads JSON back."""

    def __init__(self, secret: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def request(self, method: str, path: str, body=None, **query):
        kwargs = {"headers": self.headers}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        if query:
            path = f"{path}?" + "&".join(f"{key}={value}" for key, value in query.items())
        return getattr(self.client, method.lower())(path, **kwargs)

    def get(self, path, **query):
        return self.request("GET", path, **query)

    def post(self, path, body=None, **query):
        return self.request("POST", path, body if body is not None else {}, **query)

    def patch(self, path, body, **query):
        return self.request("PATCH", path, body, **query)


@pytest.fixture
def api_as():
    """api_as(user, scope="write") → an ApiClient with a new token of that user's."""

    def make(user, scope: str = Scope.WRITE) -> ApiClient:
        _, secret = token_issue(user, name=f"tests {scope}", scope=scope)
        return ApiClient(secret)

    return make
