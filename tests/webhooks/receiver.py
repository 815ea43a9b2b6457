"""A webhook receiver on the loopback interface, for the tests: it answers what it is told
to (a status, or silence past the sender's timeout) and keeps every request it got."""

import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict
    body: bytes
    answered: int | None


class Receiver:
    """`plan` is a queue of answers, each a status code or ("sleep", seconds, status); once
    it is empty every request is answered `default`."""

    def __init__(self) -> None:
        self.plan: deque = deque()
        self.default = 200
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    answer = receiver.plan.popleft() if receiver.plan else receiver.default
                if isinstance(answer, tuple):
                    _, seconds, answer = answer
                    time.sleep(seconds)
                with receiver._lock:
                    receiver.requests.append(Received(self.path, dict(self.headers), body, answer))
                try:
                    self.send_response(answer)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender gave up waiting

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Receiver":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answered_ok(self) -> list[Received]:
        return [r for r in self.requests if r.answered is not None and 200 <= r.answered < 300]
