"""Requesting one cell (address × role × method) and naming its outcome."""

import copy
from urllib.parse import parse_qs, urlsplit

from django.db import transaction
from django.test import Client

from .world import ANONYMOUS

LOGIN = "login"  # 302 to the portal's login page, back to the address afterwards
ADMIN_LOGIN = "admin login"  # 302 to the admin's login page, back to the address afterwards
LOGIN_PAGES = {"/accounts/login/": LOGIN, "/admin/login/": ADMIN_LOGIN}


def outcome_of(response, path: str):
    """The status code, or LOGIN / ADMIN_LOGIN for a redirect that asks to log in."""
    if response.status_code == 302:
        target = urlsplit(response.url)
        if target.path in LOGIN_PAGES and parse_qs(target.query).get("next") == [path]:
            return LOGIN_PAGES[target.path]
    return response.status_code


class Browser:
    """One test client per role, logged in once. Every request runs in a savepoint that is
    rolled back and the client's cookies are put back afterwards, so that no cell (a POST, a
    logout) changes what another cell sees."""

    def __init__(self, users: dict, **client_options):
        self.clients = {ANONYMOUS: Client(**client_options)}
        for role, user in users.items():
            self.clients[role] = Client(**client_options)
            self.clients[role].force_login(user)

    def request(self, role: str, method: str, path: str, **extra):
        """(outcome, response, body); a server error is the outcome "500 <exception>"."""
        client = self.clients[role]
        cookies = copy.deepcopy(client.cookies)
        try:
            with transaction.atomic():
                response = getattr(client, method.lower())(path, **extra)
                body = b"".join(response) if response.streaming else response.content
                transaction.set_rollback(True)
        except Exception as error:  # noqa: BLE001 - any exception is a 500 cell to report
            return f"500 {error.__class__.__name__}: {error}", None, b""
        finally:
            client.cookies = cookies
        return outcome_of(response, path), response, body
