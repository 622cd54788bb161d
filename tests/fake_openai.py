"""A small OpenAI-compatible server on 127.0.0.1 for what a real one will not do on cue:
refuse a key (401), run out of quota (429), not know a model (404), fail (5xx), hang,
drop a stream half-way. It records exactly what was sent: the raw request bytes too.

    fake = FakeOpenAI(reply="Hello there, how can I help?")   # serving at fake.url
    fake.fail(429); fake.cut_after(3); fake.hang(); fake.hold_after(2); fake.ok()
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ERRORS = {
    400: ("invalid_request_error", "Invalid request"),
    401: ("invalid_request_error", "Incorrect API key provided"),
    404: ("invalid_request_error", "The model does not exist"),
    429: ("insufficient_quota", "You exceeded your current quota"),
    500: ("server_error", "Internal server error"),
    503: ("server_error", "The server is overloaded"),
}


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body) if self.body else {}


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a connection the fake dropped on purpose, or a client that went away


def dead_url() -> str:
    """A loopback address where nothing listens: connecting is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


class FakeOpenAI:
    def __init__(
        self,
        reply: str = "Hello there, how can I help you today?",
        models: tuple[str, ...] = ("fake-model",),
        key: str | None = None,
        refuse_json_schema: bool = False,
    ):
        self.reply = reply
        self.models = models
        self.key = key  # when set, any other key gets a 401
        self.refuse_json_schema = refuse_json_schema  # as DeepSeek's API does (a 400)
        self.requests: list[Recorded] = []
        self.mode, self.status, self.after = "ok", 200, 0
        self.released = threading.Event()
        self._stop = threading.Event()
        self.server = _QuietServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    # --- behaviour --------------------------------------------------------------

    def ok(self) -> None:
        self.mode = "ok"

    def fail(self, status: int) -> None:
        self.mode, self.status = "fail", status

    def cut_after(self, pieces: int) -> None:
        """Stream `pieces` pieces of the reply, then drop the connection mid-body."""
        self.mode, self.after = "cut", pieces

    def hold_after(self, pieces: int) -> None:
        """Stream `pieces` pieces, then wait until `release()`."""
        self.mode, self.after = "hold", pieces
        self.released.clear()

    def release(self) -> None:
        self.released.set()

    def hang(self) -> None:
        """Accept the request and never answer (until closed)."""
        self.mode = "hang"

    def chats(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def close(self) -> None:
        self._stop.set()
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the server -------------------------------------------------------------

    def pieces(self) -> list[str]:
        words = self.reply.split(" ")
        return [w if i == 0 else f" {w}" for i, w in enumerate(words)]

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def _record(self) -> Recorded:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                recorded = Recorded(self.command, self.path, dict(self.headers), body)
                fake.requests.append(recorded)
                return recorded

            def _json(self, status: int, data: dict[str, Any]) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _error(self, status: int, message: str | None = None) -> None:
                kind, default = ERRORS.get(status, ("server_error", "error"))
                self._json(
                    status, {"error": {"message": message or default, "type": kind, "code": kind}}
                )

            def _authorised(self) -> bool:
                if fake.key is None or self.headers.get("authorization") == f"Bearer {fake.key}":
                    return True
                self._error(401)
                return False

            def do_GET(self) -> None:
                self._record()
                if not self._authorised():
                    return
                if self.path.endswith("/models"):
                    data = [{"id": m, "object": "model", "owned_by": "fake"} for m in fake.models]
                    self._json(200, {"object": "list", "data": data})
                else:
                    self._error(404, "no such path")

            def do_POST(self) -> None:
                request = self._record()
                if not self.path.endswith("/chat/completions"):
                    return self._error(404, "no such path")
                if not self._authorised():
                    return None
                body = request.json
                if fake.mode == "fail":
                    return self._error(fake.status)
                if fake.mode == "hang":
                    fake._stop.wait(60)
                    return None
                if body.get("model") not in fake.models:
                    return self._error(404, f"The model `{body.get('model')}` does not exist")
                fmt = (body.get("response_format") or {}).get("type")
                if fake.refuse_json_schema and fmt == "json_schema":
                    return self._error(400, "response_format type json_schema is unavailable")
                if body.get("stream"):
                    return self._stream(body)
                message = {"role": "assistant", "content": fake.reply}
                choice = {"index": 0, "message": message, "finish_reason": "stop"}
                return self._json(
                    200,
                    {
                        "id": "c1",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body["model"],
                        "choices": [choice],
                    },
                )

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            def _event(self, model: str, delta: dict[str, Any], finish: str | None = None) -> None:
                choice = {"index": 0, "delta": delta, "finish_reason": finish}
                chunk = {
                    "id": "c1",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": model,
                    "choices": [choice],
                }
                self._chunk(f"data: {json.dumps(chunk)}\n\n".encode())

            def _stream(self, body: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("transfer-encoding", "chunked")
                self.end_headers()
                model = body["model"]
                self._event(model, {"role": "assistant", "content": ""})
                mode, after = fake.mode, fake.after
                for number, piece in enumerate(fake.pieces()):
                    if mode == "cut" and number == after:
                        # the server dies: no last chunk, the connection just ends
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    if mode == "hold" and number == after:
                        fake.released.wait(60)
                    self._event(model, {"content": piece})
                    time.sleep(0.002)
                self._event(model, {}, "stop")
                self._chunk(b"data: [DONE]\n\n")
                self._chunk(b"")

        return Handler
