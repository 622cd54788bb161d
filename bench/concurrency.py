"""Concurrency benchmark: 1, 4 and 8 customers at once, each chatting with a different bot
of one model, streamed through `/v1/chat/completions` with OpenAI's own client.

For each number of chats it measures, in the same run:
  (a) BotStudio, the chats at once (continuous batching: the model writes up to its
      `slots` replies in the same decode steps);
  (b) BotStudio, the same requests one after another (the baseline batching must beat);
  (c) llama.cpp's server on the same GGUF with the same system prompts: llama-cpp-python's
      `python -m llama_cpp.server` (it answers one request at a time), or a `llama-server`
      built from llama.cpp with `--parallel` slots when BENCH_LLAMA_SERVER names one.
Both are asked for the same sampling (greedy, repetition penalty 1.1). Both servers run
side by side and are measured in turns, (a), (b), (c) and again
(--rounds), so that all three meet the same machine: on a shared 2-core machine the
speed of the CPU drifts by a third from one minute to the next. Prints a Markdown table
over all rounds: aggregate tokens/s and time to first token p50/p95, then BotStudio's
aggregate and first token against the other server's, round by round.

With --arrivals N, customers also come one by one, as in a campaign's day rather than
its first wave: N of them at random moments (on average --gap seconds apart), each
asking for a reply of a random length up to --tokens, the same arrivals for both
servers. Replies then start and end at different steps, so the model's sequences are
busy in changing sets (where a stream-per-sequence cache splits a step at each idle
sequence between busy ones).

    .venv/bin/python bench/concurrency.py [--model FILE.gguf] [--tokens N] [--chats 1,4,8]
                                          [--rounds R] [--arrivals N] [--gap SECONDS]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openai  # noqa: E402

from bench.api import free_port, together  # noqa: E402
from bench.api import start_server as start_botstudio  # noqa: E402
from bench.endpoint import serve_openai  # noqa: E402
from bench.endpoint import start_server as start_llama_cpp_python  # noqa: E402
from runtime.engine.pool import default_slots  # noqa: E402
from runtime.store.api_keys import ApiKeys  # noqa: E402
from runtime.store.settings import Settings  # noqa: E402
from runtime.workspace import Workspace  # noqa: E402

TRADES = ["coffee shop", "bakery", "bicycle shop", "bookshop", "tea house", "florist",
          "toy shop", "hardware store"]  # fmt: skip
BOT = """\
id: shop-{n}
name: Shop {n}
language: en
persona: You are the assistant of a {trade}. You answer in full, friendly sentences.
model: {{file: {model}, temperature: 0, seed: 1, max_tokens: {tokens}, context: 2048,
         repeat_penalty: {penalty}}}
safety: {{rate_limit: null}}
"""
REPEAT_PENALTY = 1.1  # a bot's default, asked of both servers
QUESTION = "Describe our shop and everything it sells, in detail."
Turn = tuple[float, int]  # (time to first token, tokens)


def persona(n: int) -> str:
    return f"You are the assistant of a {TRADES[n]}. You answer in full, friendly sentences."


def streamed(client: openai.OpenAI, model: str, messages: list[dict[str, str]], **extra) -> Turn:
    started = time.perf_counter()
    first: float | None = None
    tokens = pieces = 0
    stream = client.chat.completions.create(
        model=model,
        messages=messages,  # type: ignore[arg-type]
        stream=True,
        stream_options={"include_usage": True},
        **extra,
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces += 1  # one token each, from llama_cpp.server, which sends no usage
            if first is None:
                first = time.perf_counter() - started
        if chunk.usage is not None:
            tokens = chunk.usage.completion_tokens
    return first or 0.0, tokens or pieces


def in_turn(turn: Callable[[int], Turn], chats: int) -> tuple[list[Turn], float]:
    started = time.perf_counter()
    results = [turn(i) for i in range(chats)]
    return results, time.perf_counter() - started


def one_by_one(turn: Callable[[int, int], Turn], arrivals: list[tuple[float, int]]):
    """`turn(i, max_tokens)` for each customer, each started `gap` seconds after the one
    before, on a thread of its own: (their results, seconds from the first to the end)."""
    results: list[Turn] = [(0.0, 0)] * len(arrivals)

    def run(i: int, tokens: int) -> None:
        results[i] = turn(i, tokens)

    threads = []
    started = time.perf_counter()
    for i, (gap, tokens) in enumerate(arrivals):
        time.sleep(gap)
        threads.append(threading.Thread(target=run, args=(i, tokens)))
        threads[-1].start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def figures(results: list[Turn], seconds: float) -> tuple[float, float, float]:
    """(aggregate tokens/s, first token p50, p95)."""
    firsts = sorted(r[0] for r in results)
    p95 = firsts[min(len(firsts) - 1, round(0.95 * (len(firsts) - 1)))]
    return sum(r[1] for r in results) / seconds, statistics.median(firsts), p95


def start_llama_server(binary: str, model: Path, slots: int, threads: int, tokens: int):
    """A llama-server built from llama.cpp, with `slots` parallel sequences."""
    port = free_port()
    command = [binary, "-m", str(model), "--host", "127.0.0.1", "--port", str(port),
               "-c", str(2048 * slots), "-np", str(slots), "-t", str(threads),
               "--alias", "bench", "-n", str(tokens)]  # fmt: skip
    return serve_openai(command, port, "llama-server")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="default", help="a file in gguf/, or default")
    parser.add_argument("--tokens", type=int, default=96, help="max_tokens per reply")
    parser.add_argument("--chats", default="1,4,8", help="numbers of chats at once")
    parser.add_argument("--rounds", type=int, default=5, help="turns of each measurement")
    parser.add_argument("--arrivals", type=int, default=0, help="customers coming one by one")
    parser.add_argument("--gap", type=float, default=0.15, help="mean seconds between them")
    args = parser.parse_args()
    counts = [int(n) for n in args.chats.split(",")]
    home = Path(tempfile.mkdtemp(prefix="bench-concurrency-"))
    (home / "bots").mkdir()
    workspace = Workspace(home / "bots", home / "data-unused", ROOT / "gguf", "en")
    model = workspace.models.resolve(args.model)
    if model is None:
        raise SystemExit(f"no model {args.model} in gguf/")
    for n, trade in enumerate(TRADES):
        text = BOT.format(
            n=n, trade=trade, model=args.model, tokens=args.tokens, penalty=REPEAT_PENALTY
        )
        (home / "bots" / f"shop-{n}.yaml").write_text(text, encoding="utf-8")
    key = ApiKeys(Settings(home / "data" / "settings.json")).create("bench")[1]
    slots = default_slots()
    threads = int(os.environ.get("BOTSTUDIO_THREADS") or os.cpu_count() or 1)

    binary = os.environ.get("BENCH_LLAMA_SERVER") or shutil.which("llama-server")
    server, url = start_botstudio(home)
    try:
        if binary:
            upstream, upstream_url = start_llama_server(binary, model, slots, threads, args.tokens)
            theirs_name = f"llama-server, {slots} slots"
        else:
            upstream, upstream_url = start_llama_cpp_python(model, threads)
            theirs_name = "llama_cpp.server (one at a time)"
    except BaseException:
        server.terminate()
        raise
    names = ["ours", "ours, one after another", theirs_name]
    runs: dict[int, dict[str, list[tuple[list[Turn], float]]]] = {
        n: {name: [] for name in names} for n in counts
    }
    coming: dict[str, list[tuple[list[Turn], float]]] = {"ours": [], theirs_name: []}
    try:
        client = openai.OpenAI(base_url=url + "/v1", api_key=key, max_retries=0, timeout=600)
        other = openai.OpenAI(base_url=upstream_url, api_key="none", max_retries=0, timeout=600)
        question = [{"role": "user", "content": QUESTION}]

        def ours(i: int, tokens: int = args.tokens) -> Turn:
            bot, user = f"shop-{i % len(TRADES)}", f"c{time.time()}"
            return streamed(client, bot, question, user=user, max_tokens=tokens)

        def theirs(i: int, tokens: int = args.tokens) -> Turn:
            messages = [{"role": "system", "content": persona(i % len(TRADES))}, *question]
            # the same sampling as the bots': llama.cpp's own default penalty is 1.0
            extra = {"repeat_penalty": REPEAT_PENALTY}
            return streamed(
                other, "bench", messages, max_tokens=tokens, temperature=0, seed=1,
                extra_body=extra,
            )  # fmt: skip

        for i in range(len(TRADES)):  # load the models, warm the bots' prefixes
            ours(i)
            theirs(i)
        for n in counts:
            for _ in range(args.rounds):
                runs[n]["ours"].append(together(ours, n))
                runs[n]["ours, one after another"].append(in_turn(ours, n))
                runs[n][theirs_name].append(together(theirs, n))
        draw = random.Random(1)
        for _ in range(args.rounds if args.arrivals else 0):
            arrivals = [
                (draw.expovariate(1 / args.gap), draw.randint(16, args.tokens))
                for _ in range(args.arrivals)
            ]
            coming["ours"].append(one_by_one(ours, arrivals))
            coming[theirs_name].append(one_by_one(theirs, arrivals))
    finally:
        for process in (server, upstream):
            process.terminate()
            process.wait(timeout=30)

    print(
        f"\nmodel {model.name}, {threads} threads, BotStudio {slots} replies at once,"
        f" max_tokens {args.tokens}, temperature 0, {args.rounds} rounds\n"
    )
    print("| chats at once | server | aggregate tokens/s | first token p50 | p95 |")
    print("|---|---|---|---|---|")
    for n in counts:
        for name in names:
            results = [turn for turns, _ in runs[n][name] for turn in turns]
            seconds = sum(seconds for _, seconds in runs[n][name])
            tps, p50, p95 = figures(results, seconds)
            print(f"| {n} | {name} | {tps:.1f} | {p50 * 1000:.0f} ms | {p95 * 1000:.0f} ms |")
    print(f"\nBotStudio's aggregate against {theirs_name}'s, round by round:")
    for n in counts:
        ratios = [
            figures(*ours_run)[0] / figures(*their_run)[0]
            for ours_run, their_run in zip(runs[n]["ours"], runs[n][theirs_name], strict=True)
        ]
        print(f"  {n} at once: " + ", ".join(f"{r:.2f}x" for r in ratios))
    print(f"\nFirst token p50, BotStudio / {theirs_name}, round by round:")
    for n in counts:
        pairs = zip(runs[n]["ours"], runs[n][theirs_name], strict=True)
        firsts = [(figures(*o)[1] * 1000, figures(*t)[1] * 1000) for o, t in pairs]
        print(f"  {n} at once: " + ", ".join(f"{a:.0f}/{b:.0f} ms" for a, b in firsts))
    if args.arrivals:
        print(
            f"\n{args.arrivals} customers one by one, {args.gap} s apart on average,"
            f" replies of 16 to {args.tokens} tokens:\n"
        )
        print("| server | aggregate tokens/s | first token p50 | p95 | by round (tokens/s) |")
        print("|---|---|---|---|---|")
        for name, turns in coming.items():
            results = [turn for done, _ in turns for turn in done]
            tps, p50, p95 = figures(results, sum(seconds for _, seconds in turns))
            rounds = ", ".join(f"{figures(*one)[0]:.1f}" for one in turns)
            print(f"| {name} | {tps:.1f} | {p50 * 1000:.0f} ms | {p95 * 1000:.0f} ms | {rounds} |")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
