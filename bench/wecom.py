"""WeCom benchmark: signed AI-bot callbacks at concurrency while the model generates.

Sends N encrypted, signed callbacks (default 1,000) at concurrency 20 to the real
server (a separate process, bot in markdown mode, so every message is generated
and answered through response_url; its model loaded by one message first, as in a
service that runs), then waits for every answer at the fake WeCom.

The yardstick is a bare FastAPI handler that only acknowledges, fed by the same
client. It is measured on a quiet machine, then in turns with BotStudio while
BotStudio's model generates: a burst to BotStudio, a burst to the bare handler,
and so again (--rounds), so both meet the same load on the CPU and the same
noise. Before those, one burst of the same size meets the model idle and wakes
it (measured on its own: the first wave of a campaign). Prints time to
acknowledge (p50, p99, max over every burst, and each round's p99), then the lost
and duplicated replies (both must be 0).

    .venv/bin/python bench/wecom.py [--messages N] [--concurrency C] [--rounds R]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.latency import p99, summary  # noqa: E402
from runtime.workspace import Workspace  # noqa: E402
from tests.fake_wecom import AIBotSender, FakeWeCom, Served, free_port  # noqa: E402

TOKEN, AES_KEY = "BenchToken", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
BOT = """id: bench
name: Bench
language: en
persona: You are a terse assistant.
model: {temperature: 0, max_tokens: 16, context: 1024}
"""


def wait_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def fire(sender: AIBotSender, signed: list, concurrency: int) -> list[float]:
    """POST every pre-signed callback; the seconds each took to be acknowledged."""
    client = httpx.Client(timeout=60, limits=httpx.Limits(max_connections=concurrency))

    def one(item):
        params, body = item
        started = time.perf_counter()
        response = client.post(sender.url, params=params, json=body)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"callback refused: {response.status_code} {response.text}")
        return elapsed

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, signed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="botstudio-wecom-bench-"))
    (home / "bots").mkdir()
    (home / "bots" / "bench.yaml").write_text(BOT, encoding="utf-8")
    Workspace(data_dir=home / "data").bindings.bind(  # as `launch.py bind` does
        "bench", "aibot", {"token": TOKEN, "aes_key": AES_KEY}
    )
    fake = FakeWeCom()
    with Served(fake.app()) as wecom:
        env = {**os.environ, "BOTSTUDIO_WECOM_API": wecom.url, "BOTSTUDIO_LANG": "en"}
        # the baseline: same client, same payloads, a handler that only acknowledges
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
        base_sender = AIBotSender(
            f"http://127.0.0.1:{bare_port}/wecom/aibot/bench", TOKEN, AES_KEY, wecom.url
        )
        signed = [base_sender.signed(base_sender.message(f"q{i}")) for i in range(args.messages)]
        baseline = fire(base_sender, signed, args.concurrency)
        # kept running: measured again below, in turns with BotStudio
        again = [base_sender.message(f"r{i}") for i in range(args.messages)]
        signed_again = [base_sender.signed(m) for m in again]

        port = free_port()
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
        wait_up(f"http://127.0.0.1:{port}/healthz", server)
        sender = AIBotSender(
            f"http://127.0.0.1:{port}/wecom/aibot/bench", TOKEN, AES_KEY, wecom.url
        )
        messages = [  # 50 customers, as a busy group would have
            sender.message(f"Question {i}: what is {i} plus {i}?", user=f"customer{i % 50}")
            for i in range(args.messages)
        ]
        tokens = [m["response_url"].rsplit("/", 1)[1] for m in messages]
        signed = [sender.signed(m) for m in messages]
        # a service that runs: the model loaded by a first message, answered before the rest
        warm = sender.message("Hello?", user="warm-up")
        fire(sender, [sender.signed(warm)], 1)
        warm_token = warm["response_url"].rsplit("/", 1)[1]
        while warm_token not in fake.responses:
            time.sleep(0.2)
        started = time.perf_counter()
        size = -(-args.messages // args.rounds)
        # a first burst meets the model idle and sets it to work; then every burst
        # meets it generating
        waking = [sender.message(f"Hello {i}", user=f"early{i % 50}") for i in range(size)]
        wake = fire(sender, [sender.signed(m) for m in waking], args.concurrency)
        tokens += [m["response_url"].rsplit("/", 1)[1] for m in waking]
        time.sleep(2)
        acks_by_round: list[list[float]] = []
        bare_by_round: list[list[float]] = []
        for first in range(0, args.messages, size):
            acks_by_round.append(fire(sender, signed[first : first + size], args.concurrency))
            bare_by_round.append(
                fire(base_sender, signed_again[first : first + size], args.concurrency)
            )
        bare.terminate()
        bare.wait()
        deadline = time.monotonic() + 60 + args.messages * 2
        while time.monotonic() < deadline and sum(t in fake.responses for t in tokens) < len(
            tokens
        ):
            time.sleep(0.5)
        answered = time.perf_counter() - started
        time.sleep(2)  # late duplicates would show up here
        server.terminate()
        server.wait(timeout=60)
    shutil.rmtree(home, ignore_errors=True)

    lost = sum(1 for t in tokens if t not in fake.responses)
    duplicated = sum(len(fake.responses[t]) - 1 for t in tokens if t in fake.responses)
    print(f"{args.messages} signed AI-bot callbacks, concurrency {args.concurrency}\n")
    acks = [t for burst in acks_by_round for t in burst]
    loaded = [t for burst in bare_by_round for t in burst]
    print("time to acknowledge")
    print(f"  bare handler, quiet machine              {summary(baseline)}")
    print(f"  BotStudio, a burst that wakes the model  {summary(wake)}")
    print("  while the model generates, in turns:")
    print(f"  bare handler                             {summary(loaded, bare_by_round)}")
    print(f"  BotStudio (journaled)                    {summary(acks, acks_by_round)}")
    ratio = p99(acks) / p99(loaded)
    print(f"  BotStudio / bare handler, p99: {ratio:.2f}x")
    rate = len(tokens) / answered
    print(f"\nall {len(tokens)} answers (the waking burst's too) delivered in {answered:.1f} s")
    print(f"  ({rate:.1f} per second, one model on {os.cpu_count()} cores)")
    print(f"lost replies: {lost}   duplicated replies: {duplicated}   (both must be 0)")


if __name__ == "__main__":
    main()
