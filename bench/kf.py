"""微信客服 (kf) benchmark: doorbells at concurrency while customers' messages are drained,
answered by the model and sent back with send_msg.

N customer messages (default 1,000) from C customers (default 100) are written at the fake
kf API (tests/fake_kf.py); each is followed by a signed, encrypted doorbell POSTed to the
real server (a separate process, `launch.py`) at /wecom/kf/bench, 20 in flight. The server
drains `sync_msg`, the model answers every message (the bot's rate limit is off), and the
answers go out with `send_msg` to the fake. Prints:

- time to acknowledge a doorbell (p50, p99, max), against a bare FastAPI handler that only
  acknowledges (bench/bare_ack.py: the same doorbells, the same client, in the same run);
- the messages answered, lost (no answer) and duplicated (an answer shown twice, or
  refused by WeCom as a msgid seen before): lost and duplicated must be 0;
- sync_msg → send_msg without the model, per message: from the fake serving the sync_msg
  page that carried it to the message journaled (the inbox row's received_at), plus from
  its answer queued (the outbox row's created_at) to the fake receiving its send_msg. What
  is left out, the wait for the model and the generation, is printed apart, with the whole.

WeCom allows five replies after a customer's last message; a customer writing ten faster
than the model answers would get five (tests/test_wecom_kf.py covers that rule). Here the
fake's allowance is lifted, so that every message can be answered.

    .venv/bin/python bench/kf.py [--messages N] [--customers C] [--concurrency K]
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import tests.fake_kf as fake_kf  # noqa: E402
from bench.latency import summary  # noqa: E402
from runtime.wecom.crypto import WeComCrypto, signature  # noqa: E402
from runtime.wecom.kf import make_msgid  # noqa: E402
from runtime.workspace import Workspace  # noqa: E402
from tests.fake_kf import FakeKf, Served  # noqa: E402
from tests.fake_wecom import free_port  # noqa: E402

TOKEN, AES_KEY = "BenchToken", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
KFID = "wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q"
BOT = """id: bench
name: Bench
language: en
persona: You are a terse assistant.
model: {temperature: 0, max_tokens: 16, context: 1024}
safety: {rate_limit: null}
"""
Doorbell = tuple[dict[str, str], bytes]  # query parameters, body


@dataclass
class TimedKf(FakeKf):
    """The fake kf API, noting when each message was served by sync_msg."""

    served: dict[str, list[float]] = field(default_factory=dict)  # msgid -> times

    def _sync_msg(self, body: dict[str, Any]) -> dict[str, Any]:
        answer = super()._sync_msg(body)
        now = time.time()
        for item in answer.get("msg_list", []):
            self.served.setdefault(str(item["msgid"]), []).append(now)
        return answer


def doorbell(kf: FakeKf, crypto: WeComCrypto) -> Doorbell:
    """A doorbell as WeCom sends it: a fresh msg token from the fake (which POSTs nothing
    itself while its callback URL is unset), encrypted and signed."""
    token = kf.ring(KFID)
    plain = (
        f"<xml><ToUserName><![CDATA[{kf.corp_id}]]></ToUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[kf_msg_or_event]]></Event>"
        f"<Token><![CDATA[{token}]]></Token><OpenKfId><![CDATA[{KFID}]]></OpenKfId></xml>"
    )
    encrypted = crypto.encrypt(plain)
    timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**10))
    params = {
        "msg_signature": signature(TOKEN, timestamp, nonce, encrypted),
        "timestamp": timestamp,
        "nonce": nonce,
    }
    envelope = (
        f"<xml><ToUserName><![CDATA[{kf.corp_id}]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypted}]]></Encrypt>"
        f"<AgentID><![CDATA[{kf.agent_id}]]></AgentID></xml>"
    )
    return params, envelope.encode()


def wait_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def fire(
    url: str,
    bells: list[Doorbell],
    concurrency: int,
    before: Callable[[int], None] | None = None,
) -> list[float]:
    """POST every doorbell, `before(i)` first (a customer writing); the seconds each took
    to be acknowledged."""
    client = httpx.Client(timeout=60, limits=httpx.Limits(max_connections=concurrency))

    def one(i: int) -> float:
        if before is not None:
            before(i)
        params, body = bells[i]
        started = time.perf_counter()
        response = client.post(url, params=params, content=body)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"doorbell refused: {response.status_code} {response.text}")
        return elapsed

    with ThreadPoolExecutor(concurrency) as pool:
        times = list(pool.map(one, range(len(bells))))
    client.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="botstudio-kf-bench-"))
    (home / "bots").mkdir()
    (home / "bots" / "bench.yaml").write_text(BOT, encoding="utf-8")
    kf = TimedKf(untokened_per_minute=1000)  # the throttle without a token is not measured
    fake_kf.SEND_ALLOWANCE = args.messages  # see the docstring: every message is answered
    Workspace(data_dir=home / "data").bindings.bind(  # as `launch.py bind` does
        "bench",
        "kf",
        {
            "corp_id": kf.corp_id,
            "secret": kf.secret,
            "token": TOKEN,
            "aes_key": AES_KEY,
            "open_kfid": KFID,
        },
    )
    crypto = WeComCrypto(TOKEN, AES_KEY, kf.corp_id)
    with Served(kf.app()) as api:
        env = {**os.environ, "BOTSTUDIO_WECOM_API": api.url, "BOTSTUDIO_LANG": "en"}
        # the baseline: same client, same doorbells, a handler that only acknowledges
        bare_port = free_port()
        bare = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.bare_ack:app",
                "--port",
                str(bare_port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        wait_up(f"http://127.0.0.1:{bare_port}/docs", bare)
        bells = [doorbell(kf, crypto) for _ in range(args.messages)]
        baseline = fire(f"http://127.0.0.1:{bare_port}/wecom/aibot/bench", bells, args.concurrency)
        bare.terminate()
        bare.wait()

        port = free_port()
        command = [sys.executable, "launch.py", "--bots", str(home / "bots")]
        command += ["--data", str(home / "data"), "--port", str(port)]
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        wait_up(f"http://127.0.0.1:{port}/healthz", server)
        kf.callback_url, kf.callback_token, kf.callback_aes_key = (
            f"http://127.0.0.1:{port}/wecom/kf/bench",
            TOKEN,
            AES_KEY,
        )
        assert kf.verify_callback(), "the server failed WeCom's URL check"
        kf.callback_url = ""  # the bench POSTs the doorbells itself, to time them
        customers = [f"wmBench{n:024d}" for n in range(args.customers)]
        said: dict[str, str] = {}  # msgid -> customer
        lock = threading.Lock()

        def write(i: int) -> None:
            customer = customers[i % len(customers)]
            msgid = kf.customer_says(KFID, customer, f"Question {i}: what is {i} plus {i}?")
            with lock:
                said[msgid] = customer

        bells = [doorbell(kf, crypto) for _ in range(args.messages)]
        started = time.perf_counter()
        acks = fire(f"http://127.0.0.1:{port}/wecom/kf/bench", bells, args.concurrency, write)
        acked = time.perf_counter() - started
        expected = {make_msgid("bench", m, "0"): m for m in said}
        deadline = time.monotonic() + 120 + args.messages * 5
        told = time.monotonic()
        while time.monotonic() < deadline:
            shown = len(expected.keys() & {b["msgid"] for b in kf.sent})
            if shown == len(expected):
                break
            if time.monotonic() - told > 30:  # a sign of life on a slow machine
                print(f"  {shown}/{len(expected)} answered so far", file=sys.stderr)
                told = time.monotonic()
            time.sleep(1)
        answered = time.perf_counter() - started
        time.sleep(2)  # late duplicates would show up here
        server.terminate()
        server.wait(timeout=60)

    sent = Counter(b["msgid"] for b in kf.sent)
    lost = sum(1 for msgid in expected if msgid not in sent)
    # shown twice: a msgid accepted twice, or an answer under a msgid no message gives
    duplicated = sum(n - 1 for n in sent.values()) + sum(1 for m in sent if m not in expected)
    refused = Counter(code for route, code in kf.refused if route == "send_msg")
    per_customer = Counter(said.values())
    wrong = sum(1 for c, n in per_customer.items() if len(kf.texts_to(c)) != n)

    # sync_msg → send_msg, from the fake's and the journal's clocks (one machine, time.time)
    db = sqlite3.connect(home / "data" / "botstudio.sqlite3")
    journaled = {
        msgid: (received, queued)
        for msgid, received, queued in db.execute(
            "SELECT i.msgid, i.received_at, MIN(o.created_at) FROM inbox i"
            " JOIN outbox o ON o.inbox_id = i.id WHERE i.channel = 'kf' GROUP BY i.id"
        )
    }
    db.close()
    at_fake = {b["msgid"]: float(b["_at"]) for b in kf.sent}
    intake, delivery, plumbing, model, whole = [], [], [], [], []
    for answer_id, msgid in expected.items():
        if msgid not in journaled or answer_id not in at_fake or msgid not in kf.served:
            continue
        received, queued = journaled[msgid]
        served = max((t for t in kf.served[msgid] if t <= received), default=received)
        intake.append(received - served)
        delivery.append(at_fake[answer_id] - queued)
        plumbing.append(intake[-1] + delivery[-1])
        model.append(queued - received)
        whole.append(at_fake[answer_id] - served)
    shutil.rmtree(home, ignore_errors=True)

    print(
        f"{args.messages} customer messages from {args.customers} customers, a signed doorbell"
        f" after each, concurrency {args.concurrency}\n"
    )
    print(f"doorbell acknowledged, bare FastAPI handler   {summary(baseline)}")
    print(f"doorbell acknowledged, BotStudio              {summary(acks)}")
    ratio = statistics.median(acks) / statistics.median(baseline)
    print(f"  BotStudio / bare, median: {ratio:.1f}x; all acknowledged in {acked:.1f} s")
    print(f"\nanswered {args.messages - lost} of {args.messages} in {answered:.1f} s")
    rate = (args.messages - lost) / answered
    print(f"  ({rate:.1f} per second, one model on {os.cpu_count()} cores)")
    print(f"lost: {lost}   duplicated: {duplicated}   (both must be 0)")
    print(f"send_msg refused by the fake, by errcode: {dict(refused) or 'none'}")
    print(f"customers shown a different number of answers than they wrote: {wrong}")
    calls = Counter(kf.calls)
    print(f"sync_msg calls: {calls['sync_msg']}   send_msg calls: {calls['send_msg']}")
    print("\nper message (the fake's and the journal's clocks):")
    print(f"  sync_msg page served → journaled          {summary(intake)}")
    print(f"  answer queued → send_msg at the fake       {summary(delivery)}")
    print(f"  sync_msg → send_msg without the model      {summary(plumbing)}")
    print(f"  left out: wait for the model + generation  {summary(model)}")
    print(f"  sync_msg → send_msg, whole                 {summary(whole)}")


if __name__ == "__main__":
    main()
