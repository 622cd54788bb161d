"""The studio password over real HTTP: refused without it, in with it, WeCom and /healthz open."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from runtime.server.app import create_app
from runtime.store.settings import Settings
from runtime.web.auth import make_session, safe_next, valid_session
from runtime.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path, bots_dir: Path, gguf_dir: Path):
    workspace = Workspace(bots_dir, tmp_path / "data", gguf_dir, "en")
    app = create_app(workspace, with_studio=False)  # the gate is the same with the studio mounted
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    while not uv.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", workspace
    uv.should_exit = True
    thread.join(timeout=10)


def test_without_a_password_everything_is_open_on_loopback(server) -> None:
    url, _ = server
    assert httpx.get(f"{url}/", follow_redirects=False).status_code == 303


def test_with_a_password_pages_redirect_to_sign_in_and_apis_get_401(server) -> None:
    url, workspace = server
    workspace.settings.set_password("correct horse")
    page = httpx.get(f"{url}/studio/zh/", headers={"accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fstudio%2Fzh%2F"
    api = httpx.post(f"{url}/studio/zh/gradio_api/queue/join", json={})
    assert api.status_code == 401
    assert httpx.get(f"{url}/healthz").status_code == 200
    assert httpx.get(f"{url}/wecom/aibot/xiaolan-sales").status_code != 401  # WeCom signs its own


def test_signing_in_sets_a_cookie_that_opens_the_studio(server) -> None:
    url, workspace = server
    workspace.settings.set_password("correct horse")
    with httpx.Client(base_url=url, follow_redirects=False) as client:
        wrong = client.post("/login", data={"password": "nope", "next": "/"})
        assert wrong.status_code == 401 and "密码不正确" in wrong.text  # Chinese by default
        right = client.post("/login", data={"password": "correct horse", "next": "/studio/en/"})
        assert right.status_code == 303 and right.headers["location"] == "/studio/en/"
        assert client.get("/", headers={"accept": "text/html"}).status_code == 303
        assert client.get("/").headers["location"].startswith("/studio/")


def test_basic_auth_works_for_scripts(server) -> None:
    url, workspace = server
    workspace.settings.set_password("correct horse")
    token = base64.b64encode(b"any:correct horse").decode()
    ok = httpx.get(f"{url}/", headers={"authorization": f"Basic {token}"}, follow_redirects=False)
    assert ok.status_code == 303
    bad = base64.b64encode(b"any:wrong").decode()
    assert httpx.get(f"{url}/", headers={"authorization": f"Basic {bad}"}).status_code == 401


def test_only_a_salted_hash_is_stored_in_a_private_file(tmp_path: Path) -> None:
    settings = Settings(tmp_path / "settings.json")
    settings.set_password("correct horse")
    text = (tmp_path / "settings.json").read_text()
    assert "correct horse" not in text and "scrypt" in text
    assert (tmp_path / "settings.json").stat().st_mode & 0o777 == 0o600
    other = Settings(tmp_path / "other.json")
    other.set_password("correct horse")
    assert other.get("studio_password")["scrypt"] != settings.get("studio_password")["scrypt"]
    assert settings.check_password("correct horse") and not settings.check_password("wrong")


def test_sessions_expire_and_cannot_be_forged() -> None:
    key = b"k" * 32
    session = make_session(key, now=1000)
    assert valid_session(key, session, now=2000)
    assert not valid_session(key, session, now=1000 + 8 * 24 * 3600)
    assert not valid_session(b"x" * 32, session, now=2000)
    expiry, sid, signature = session.split(".")
    assert not valid_session(key, f"{int(expiry) + 999}.{sid}.{signature}", now=2000)
    assert not valid_session(key, f"{expiry}.other-session.{signature}", now=2000)


def test_sign_in_never_redirects_off_site() -> None:
    assert safe_next("//evil.example/") == "/"
    assert safe_next("https://evil.example/") == "/"
    assert safe_next("/studio/zh/") == "/studio/zh/"


def test_public_address_is_allowed_once_a_password_is_set(tmp_path: Path, bots_dir: Path) -> None:
    Settings(tmp_path / "data" / "settings.json").set_password("correct horse")
    port = _free_port()
    env = {**os.environ, "BOTSTUDIO_LANG": "en"}
    command = [
        sys.executable,
        "launch.py",
        "--bots",
        str(bots_dir),
        "--data",
        str(tmp_path / "data"),
    ]
    server = subprocess.Popen(
        [*command, "--host", "0.0.0.0", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stdout.readline()
        assert f"running at http://0.0.0.0:{port}" in line
        deadline = time.monotonic() + 60
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.3)
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=20)
