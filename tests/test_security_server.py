"""The server as an attacker meets it, over real HTTP on 127.0.0.1: password guessing,
oversize and chunked bodies, rebound host names, cross-site requests, stolen cookies
after sign-out, and the headers every answer carries."""

from __future__ import annotations

import base64
import concurrent.futures
import socket
import time
from pathlib import Path

import httpx
import pytest

from runtime.server.app import create_app
from runtime.web.auth import COOKIE
from runtime.web.limits import Limits
from runtime.workspace import Workspace
from tests.fake_wecom import Served

PASSWORD = "correct horse"
MB = 1024 * 1024


@pytest.fixture
def served(tmp_path: Path, bots_dir: Path, gguf_dir: Path):
    workspace = Workspace(bots_dir, tmp_path / "data", gguf_dir, "zh")
    app = create_app(workspace, with_studio=False, allowed_hosts=["bots.example.com"])
    app.state.passwords.delay = 0.05  # wrong guesses wait 1 s in use; not the point here
    with Served(app) as running:
        yield running, workspace


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory, gguf_dir: Path):
    """The whole server with the studio, and small upload limits so tests stay quick."""
    import shutil

    from tests.conftest import SHIPPED_BOTS

    home = tmp_path_factory.mktemp("studio")
    shutil.copytree(SHIPPED_BOTS, home / "bots")
    workspace = Workspace(home / "bots", home / "data", gguf_dir, "zh")
    limits = Limits(model_file=3 * MB, other_file=1 * MB, body=1 * MB)
    with Served(create_app(workspace, limits=limits)) as running:
        yield running, workspace


def _basic(password: str) -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(f"script:{password}".encode()).decode()}


# --- 1. password guessing -------------------------------------------------------


def test_wrong_passwords_are_limited_per_address_and_say_when_to_retry(served) -> None:
    running, workspace = served
    workspace.settings.set_password(PASSWORD)
    with httpx.Client(base_url=running.url) as client:
        answers = [client.get("/studio/zh/", headers=_basic(f"guess{i}")) for i in range(10)]
        assert [a.status_code for a in answers] == [401] * 10
        limited = client.get("/studio/zh/", headers=_basic("guess10"))
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert "秒后再试" in limited.json()["error"]
        # Even the right password waits: otherwise the limit would not slow guessing.
        assert client.get("/studio/zh/", headers=_basic(PASSWORD)).status_code == 429
        # The sign-in form counts the same address the same way.
        form = client.post("/login", data={"password": PASSWORD, "next": "/"})
        assert form.status_code == 429 and "秒后再试" in form.text
        # WeCom and /healthz are not behind the password, so never behind its limit.
        assert client.get("/healthz").status_code == 200


def test_a_browser_session_is_not_locked_out_by_someone_guessing(served) -> None:
    running, workspace = served
    workspace.settings.set_password(PASSWORD)
    with httpx.Client(base_url=running.url, follow_redirects=False) as browser:
        assert browser.post("/login", data={"password": PASSWORD, "next": "/"}).status_code == 303
        for i in range(12):
            httpx.get(f"{running.url}/studio/zh/", headers=_basic(f"guess{i}"))
        assert browser.get("/").status_code == 303  # its cookie still opens the studio


def test_password_checks_do_not_hold_up_health_checks(served) -> None:
    """scrypt used to run on the event loop: 40 guessers held up every other request."""
    running, workspace = served
    workspace.settings.set_password(PASSWORD)
    finished: dict[str, float] = {}

    def guess(i: int) -> None:
        httpx.get(f"{running.url}/studio/zh/", headers=_basic(f"guess{i}"), timeout=60)
        finished[f"guess{i}"] = time.monotonic()

    with concurrent.futures.ThreadPoolExecutor(max_workers=9) as pool:
        guesses = [pool.submit(guess, i) for i in range(8)]
        time.sleep(0.05)  # the guesses are in: 8 hashes queued, ~0.4 s of CPU
        health = httpx.get(f"{running.url}/healthz", timeout=60)
        answered = time.monotonic()
        for future in guesses:
            future.result()
    assert health.status_code == 200
    assert answered < max(finished.values())  # health was not queued behind the hashes


def test_a_right_password_opens_the_studio_for_scripts(served) -> None:
    running, workspace = served
    workspace.settings.set_password(PASSWORD)
    for _ in range(3):  # remembered after the first check
        answer = httpx.get(f"{running.url}/", headers=_basic(PASSWORD), follow_redirects=False)
        assert answer.status_code == 303


# --- 2. bodies: declared, chunked and uploaded --------------------------------------


def _send_chunked(port: int, path: str, total: int, chunk: int = 64 * 1024) -> tuple[int, bytes]:
    """POST `total` bytes chunked, stopping as soon as the server answers; returns the
    bytes sent and the response's first bytes."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
    )
    piece = f"{chunk:x}\r\n".encode() + b"a" * chunk + b"\r\n"
    sent = 0
    sock.setblocking(False)
    response = b""
    try:
        while sent < total:
            try:
                response += sock.recv(65536)
                if response:
                    break
            except BlockingIOError:
                pass
            try:
                sock.send(piece)
                sent += chunk
            except BlockingIOError:
                time.sleep(0.001)
            except (BrokenPipeError, ConnectionResetError):
                break
        sock.setblocking(True)
        sock.settimeout(10)
        while b"\r\n\r\n" not in response:
            more = sock.recv(65536)
            if not more:
                break
            response += more
    finally:
        sock.close()
    return sent, response


def test_a_chunked_flood_to_a_callback_is_cut_off_at_the_limit(served) -> None:
    running, _ = served
    sent, response = _send_chunked(running.port, "/wecom/aibot/xiaolan-sales", 400 * MB)
    assert response.startswith(b"HTTP/1.1 413")
    assert sent < 64 * MB  # refused while it arrived, not after 400 MB


def test_a_declared_oversize_body_is_refused_before_it_is_read(served) -> None:
    running, _ = served
    answer = httpx.post(
        f"{running.url}/wecom/app/xiaolan-sales",
        content=b"<xml>" + b"a" * (300 * 1024) + b"</xml>",
    )
    assert answer.status_code == 413
    assert "256 KB" in answer.json()["error"]


def _upload_dir_files() -> set[Path]:
    from gradio.utils import get_upload_folder

    folder = Path(get_upload_folder())
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def _multipart(name: str, size: int) -> tuple[bytes, str]:
    boundary = "----botstudio-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head + b"x" * size + f"\r\n--{boundary}--\r\n".encode(), boundary


def _chunks(body: bytes, size: int = 256 * 1024):
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_uploads_are_limited_by_kind_and_nothing_partial_stays(studio) -> None:
    running, _ = studio
    before = _upload_dir_files()
    url = f"{running.url}/studio/zh/gradio_api/upload"
    body, boundary = _multipart("价格表.pdf", int(1.5 * MB))
    headers = {"content-type": f"multipart/form-data; boundary={boundary}"}
    # chunked, so only the file's own size can tell: 1.5 MB is over the 1 MB for documents
    refused = httpx.post(url, content=_chunks(body), headers=headers, timeout=60)
    assert refused.status_code == 413
    assert "价格表.pdf" in refused.json()["error"] and "1 MB" in refused.json()["error"]
    assert _upload_dir_files() == before  # the part already written was removed
    # the same size as a model file is within the model limit (3 MB here)
    body, boundary = _multipart("small.gguf", int(1.5 * MB))
    headers = {"content-type": f"multipart/form-data; boundary={boundary}"}
    accepted = httpx.post(url, content=_chunks(body), headers=headers, timeout=60)
    assert accepted.status_code == 200 and accepted.json()[0].endswith("small.gguf")
    # and a model over its own limit is refused too, declared length or not
    body, boundary = _multipart("huge.gguf", 4 * MB)
    headers = {"content-type": f"multipart/form-data; boundary={boundary}"}
    declared = httpx.post(url, content=body, headers=headers, timeout=60)
    assert declared.status_code == 413
    chunked = httpx.post(url, content=_chunks(body), headers=headers, timeout=60)
    assert chunked.status_code == 413 and "huge.gguf" in chunked.json()["error"]
    assert not any(p.name == "huge.gguf" for p in _upload_dir_files())


# --- 3. rebound host names and other sites ----------------------------------------------


def test_a_rebound_host_name_is_refused(served) -> None:
    running, _ = served
    evil = {"host": f"attacker.example:{running.port}"}
    for method, path in [("GET", "/"), ("GET", "/healthz"), ("POST", "/login")]:
        answer = httpx.request(method, f"{running.url}{path}", headers=evil)
        assert answer.status_code == 421, path
        assert "--allowed-host attacker.example" in answer.json()["error"]
    # the names it may be reached by: its own address, localhost, and the listed name
    for host in (f"127.0.0.1:{running.port}", f"localhost:{running.port}", "bots.example.com"):
        assert httpx.get(f"{running.url}/healthz", headers={"host": host}).status_code == 200


def test_requests_from_other_sites_are_refused(served, tmp_path: Path) -> None:
    running, workspace = served
    before = sorted(p.name for p in workspace.bots_dir.iterdir())
    evil = {"origin": "http://attacker.example"}
    for path in ("/studio/zh/gradio_api/queue/join", "/login", "/logout"):
        answer = httpx.post(f"{running.url}{path}", headers=evil, json={})
        assert answer.status_code == 403
        assert "attacker.example" in answer.json()["error"]
        assert "access-control-allow-origin" not in answer.headers
    assert (
        httpx.post(
            f"{running.url}/login", headers={"origin": "null"}, data={"password": "x"}
        ).status_code
        == 403
    )  # a sandboxed frame or a local file
    # the server's own pages, and the listed public name behind an HTTPS proxy, may post
    own = httpx.post(f"{running.url}/logout", headers={"origin": running.url})
    assert own.status_code == 303
    proxied = httpx.post(f"{running.url}/logout", headers={"origin": "https://bots.example.com"})
    assert proxied.status_code == 303
    # WeCom's callbacks are signed instead: an Origin does not stop them
    callback = httpx.post(f"{running.url}/wecom/aibot/nobody", headers=evil, content=b"{}")
    assert callback.status_code != 403
    assert sorted(p.name for p in workspace.bots_dir.iterdir()) == before


def test_a_foreign_origin_is_never_reflected_with_credentials(studio) -> None:
    running, _ = studio
    # Gradio's own CORS answer reflects any Origin for a non-localhost Host
    preflight = httpx.options(
        f"{running.url}/studio/zh/gradio_api/queue/join",
        headers={
            "origin": "http://attacker.example",
            "access-control-request-method": "POST",
            "host": "bots.example.com",
        },
    )
    assert preflight.headers.get("access-control-allow-origin") in (None, "")
    own = httpx.get(f"{running.url}/studio/zh/config", headers={"origin": running.url})
    assert own.status_code == 200
    assert own.headers.get("access-control-allow-origin") in (None, "")


# --- sign-out, headers, cookies -------------------------------------------------------


def test_signing_out_ends_the_session_on_the_server(served) -> None:
    running, workspace = served
    workspace.settings.set_password(PASSWORD)
    with httpx.Client(base_url=running.url, follow_redirects=False) as browser:
        browser.post("/login", data={"password": PASSWORD, "next": "/"})
        stolen = browser.cookies[COOKIE]
        assert browser.get("/").status_code == 303  # in: sent on to the studio
        out = browser.post("/logout")
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert COOKIE not in browser.cookies
    replayed = httpx.get(f"{running.url}/", cookies={COOKIE: stolen})
    assert replayed.status_code == 401  # a copied cookie is worth nothing after sign-out


def test_every_answer_carries_the_security_headers(served) -> None:
    running, workspace = served
    answers = [httpx.get(f"{running.url}/healthz"), httpx.get(f"{running.url}/login")]
    workspace.settings.set_password(PASSWORD)
    answers.append(httpx.get(f"{running.url}/studio/zh/config"))  # a 401
    answers.append(httpx.get(f"{running.url}/", headers={"host": "attacker.example"}))  # a 421
    for answer in answers:
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"
        assert answer.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


def test_the_session_cookie_is_secure_behind_https(served) -> None:
    running, workspace = served
    workspace.settings.set_password(PASSWORD)
    form = {"password": PASSWORD, "next": "/"}
    plain = httpx.post(f"{running.url}/login", data=form, follow_redirects=False)
    assert "secure" not in plain.headers["set-cookie"].lower()
    assert "httponly" in plain.headers["set-cookie"].lower()
    # an HTTPS reverse proxy on this machine says so in X-Forwarded-Proto
    https = httpx.post(
        f"{running.url}/login",
        data=form,
        follow_redirects=False,
        headers={"x-forwarded-proto": "https"},
    )
    assert "secure" in https.headers["set-cookie"].lower()


# --- in the browser ------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_sign_out_from_the_studio_in_chromium(studio) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")
    running, workspace = studio
    workspace.settings.set_password(PASSWORD)
    try:
        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(locale="zh-CN")
            page.set_default_timeout(30_000)
            page.goto(f"{running.url}/studio/zh/")
            assert "/login" in page.url  # the password first
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            sign_out = page.locator("#sign-out")
            playwright_api.expect(sign_out).to_be_visible(timeout=30_000)  # after page load
            assert sign_out.inner_text().strip() == "退出登录"
            sign_out.click()
            page.wait_for_url("**/login**")
            page.goto(f"{running.url}/studio/zh/")  # the session is over, not just hidden
            assert "/login" in page.url
            browser.close()
    finally:
        workspace.settings.delete("studio_password")
