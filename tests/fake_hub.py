"""A Hugging Face-compatible model hub on 127.0.0.1, and ModelScope's API beside it.

What the real hubs do, as far as a GGUF download sees it:

- `HEAD /{repo}/resolve/{revision}/{file}` answers 302 with `X-Repo-Commit`,
  `X-Linked-Etag` (the file's SHA-256), `X-Linked-Size`, an `ETag` that is *not* the
  SHA-256 (Hugging Face's is the git blob id of the LFS pointer) and a `Location` on
  another origin (the CDN; here a second port);
- `GET` there follows to the CDN, which serves the bytes with `Range` (206 and
  `Content-Range`) and an `ETag` of the SHA-256;
- ModelScope: `GET /api/v1/models/{repo}/repo/files?Revision=master&Recursive=true`
  lists `Path`, `Size` and `Sha256`; `GET /api/v1/models/{repo}/repo?Revision=…&FilePath=…`
  serves the bytes, with `Range`.

Switches a test sets: drop the connection mid-file, serve corrupted bytes, throttle,
declare another size, ignore `Range`. Every request is recorded (method, path, the
`Range` asked for, body bytes sent).
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

COMMIT = "7f1c3a5e9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a"
CHUNK = 1 << 20


@dataclass
class HubFile:
    repo: str
    name: str
    path: Path
    size: int
    sha256: str
    git_etag: str


@dataclass
class Seen:
    method: str
    path: str
    range_start: int | None
    status: int
    sent: int = 0  # body bytes actually written


@dataclass
class FakeHub:
    files: dict[tuple[str, str], HubFile] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    drops: int = 0  # GETs still to be cut off ...
    drop_after: int = 0  # ... after this many body bytes
    corrupt: bool | str = False  # flip a byte mid-file: in every file, or in files named so
    hide_sha256: bool = False  # no X-Linked-Etag, no Sha256: the hub keeps no record
    throttle: float | None = None  # bytes per second, per response
    ignore_range: bool = False  # answer 200 with the whole file, as some proxies do
    declared_size: dict[str, int] = field(default_factory=dict)  # file name -> X-Linked-Size
    url: str = ""
    cdn_url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _servers: list[ThreadingHTTPServer] = field(default_factory=list)

    # --- content -----------------------------------------------------------

    def add(self, repo: str, name: str, path: Path) -> HubFile:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while block := handle.read(CHUNK):
                digest.update(block)
        git_etag = hashlib.sha1(f"pointer {name}".encode()).hexdigest()
        entry = HubFile(repo, name, path, path.stat().st_size, digest.hexdigest(), git_etag)
        self.files[(repo, name)] = entry
        return entry

    def by_sha(self, sha: str) -> HubFile | None:
        return next((f for f in self.files.values() if f.sha256 == sha), None)

    # --- what tests read ---------------------------------------------------

    def gets(self, name: str | None = None) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.method == "GET" and (name is None or name in s.path)]

    def body_bytes(self, name: str | None = None) -> int:
        return sum(s.sent for s in self.gets(name))

    def reset_log(self) -> None:
        with self._lock:
            self.seen.clear()

    def reset(self) -> None:
        """Every switch off, the log empty: a well-behaved hub again."""
        self.drops, self.drop_after, self.corrupt, self.throttle = 0, 0, False, None
        self.ignore_range = self.hide_sha256 = False
        self.declared_size.clear()
        self.reset_log()

    # --- serving -----------------------------------------------------------

    def start(self) -> FakeHub:
        hub_server = self._serve()
        cdn_server = self._serve()
        self.url = f"http://127.0.0.1:{hub_server.server_address[1]}"
        self.cdn_url = f"http://127.0.0.1:{cdn_server.server_address[1]}"
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _serve(self) -> ThreadingHTTPServer:
        hub = self

        class Handler(_Handler):
            pass

        Handler.hub = hub
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._servers.append(server)
        return server

    def _record(self, entry: Seen) -> Seen:
        with self._lock:
            self.seen.append(entry)
        return entry


class _Handler(BaseHTTPRequestHandler):
    hub: FakeHub
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_HEAD(self) -> None:
        self._route(head=True)

    def do_GET(self) -> None:
        self._route(head=False)

    def _route(self, head: bool) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if path.startswith("/cdn/"):
            entry = self.hub.by_sha(path.removeprefix("/cdn/"))
            return self._bytes(entry, head)
        if path.startswith("/api/v1/models/") and path.endswith("/repo/files"):
            repo = path.removeprefix("/api/v1/models/").removesuffix("/repo/files")
            return self._modelscope_list(repo)
        if path.startswith("/api/v1/models/") and path.endswith("/repo"):
            repo = path.removeprefix("/api/v1/models/").removesuffix("/repo")
            return self._bytes(self.hub.files.get((repo, query.get("FilePath", ""))), head)
        if "/resolve/" in path:
            repo, _, rest = path.lstrip("/").partition("/resolve/")
            _revision, _, name = rest.partition("/")
            return self._resolve(self.hub.files.get((repo, name)), head)
        self._status(404, head)

    def _status(self, code: int, head: bool, body: bytes = b"") -> None:
        self.hub._record(Seen(self.command, self.path, None, code))
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _resolve(self, entry: HubFile | None, head: bool) -> None:
        if entry is None:
            self.hub._record(Seen(self.command, self.path, None, 404))
            self.send_response(404)
            self.send_header("X-Error-Code", "EntryNotFound")
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("Content-Length", "0")
            return self.end_headers()
        self.hub._record(Seen(self.command, self.path, None, 302))
        size = self.hub.declared_size.get(entry.name, entry.size)
        self.send_response(302)
        self.send_header("Location", f"{self.hub.cdn_url}/cdn/{entry.sha256}?n={quote(entry.name)}")
        self.send_header("X-Repo-Commit", COMMIT)
        if not self.hub.hide_sha256:
            self.send_header("X-Linked-Etag", f'"{entry.sha256}"')
        self.send_header("X-Linked-Size", str(size))
        self.send_header("ETag", f'"{entry.git_etag}"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _modelscope_list(self, repo: str) -> None:
        files = [
            {
                "Name": f.name,
                "Path": f.name,
                "Type": "blob",
                "Revision": COMMIT,
                "Size": self.hub.declared_size.get(f.name, f.size),
                "Sha256": "" if self.hub.hide_sha256 else f.sha256,
                "IsLFS": True,
            }
            for f in self.hub.files.values()
            if f.repo == repo
        ]
        if not files:
            body = {"Code": 10010205001, "Message": "模型不存在", "Success": False}
            return self._status(404, False, json.dumps(body, ensure_ascii=False).encode())
        body = {"Code": 200, "Data": {"Files": files}, "Message": "success", "Success": True}
        raw = json.dumps(body).encode()
        self.hub._record(Seen(self.command, self.path, None, 200, len(raw)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _bytes(self, entry: HubFile | None, head: bool) -> None:
        if entry is None:
            return self._status(404, head)
        start, end = 0, entry.size - 1
        asked = self.headers.get("Range")
        ranged = False
        if asked and asked.startswith("bytes=") and not self.hub.ignore_range:
            first, _, last = asked.removeprefix("bytes=").partition("-")
            start = int(first or 0)
            end = min(int(last), entry.size - 1) if last else entry.size - 1
            ranged = True
        if start >= entry.size:
            return self._status(416, head)
        length = end - start + 1
        record = self.hub._record(
            Seen(self.command, self.path, start if asked else None, 206 if ranged else 200)
        )
        self.send_response(206 if ranged else 200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", f'"{entry.git_etag if self.hub.hide_sha256 else entry.sha256}"')
        if ranged:
            self.send_header("Content-Range", f"bytes {start}-{end}/{entry.size}")
        self.end_headers()
        if head:
            return
        with self.hub._lock:
            cut = self.hub.drop_after if self.hub.drops > 0 else None
            if cut is not None:
                self.hub.drops -= 1
        corrupt = self.hub.corrupt is True or (
            bool(self.hub.corrupt) and str(self.hub.corrupt) in entry.name
        )
        plain = cut is None and not corrupt and not self.hub.throttle
        try:
            if plain:
                with entry.path.open("rb") as handle:
                    record.sent = self.connection.sendfile(handle, start, length)
                return
            self._copy(entry, start, length, cut, record, corrupt)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _copy(
        self, entry: HubFile, start: int, length: int, cut: int | None, record: Seen, corrupt: bool
    ) -> None:
        bad_at = entry.size // 2 if corrupt else -1
        position, left = start, length
        began = time.monotonic()
        with entry.path.open("rb") as handle:
            handle.seek(start)
            while left > 0:
                block = handle.read(min(CHUNK // 4, left))
                if cut is not None and record.sent + len(block) > cut:
                    block = block[: cut - record.sent]
                if position <= bad_at < position + len(block):
                    i = bad_at - position
                    block = block[:i] + bytes([block[i] ^ 0xFF]) + block[i + 1 :]
                self.wfile.write(block)
                record.sent += len(block)
                position += len(block)
                left -= len(block)
                if cut is not None and record.sent >= cut:
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)  # the line goes dead mid-file
                    self.close_connection = True
                    return
                if self.hub.throttle:
                    ahead = record.sent / self.hub.throttle - (time.monotonic() - began)
                    if ahead > 0:
                        time.sleep(ahead)
