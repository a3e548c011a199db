"""Helpers of the notify tests: a loopback HTTP receiver that can be stopped and restarted, alerts, settings."""
from __future__ import annotations

import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from veilleur.analytics.notify_settings import NotifySettings
from veilleur.core.alert import Alert, AlertKind, Explanation, Severity

T0 = datetime(2026, 10, 9, 8, 30, tzinfo=UTC)
SECRET = "s3cr3t-de-test"


class Receiver:
    """An HTTP server on 127.0.0.1 that records every request (path, headers, body) and answers ``status``."""

    def __init__(self, status: int = 200):
        self.status = status
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.port = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((self.path, dict(self.headers.items()), body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):  # keep the test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


def alert(alert_id: int | None = 7, severity: Severity = Severity.CRITICAL, bank: str | None = "Banque Hélios",
          kind: AlertKind = AlertKind.VOLUME_BURST, post_ids: list[int] | None = None,
          entity: str | None = "helios") -> Alert:
    explanation = Explanation(observed=48, expected=6.5, threshold=20, window_s=900, measure="messages en 15 min")
    return Alert(kind=kind, subject=f"bank={bank}|topic=digital", bank=bank, entity=entity, severity=severity,
                 title="pic de messages sur l'appli Hélios Mobile", explanation=explanation,
                 post_ids=post_ids or [], opened_at=T0, updated_at=T0, id=alert_id)


def settings(*channels: dict, **values) -> NotifySettings:
    return NotifySettings.model_validate({"channels": list(channels), **values})
