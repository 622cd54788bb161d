"""What every browser test of the studio shares: a real server started with launch.py on
a free port, Debian's Chromium driven by Playwright, and the few moves a person makes
(pick from a dropdown, open a tab, take a screenshot)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_studio(home: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """`launch.py` over home/bots and home/data (plus `args`), English as the server's
    own language; yields its URL once /healthz answers; its output in home/server.log."""
    env = {**os.environ, "BOTSTUDIO_THREADS": "2", "BOTSTUDIO_LANG": "en", **(env or {})}
    port = free_port()
    command = [sys.executable, "launch.py", "--bots", str(home / "bots")]
    command += ["--data", str(home / "data"), *args, "--port", str(port)]
    log = (home / "server.log").open("w")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                json.load(response)
            break
        except OSError:
            assert server.poll() is None, (home / "server.log").read_text()
            assert time.monotonic() < deadline, "the studio did not start in 90 s"
            time.sleep(0.5)
    try:
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:  # a reply still being written on a busy machine
            server.kill()
            server.wait(timeout=30)
        log.close()


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def pick(page: Any, elem_id: str, text: str) -> None:
    """Choose an option of a Gradio dropdown by (part of) its label."""
    page.click(f"#{elem_id} input")
    page.locator("[role=option]", has_text=text).first.click()


BUSY = "() => document.querySelector('.wrap.default:not(.hide), .wrap.center:not(.hide)') !== null"


def settle(page: Any, quiet_ms: int = 1500, timeout_s: float = 60) -> None:
    """Wait until no event has shown progress for `quiet_ms` (Gradio lays a status tracker
    over the outputs of a running event): an answer still on its way would overwrite what
    the test picks next, as it would a person's."""
    deadline = time.monotonic() + timeout_s
    quiet_since = time.monotonic()
    while time.monotonic() - quiet_since < quiet_ms / 1000:
        assert time.monotonic() < deadline, f"the page was still busy after {timeout_s:g} s"
        if page.evaluate(BUSY):
            quiet_since = time.monotonic()
        page.wait_for_timeout(100)


def open_tab(page: Any, label: str) -> None:
    page.get_by_role("tab", name=label).click()


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


T = TypeVar("T")


def wait_for(condition: Callable[[], T], timeout: float = 120.0, what: str = "") -> T:
    """`condition()` once it is truthy (a lead written, an alert sent...), polled."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what or condition}"
        time.sleep(0.1)
