"""A small HTTP client for the served portal: one kept-alive connection, the session cookie,
and timings of whole answers and of streamed ones (first byte, bytes, rows)."""

import http.client
import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
READ_BYTES = 256 * 1024


@dataclass(frozen=True)
class Streamed:
    status: int
    content_type: str
    first_byte: float  # seconds from sending the request to the first byte of the body
    first_row: float  # … to the end of the first line after the header
    seconds: float
    size: int
    rows: int  # lines of CSV, less the header (a cell with a line break counts twice)
    location: str = ""  # where a redirect points


class PortalClient:
    """One user's browser: cookies kept, one connection reused (as a browser does)."""

    def __init__(self, host: str, port: int, timeout: float = 600):
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(host, port, timeout=timeout)

    def close(self) -> None:
        self.connection.close()

    def _headers(self, extra: dict | None = None) -> dict:
        headers = {"Host": f"{self.host}:{self.port}", "Connection": "keep-alive"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return headers | (extra or {})

    def _keep_cookies(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value

    def _send(self, method: str, path: str, body: bytes | None, headers: dict):
        try:
            self.connection.request(method, path, body=body, headers=self._headers(headers))
            return self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed the kept-alive connection (gunicorn's sync workers do): again.
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, self.timeout)
            self.connection.request(method, path, body=body, headers=self._headers(headers))
            return self.connection.getresponse()

    def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes, float]:
        """Status, body and seconds for the whole answer."""
        began = time.perf_counter()
        response = self._send("GET", path, None, headers or {})
        body = response.read()
        seconds = time.perf_counter() - began
        self._keep_cookies(response)
        return response.status, body, seconds

    def post(self, path: str, fields: dict) -> tuple[int, bytes]:
        body = urlencode(fields).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{self.host}:{self.port}{path}",
        }
        response = self._send("POST", path, body, headers)
        content = response.read()
        self._keep_cookies(response)
        return response.status, content

    def log_in(self, username: str, password: str, path: str = "/accounts/login/") -> None:
        status, body, _ = self.get(path)
        token = CSRF_FIELD.search(body)
        if status != 200 or token is None:
            raise RuntimeError(f"The login page answered {status} without a form.")
        fields = {"username": username, "password": password}
        status, _ = self.post(path, fields | {"csrfmiddlewaretoken": token.group(1).decode()})
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"Logging in as {username} failed ({status}).")

    def stream(self, path: str, on_chunk=None) -> Streamed:
        """Read a streamed answer as it comes; `on_chunk()` is called after each read."""
        began = time.perf_counter()
        response = self._send("GET", path, None, {})
        first_byte, first_row, size, lines = None, None, 0, 0
        while chunk := response.read1(READ_BYTES):
            if first_byte is None:
                first_byte = time.perf_counter() - began
            size += len(chunk)
            lines += chunk.count(b"\n")
            if first_row is None and lines >= 2:
                first_row = time.perf_counter() - began
            if on_chunk is not None:
                on_chunk()
        seconds = time.perf_counter() - began
        self._keep_cookies(response)
        return Streamed(
            status=response.status,
            content_type=response.headers.get("Content-Type", ""),
            first_byte=first_byte if first_byte is not None else seconds,
            first_row=first_row if first_row is not None else seconds,
            seconds=seconds,
            size=size,
            rows=max(lines - 1, 0),
            location=response.headers.get("Location", ""),
        )
