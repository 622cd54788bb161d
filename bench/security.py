"""Security benchmark: is the server still fast for WeCom and /healthz while someone
guesses the studio password, and does an endless chunked body cost memory?

Against the real server (a separate process, a password set, an AI-bot binding):

1. WeCom callback acknowledgements and /healthz, p50/p99, three ways in one run:
   quiet; while 40 clients flood wrong passwords from one address (they are soon
   told to wait, 429); and while 40 clients flood from 40 different addresses (as
   through a proxy that forwards X-Forwarded-For, so the per-address limit never
   triggers and every guess costs a scrypt hash).
2. The server's peak memory (VmHWM) before and after a 400 MB chunked POST to a
   WeCom callback, which must be refused at 256 KB.

    .venv/bin/python bench/security.py [--requests N]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.latency import summary  # noqa: E402
from bench.wecom import AES_KEY, BOT, TOKEN, wait_up  # noqa: E402
from runtime.store.db import Journal  # noqa: E402
from runtime.store.settings import Settings  # noqa: E402
from runtime.wecom.bindings import Bindings  # noqa: E402
from tests.fake_wecom import AIBotSender, free_port  # noqa: E402

MB = 1024 * 1024


def measure(sender: AIBotSender, base: str, requests: int) -> tuple[list[float], list[float]]:
    """Seconds per WeCom acknowledgement and per /healthz, 4 at a time."""
    client = httpx.Client(timeout=60)

    def callback(_):
        event = {
            "msgid": uuid.uuid4().hex,
            "aibotid": "AIBOTID",
            "from": {"userid": "u1"},
            "msgtype": "event",
            "event": {"eventtype": "enter_chat"},
        }
        params, body = sender.signed(event)
        started = time.perf_counter()
        answer = client.post(sender.url, params=params, json=body)
        assert answer.status_code == 200, answer.text
        return time.perf_counter() - started

    def health(_):
        started = time.perf_counter()
        assert client.get(f"{base}/healthz").status_code == 200
        return time.perf_counter() - started

    with ThreadPoolExecutor(4) as pool:
        acks = list(pool.map(callback, range(requests)))
        checks = list(pool.map(health, range(requests)))
    return acks, checks


def flood(base: str, stop: threading.Event, *, spoofed: bool, counts: dict[int, int]) -> None:
    """40 clients sending wrong passwords as fast as they are answered."""

    def guesser(i: int) -> None:
        client = httpx.Client(timeout=60)
        headers = {"authorization": "Basic " + base64.b64encode(f"x:guess{i}".encode()).decode()}
        if spoofed:
            headers["x-forwarded-for"] = f"203.0.113.{i + 1}"
        while not stop.is_set():
            try:
                status = client.get(f"{base}/studio/en/config", headers=headers).status_code
            except httpx.TransportError:
                continue
            counts[status] = counts.get(status, 0) + 1

    threads = [threading.Thread(target=guesser, args=(i,), daemon=True) for i in range(40)]
    for thread in threads:
        thread.start()
    stop.wait()
    for thread in threads:
        thread.join(timeout=70)


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def chunked_flood(port: int, total: int) -> tuple[int, str]:
    """POST up to `total` bytes chunked to a callback; bytes sent before the answer."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(
        f"POST /wecom/aibot/bench HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
    )
    chunk = 64 * 1024
    piece = f"{chunk:x}\r\n".encode() + b"a" * chunk + b"\r\n"
    sent, answer = 0, b""
    sock.settimeout(0.001)
    try:
        while sent < total and not answer:
            with contextlib.suppress(TimeoutError, BlockingIOError):
                answer = sock.recv(4096)
            try:
                sock.sendall(piece)
                sent += chunk
            except (TimeoutError, BlockingIOError):
                pass
            except (BrokenPipeError, ConnectionResetError):
                break
        sock.settimeout(10)
        answer = answer or sock.recv(4096)
    except OSError:
        pass
    finally:
        sock.close()
    return sent, answer.split(b"\r\n", 1)[0].decode("latin-1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="botstudio-security-bench-"))
    (home / "bots").mkdir()
    (home / "bots" / "bench.yaml").write_text(BOT, encoding="utf-8")
    settings = Settings(home / "data" / "settings.json")
    settings.set_password("the right one")
    Bindings(settings, Journal(home / "data" / "botstudio.sqlite3")).bind(
        "bench", "aibot", {"token": TOKEN, "aes_key": AES_KEY}
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "BOTSTUDIO_LANG": "en"}
    command = [
        sys.executable,
        "launch.py",
        "--bots",
        str(home / "bots"),
        "--data",
        str(home / "data"),
        "--port",
        str(port),
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        wait_up(f"{base}/healthz", server)
        sender = AIBotSender(f"{base}/wecom/aibot/bench", TOKEN, AES_KEY, base)
        measure(sender, base, 20)  # warm up
        results = {"quiet": measure(sender, base, args.requests)}
        floods: dict[str, dict[int, int]] = {}
        for name, spoofed in (("one address", False), ("40 addresses", True)):
            stop, counts = threading.Event(), {}
            flooding = threading.Thread(
                target=flood, args=(base, stop), kwargs={"spoofed": spoofed, "counts": counts}
            )
            flooding.start()
            time.sleep(2)  # let the flood build up
            results[f"40 guessers, {name}"] = measure(sender, base, args.requests)
            stop.set()
            flooding.join()
            floods[name] = counts
            time.sleep(1)
        before = peak_rss_mib(server.pid)
        sent, status = chunked_flood(port, 400 * MB)
        after = peak_rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(home, ignore_errors=True)

    print(f"{args.requests} WeCom AI-bot callbacks and {args.requests} /healthz, 4 at a time\n")
    for name, (acks, checks) in results.items():
        print(f"{name:<28} WeCom ack {summary(acks)}   /healthz {summary(checks)}")
    for name, counts in floods.items():
        shown = ", ".join(f"{n} × {status}" for status, n in sorted(counts.items()))
        print(f"  guesses from {name}: {shown}")
    print(f"\n400 MB chunked POST to a callback: answered '{status}' after {sent / MB:.1f} MB sent")
    print(
        f"  server peak memory {before:.0f} MiB before, {after:.0f} MiB after "
        f"(+{after - before:.0f} MiB)"
    )
    print(json.dumps({"peak_rss_growth_mib": round(after - before, 1)}))


if __name__ == "__main__":
    main()
