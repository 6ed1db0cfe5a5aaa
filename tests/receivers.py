"""Real servers on 127.0.0.1 for the alert tests: one HTTP server that serves a feed the test writes and
receives JSON webhooks (answering with scripted statuses), and an SMTP server (aiosmtpd) that keeps e-mails."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope


@dataclass
class Hooks:
    """What the webhook route received, and what it answers next."""

    bodies: list[dict[str, object]] = field(default_factory=list)  # every POST, accepted or not
    answered: list[int] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answered in turn; 200 once they run out
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accepted(self) -> list[dict[str, object]]:
        return [b for b, s in zip(self.bodies, self.answered, strict=True) if s == 200]


class _Handler(BaseHTTPRequestHandler):
    server: ReceiverServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = self.server.feed
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        hooks = self.server.hooks
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.stopping.wait(hooks.delay)
        with hooks.lock:
            status = hooks.statuses.pop(0) if hooks.statuses else 200
            hooks.bodies.append(payload)
            hooks.answered.append(status)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


class ReceiverServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.feed = b""
        self.hooks = Hooks()
        self.stopping = threading.Event()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


class SMTPReceiver:
    """aiosmtpd on a free port of 127.0.0.1, keeping every message it is given."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.box = _Mailbox()
        self.controller = Controller(self.box, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def messages(self) -> list[EmailMessage]:
        return self.box.messages

    def stop(self) -> None:
        self.controller.stop()
