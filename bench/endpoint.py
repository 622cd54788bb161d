"""Endpoint benchmark: a bot on an OpenAI-compatible endpoint against the same server
called directly, same GGUF, same messages, one run.

Starts llama.cpp's server (`python -m llama_cpp.server`, llama-cpp-python's `server`
extra) on the GGUF, twice for the pool, and prints:
  1. time to first token and decode tokens/s of a streamed reply: the server called
     directly with the `openai` client, and a bot on that endpoint through the dialogue
     (prompt building, the URL pool, the journal); BotStudio/direct (target >= 0.95);
  2. 8 chats at once through a bot on an endpoint with one base URL, and with two
     (two server processes, one pool): aggregate tokens/s, against the same 8 chats
     sent directly (dealt out by hand between the two servers).

    .venv/bin/python bench/endpoint.py [--model FILE.gguf] [--threads N] [--rounds N]

`--threads` is per server process (default 1: two servers on a 2-core machine).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import openai  # noqa: E402

from bench.api import free_port, together  # noqa: E402
from runtime.endpoints.store import make_endpoint  # noqa: E402
from runtime.workspace import Workspace  # noqa: E402

MAX_TOKENS = 128
BOT = """\
id: bench
name: Bench
language: en
persona: You are Nova, the assistant of a coffee shop chain. You answer in full sentences.
knowledge: We sell beans, espresso machines and grinders. Delivery takes two days.
model: {{endpoint: {endpoint}, temperature: 0, max_tokens: {tokens}, context: 4096}}
safety: {{rate_limit: null}}
"""
QUESTION = "Write a long, friendly description of our coffee shop and what it sells."


def start_server(model: Path, threads: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--model_alias",
        "bench",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "4096",
        "--n_threads",
        str(threads),
        "--n_threads_batch",
        str(threads),
        "--interrupt_requests",
        "False",
        "--verbose",
        "False",
    ]
    return serve_openai(command, port, "llama_cpp.server")


def serve_openai(command: list[str], port: int, name: str) -> tuple[subprocess.Popen, str]:
    """Start an OpenAI-compatible server; (its process, its /v1 URL) once it answers."""
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                return server, url
        except httpx.HTTPError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit(f"{name} did not start")


def direct_turn(client: openai.OpenAI, messages: list[dict[str, str]]) -> tuple[float, float]:
    """(time to first token, decode tokens/s) of one streamed completion, called directly."""
    started = time.perf_counter()
    first = last = None
    count = 0
    stream = client.chat.completions.create(
        model="bench",
        messages=messages,
        max_tokens=MAX_TOKENS,
        temperature=0,
        top_p=0.9,
        stream=True,
        extra_body={"cache_prompt": True, "repeat_penalty": 1.1},
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            count += 1
            last = time.perf_counter() - started
            first = last if first is None else first
    return timing(first, last, count)


def timing(first: float | None, last: float | None, count: int) -> tuple[float, float]:
    """(time to first token, tokens/s from the first piece to the last)."""
    if first is None or last is None or count < 2 or last <= first:
        return first or 0.0, 0.0
    return first, (count - 1) / (last - first)


def bot_turn(workspace: Workspace, user: str) -> tuple[float, float, list[dict[str, str]]]:
    """The same through a bot on the endpoint: from the message to its first words."""
    started = time.perf_counter()
    reply = workspace.dialogue.reply("bench", user, QUESTION)
    first = last = None
    count = 0
    for _ in reply:
        count += 1
        last = time.perf_counter() - started
        first = last if first is None else first
    return (*timing(first, last, count), reply.prompt.messages)


def at_once(chat, chats: int) -> tuple[float, int, float]:
    """`chat(i)` for `chats` conversations at once, each returning its tokens:
    (aggregate tokens/s, tokens, seconds)."""
    tokens, seconds = together(chat, chats)
    return sum(tokens) / seconds, sum(tokens), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="default", help="a file in gguf/, or default")
    parser.add_argument("--threads", type=int, default=1, help="threads per server process")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--chats", type=int, default=8)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="bench-endpoint-"))
    (home / "bots").mkdir()
    workspace = Workspace(home / "bots", home / "data", ROOT / "gguf", "en")
    model = workspace.models.resolve(args.model)
    if model is None:
        raise SystemExit(f"no model {args.model} in gguf/")
    servers = [start_server(model, args.threads) for _ in range(2)]
    urls = [url for _, url in servers]
    try:
        endpoint = make_endpoint("one", urls[:1], model="bench", kind="llama-server")
        workspace.endpoints.save(endpoint)
        workspace.endpoints.save(make_endpoint("two", urls, model="bench", kind="llama-server"))
        bot = home / "bots" / "bench.yaml"
        bot.write_text(BOT.format(endpoint="one", tokens=MAX_TOKENS), encoding="utf-8")
        client = openai.OpenAI(base_url=urls[0], api_key="no-key", max_retries=0)

        _, _, messages = bot_turn(workspace, "warm-up")  # the exact messages a bot sends
        direct_turn(client, messages)
        direct, botstudio = [], []
        for i in range(args.rounds):  # alternated, so that neither gets a warmer server
            direct.append(direct_turn(client, messages))
            botstudio.append(bot_turn(workspace, f"round-{i}")[:2])
        d_ttft = statistics.median(t for t, _ in direct)
        d_rate = statistics.median(r for _, r in direct)
        b_ttft = statistics.median(t for t, _ in botstudio)
        b_rate = statistics.median(r for _, r in botstudio)
        print(
            f"model {model.name}, llama_cpp.server with {args.threads} thread(s) per process,"
            f" {MAX_TOKENS} tokens, median of {args.rounds} rounds"
        )
        print(
            f"  direct (openai client)    first token {d_ttft * 1000:7.0f} ms  "
            f"decode {d_rate:6.1f} tokens/s"
        )
        print(
            f"  bot on the endpoint       first token {b_ttft * 1000:7.0f} ms  "
            f"decode {b_rate:6.1f} tokens/s"
        )
        print(
            f"  BotStudio/direct          decode {b_rate / d_rate:.3f} (target >= 0.95), "
            f"first token +{(b_ttft - d_ttft) * 1000:.0f} ms"
        )

        clients = [openai.OpenAI(base_url=u, api_key="no-key", max_retries=0) for u in urls]

        def direct_chat(i: int, servers: int) -> int:  # the chats dealt out by hand
            asked = [*messages[:-1], {"role": "user", "content": f"{QUESTION} (#{i})"}]
            stream = clients[i % servers].chat.completions.create(
                model="bench",
                messages=asked,
                max_tokens=MAX_TOKENS,
                temperature=0,
                top_p=0.9,
                stream=True,
                extra_body={"cache_prompt": True, "repeat_penalty": 1.1},
            )
            return sum(1 for c in stream if c.choices and c.choices[0].delta.content)

        def bot_chat(i: int, name: str) -> int:
            reply = workspace.dialogue.reply("bench", f"{name}-{i}", f"{QUESTION} (#{i})")
            reply.read()
            return reply.generation.stats.generated_tokens

        rates = {}
        for count, name in ((1, "one"), (2, "two")):
            bot.write_text(BOT.format(endpoint=name, tokens=MAX_TOKENS), encoding="utf-8")
            for who, chat in (
                ("direct", lambda i, n=count: direct_chat(i, n)),
                ("bot", lambda i, n=name: bot_chat(i, n)),
            ):
                rate, tokens, seconds = at_once(chat, args.chats)
                rates[who, count] = rate
                print(
                    f"  {args.chats} chats at once, {count} URL(s), {who:6}  "
                    f"{rate:6.1f} tokens/s ({tokens} tokens in {seconds:.1f} s)"
                )
        pool = {e["name"]: e for e in workspace.remote.health()}["two"]
        print(
            "  the bot's pool of two: "
            + ", ".join(f"{u['requests']} requests to {u['url']}" for u in pool["urls"])
        )
        for who in ("direct", "bot"):
            print(
                f"  two URLs / one URL, {who:6}  {rates[who, 2] / rates[who, 1]:.2f}x "
                f"aggregate tokens/s"
            )
        print(f"  bot/direct with two URLs  {rates['bot', 2] / rates['direct', 2]:.2f}")
    finally:
        for server, _ in servers:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
