"""Models served elsewhere: bots on OpenAI-compatible endpoints, against a real llama.cpp
server on the bundled GGUF (`python -m llama_cpp.server`) and, for what a real server
will not do on cue (a dead URL, 401, 429, 404, 5xx, a stream that dies), the small fake
in tests/fake_openai.py, which also records exactly what was sent."""

from __future__ import annotations

import itertools
import json
import logging
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from runtime.endpoints import EndpointError
from runtime.endpoints.health import endpoint_health
from runtime.endpoints.store import make_endpoint
from runtime.leads.extract import extract
from runtime.server.app import create_app
from runtime.spec import SpecError, parse_bot, spec_to_yaml
from runtime.spec.model import LeadField
from runtime.workspace import Workspace
from tests.fake_openai import FakeOpenAI, dead_url
from tests.fake_wecom import AIBotSender, FakeWeCom, Served

ROOT = Path(__file__).resolve().parent.parent
KEY = "sk-test-SECRET-0123456789abcdef"
HELPER = """\
id: helper
name: Helper
language: {lang}
persona: You are Helper, the friendly assistant of Acme Coffee.
knowledge: Acme Coffee sells beans and espresso machines. Delivery takes two days.
few_shot:
  - {{user: "Do you sell tea?", assistant: "No, only coffee: beans and espresso machines."}}
model: {{endpoint: {endpoint}, temperature: 0, max_tokens: {tokens}, context: 2048}}
{extra}"""


def bot(
    workspace: Workspace,
    endpoint: str,
    *,
    tokens: int = 32,
    extra: str = "",
    bot_id: str = "helper",
) -> str:
    text = HELPER.format(lang=workspace.lang, endpoint=endpoint, tokens=tokens, extra=extra)
    (workspace.bots_dir / f"{bot_id}.yaml").write_text(
        text.replace("helper", bot_id, 1), encoding="utf-8"
    )
    return bot_id


def endpoint(workspace: Workspace, name: str, *urls: str, **settings) -> None:
    workspace.endpoints.save(make_endpoint(name, list(urls), **settings))


def url_state(workspace: Workspace, name: str, url: str) -> dict:
    shown, _ = endpoint_health(workspace.remote, workspace.lang)  # errors in words
    entry = next(e for e in shown if e["name"] == name)
    return next(u for u in entry["urls"] if u["url"] == url)


def tried_first(workspace: Workspace, name: str, url: str) -> None:
    """Rest the endpoint's other URLs once, so that `url` is tried first (the pool would
    otherwise pick among idle URLs by a hash of the conversation)."""
    pool = workspace.remote.pool(workspace.endpoints.get(name))
    for other in pool.urls:
        if other != url:
            pool.failed(pool.state(other), "tried later")


def wait_for(condition, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.fixture
def fakes():
    made: list[FakeOpenAI] = []

    def make(**kwargs) -> FakeOpenAI:
        made.append(FakeOpenAI(**kwargs))
        return made[-1]

    yield make
    for fake in made:
        fake.close()


@pytest.fixture(scope="module")
def llama_server(gguf_dir: Path):
    """The bundled GGUF behind llama-cpp-python's OpenAI-compatible server, on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    model = gguf_dir / "SmolLM2-135M-Instruct.Q4_1.gguf"
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--model_alias",
        "smollm2",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "4096",
        "--n_threads",
        "2",
        "--interrupt_requests",
        "False",
        "--verbose",
        "False",
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"llama_cpp.server did not start: {server.stderr.read()!r}")
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- the bot file ------------------------------------------------------------------


def test_a_bot_names_a_file_or_an_endpoint_never_both_said_with_its_line() -> None:
    both = "id: b\nname: B\nmodel:\n  file: default\n  endpoint: deepseek\n"
    with pytest.raises(SpecError) as raised:
        parse_bot(both.encode(), "bots/b.yaml", lang="zh")
    assert str(raised.value) == (
        "bots/b.yaml:5: “model.file” 和 “model.endpoint” 只能写一个：本机模型文件，或者远程端点"
    )
    lonely = "id: b\nname: B\nmodel: {name: qwen-max}\n"
    with pytest.raises(SpecError) as raised:
        parse_bot(lonely.encode(), "bots/b.yaml", lang="en")
    assert "bots/b.yaml:3:" in str(raised.value) and "only goes with 'model.endpoint'" in str(
        raised.value
    )
    spec = parse_bot(
        b"id: b\nname: B\nmodel: {endpoint: deepseek, name: deepseek-chat, temperature: 0.3}\n"
        b"variants:\n  - {id: A}\n  - {id: B, model: {name: deepseek-reasoner}}\n"
        b"  - {id: C, model: {file: default}}\n  - {id: D, model: {endpoint: qwen}}\n",
        "bots/b.yaml",
        lang="en",
    )
    seen = {v: spec.resolve(v).model for v in "ABCD"}
    assert [(m.source, m.name, m.temperature) for m in seen.values()] == [
        ("endpoint:deepseek", "deepseek-chat", 0.3),
        ("endpoint:deepseek", "deepseek-reasoner", 0.3),
        ("default", None, 0.3),  # a variant on a local file
        ("endpoint:qwen", None, 0.3),  # another endpoint: its own default model
    ]
    assert spec_to_yaml(spec).startswith("id: b\nname: B\nmodel:\n  endpoint: deepseek\n")


# --- a real llama.cpp server -------------------------------------------------------


@pytest.mark.model
def test_a_bot_on_a_real_llama_cpp_server_streams_its_reply_and_remembers(
    workspace: Workspace, llama_server: str
) -> None:
    endpoint(workspace, "local", llama_server, kind="llama-server")
    bot(workspace, "local")
    first = workspace.dialogue.reply("helper", "alice", "What do you sell?")
    pieces = list(first)
    assert len(pieces) > 3 and first.text  # it streamed, piece by piece
    assert first.generation.stats.time_to_first_token is not None
    sent = first.prompt.messages
    assert sent[0]["role"] == "system" and "Acme Coffee" in sent[0]["content"]
    assert "Delivery takes two days" in sent[0]["content"]  # knowledge
    assert sent[1:3] == [
        {"role": "user", "content": "Do you sell tea?"},
        {"role": "assistant", "content": "No, only coffee: beans and espresso machines."},
    ]
    second = workspace.dialogue.reply("helper", "alice", "How long is delivery?")
    assert first.text in [m["content"] for m in second.prompt.messages]  # history
    assert second.read()
    history = workspace.conversations.history("helper", "alice")
    assert [t.role for t in history] == ["user", "assistant", "user", "assistant"]
    health = url_state(workspace, "local", llama_server)
    assert health["state"] == "ok" and health["in_flight"] == 0 and health["requests"] >= 2


@pytest.mark.model
def test_lead_extraction_works_through_the_real_server(
    workspace: Workspace, llama_server: str
) -> None:
    endpoint(workspace, "local", llama_server, kind="llama-server")
    fields = (
        "lead_capture:\n  fields:\n    - {key: company, label: Company, ask: 'Which company?'}\n"
    )
    bot(workspace, "local", tokens=16, extra=fields)
    workspace.dialogue.reply("helper", "bob", "Hello, I would like a quote.").read()
    assert workspace.leads.get("helper", "bob").last_asked == "company"  # the bot asked
    workspace.dialogue.reply("helper", "bob", "We are Acme Ltd.").read()
    company = workspace.leads.get("helper", "bob").value("company")
    assert company and company in "We are Acme Ltd."  # the model's answer, validated


@pytest.mark.model
def test_a_variant_may_use_a_local_file_while_the_bot_uses_an_endpoint(
    workspace: Workspace, llama_server: str
) -> None:
    endpoint(workspace, "local", llama_server, kind="llama-server")
    bot(
        workspace,
        "local",
        tokens=16,
        extra="variants:\n  - {id: A}\n  - {id: B, model: {file: default}}\n",
    )
    remote = workspace.dialogue.reply("helper", "u1", "Hi", variant="A")
    local = workspace.dialogue.reply("helper", "u2", "Hi", variant="B")
    assert remote.read() and local.read()
    assert json.loads(remote.generation.prompt_text)[0]["role"] == "system"  # sent as JSON
    assert local.generation.prompt_text.startswith("<|im_start|>system")  # llama.cpp here
    assert url_state(workspace, "local", llama_server)["requests"] == 1


@pytest.mark.model
def test_terminal_adds_lists_tests_and_removes_an_endpoint_never_showing_its_key(
    tmp_path: Path, bots_dir: Path, llama_server: str
) -> None:
    data = tmp_path / "data"

    def launch(*args: str, stdin: str | None = None, lang: str = "en"):
        env = {**os.environ, "BOTSTUDIO_LANG": lang, "BOTSTUDIO_THREADS": "2"}
        command = [
            sys.executable,
            str(ROOT / "launch.py"),
            "--bots",
            str(bots_dir),
            "--data",
            str(data),
            *args,
        ]
        result = subprocess.run(
            command, cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=300
        )
        assert KEY not in result.stdout + result.stderr
        return result

    added = launch(
        "endpoints",
        "add",
        "local",
        "--base-url",
        llama_server,
        "--api-key",
        KEY,
        "--kind",
        "llama-server",
    )
    assert added.returncode == 0, added.stderr
    assert "saved endpoint local" in added.stdout and "sk-t…ef" in added.stdout
    listed = launch("endpoints", "list")
    assert "local" in listed.stdout and llama_server in listed.stdout
    assert "sk-t…ef" in listed.stdout
    tested = launch("endpoints", "test", "local")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert f"✔ {llama_server}" in tested.stdout and "1 of 1 addresses work" in tested.stdout
    (bots_dir / "remote.yaml").write_text(
        "id: remote\nname: Remote\nlanguage: en\npersona: You are a helpful assistant.\n"
        "model: {endpoint: local, temperature: 0, max_tokens: 16, context: 2048}\n",
        encoding="utf-8",
    )
    assert launch("check", str(bots_dir / "remote.yaml")).returncode == 0
    chat = launch("chat", "remote", "-m", "Hello!")
    assert chat.returncode == 0 and chat.stdout.strip(), chat.stderr
    # the key is in the secret store only: not in bots/, and that file is private
    settings = data / "settings.json"
    assert KEY in settings.read_text(encoding="utf-8")
    assert stat.S_IMODE(settings.stat().st_mode) == 0o600
    assert not [p for p in bots_dir.rglob("*") if p.is_file() and KEY in p.read_text("utf-8")]
    # a key typed (piped) instead of written on the command line
    piped = launch(
        "endpoints", "add", "local", "--api-key", "-", "--bot", "ops-helper", stdin=KEY + "X\n"
    )
    assert piped.returncode == 0 and "updated endpoint local" in piped.stdout
    assert "ops-helper now use endpoint local" in piped.stdout
    switched = (bots_dir / "ops-helper.yaml").read_text(encoding="utf-8")
    assert "endpoint: local" in switched and "file:" not in switched
    assert "# 运营小助手" in switched  # the file's own comments kept
    removed = launch("endpoints", "remove", "local")
    assert removed.returncode == 0 and "removed endpoint local" in removed.stdout
    assert "ops-helper, remote" in removed.stderr  # still used by bots: said so
    assert "no model endpoints yet" in launch("endpoints", "list").stderr
    gone = launch("endpoints", "test", "local", lang="zh")
    assert gone.returncode == 1 and "没有名为 “local” 的模型端点" in gone.stderr
    bad = launch("endpoints", "add", "x", "--base-url", f"http://user:{KEY}@example.com/v1")
    assert bad.returncode == 1 and "user, password or query" in bad.stderr


# --- the pool: failover, resting, half-streamed replies --------------------------


@pytest.mark.parametrize("trouble", ["refused", "503", "timeout"])
def test_a_failing_base_url_is_passed_over_without_the_customer_noticing(
    workspace: Workspace, fakes, trouble: str
) -> None:
    good = fakes(reply="Our espresso machines start at 2999 yuan.")
    bad_fake = fakes() if trouble != "refused" else None
    if bad_fake is not None:
        bad_fake.fail(503) if trouble == "503" else bad_fake.hang()
    bad = bad_fake.url if bad_fake else dead_url()
    endpoint(workspace, "pool", bad, good.url, model="fake-model", timeout=1)
    bot(workspace, "pool")
    tried_first(workspace, "pool", bad)
    for user in ("u1", "u2", "u3"):
        reply = workspace.dialogue.reply("helper", user, "How much is a machine?")
        assert reply.read() == good.reply  # whole, once, from the URL that works
    state = url_state(workspace, "pool", bad)
    assert state["state"] == "resting" and state["failures"] == 1  # tried once, then rested
    words = {"refused": "cannot reach", "503": "HTTP 503", "timeout": "no answer for 1 second"}
    assert words[trouble] in state["last_error"]
    assert len(good.chats()) == 3


def test_replies_at_once_go_to_the_least_busy_base_url(workspace: Workspace, fakes) -> None:
    first, second = fakes(reply="One moment please."), fakes(reply="One moment please.")
    first.hold_after(1)
    second.hold_after(1)
    endpoint(workspace, "pool", first.url, second.url, model="fake-model")
    bot(workspace, "pool")
    texts: list[str] = []

    def chat(user: str) -> None:
        texts.append(workspace.dialogue.reply("helper", user, "Hi").read())

    chats = [threading.Thread(target=chat, args=(user,)) for user in "abcd"]
    for thread in chats:
        thread.start()
    wait_for(lambda: len(first.chats()) + len(second.chats()) == 4)
    assert len(first.chats()) == len(second.chats()) == 2
    assert url_state(workspace, "pool", first.url)["in_flight"] == 2
    first.release()
    second.release()
    for thread in chats:
        thread.join(timeout=30)
    assert texts == ["One moment please."] * 4
    assert url_state(workspace, "pool", first.url)["in_flight"] == 0


def test_a_rested_url_is_tried_again_later(workspace: Workspace, fakes, monkeypatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(workspace.remote, "clock", lambda: now[0])
    first, second = fakes(reply="From the first."), fakes(reply="From the second.")
    first.fail(500)
    endpoint(workspace, "pool", first.url, second.url, model="fake-model")
    bot(workspace, "pool")
    tried_first(workspace, "pool", first.url)
    assert workspace.dialogue.reply("helper", "u1", "Hi").read() == "From the second."
    assert url_state(workspace, "pool", first.url)["state"] == "resting"
    first.ok()
    now[0] += 2  # resting still: not asked
    assert workspace.dialogue.reply("helper", "u2", "Hi").read() == "From the second."
    assert len(first.chats()) == 1
    now[0] += 10  # its rest is over: asked again (the second is failing now)
    second.fail(503)
    assert workspace.dialogue.reply("helper", "u3", "Hi").read() == "From the first."
    assert len(first.chats()) == 2
    assert url_state(workspace, "pool", first.url)["state"] == "ok"


def test_a_stream_that_dies_half_way_is_not_said_twice(workspace: Workspace, fakes) -> None:
    breaking = fakes(reply="Hello there, this answer will break off soon")
    other = fakes(reply="A complete answer from the other server.")
    breaking.cut_after(3)
    endpoint(workspace, "pool", breaking.url, other.url, model="fake-model")
    bot(workspace, "pool")
    tried_first(workspace, "pool", breaking.url)
    reply = workspace.dialogue.reply("helper", "u1", "Hi")
    pieces = list(reply)
    assert "".join(pieces) == "Hello there, this" == reply.text  # what was said, once
    assert reply.generation.stats.stopped_by == "error"
    assert other.chats() == []  # never started again elsewhere
    assert [t.content for t in workspace.conversations.history("helper", "u1")] == [
        "Hi",
        "Hello there, this",
    ]
    assert url_state(workspace, "pool", breaking.url)["state"] == "resting"


def test_a_stream_that_dies_before_its_first_words_moves_on(workspace, fakes) -> None:
    breaking = fakes(reply="never said")
    other = fakes(reply="A complete answer from the other server.")
    breaking.cut_after(0)
    endpoint(workspace, "pool", breaking.url, other.url, model="fake-model")
    bot(workspace, "pool")
    tried_first(workspace, "pool", breaking.url)
    assert workspace.dialogue.reply("helper", "u1", "Hi").read() == other.reply
    assert len(breaking.chats()) == 1 and len(other.chats()) == 1


# --- errors in plain words; the customer gets the polite fallback -----------------


@pytest.mark.parametrize(
    ("trouble", "zh", "en"),
    [
        ("401", "API Key 不对或已失效", "API key of endpoint remote is wrong"),
        ("429", "额度用完了，或请求太频繁被限流", "out of quota or rate-limited"),
        ("404", "找不到模型 “gpt-nope”", "has no model 'gpt-nope'"),
        ("down", "连不上端点 remote 的地址", "cannot reach"),
    ],
)
def test_errors_are_said_in_plain_words(
    tmp_path, bots_dir, gguf_dir, pool, fakes, caplog, trouble, zh, en
) -> None:
    caplog.set_level(logging.DEBUG)
    workspace = Workspace(bots_dir, tmp_path / "data", gguf_dir, "zh", pool)
    fake = fakes(key=KEY)
    if trouble == "429":
        fake.fail(429)
    url = dead_url() if trouble == "down" else fake.url
    key = "sk-wrong-key-0000000000" if trouble == "401" else KEY
    model = "gpt-nope" if trouble == "404" else "fake-model"
    endpoint(workspace, "remote", url, api_key=key, model=model)
    bot(workspace, "remote")
    with pytest.raises(EndpointError) as raised:
        workspace.dialogue.reply("helper", "u1", "你好")
    assert zh in str(raised.value) and en in raised.value.text("en")
    assert KEY not in caplog.text and "sk-wrong-key" not in caplog.text


def test_a_customer_in_wecom_gets_the_stream_or_the_polite_fallback(
    tmp_path: Path, gguf_dir: Path, pool, fakes, monkeypatch, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    token, aes_key = "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
    bots = tmp_path / "bots"
    bots.mkdir()
    workspace = Workspace(bots, tmp_path / "data", gguf_dir, "en", pool)
    good = fakes(reply="Fresh beans arrive every Monday, roasted the week before.")
    locked = fakes(key=KEY)
    endpoint(workspace, "good", good.url, model="fake-model")
    endpoint(workspace, "locked", locked.url, api_key="sk-wrong-key-1111111111", model="fake-model")
    stream = "wecom: {reply_format: stream}\n"
    bot(workspace, "good", extra=stream, bot_id="fine")
    bot(workspace, "locked", extra=stream, bot_id="broken")
    for bot_id in ("fine", "broken"):
        workspace.bindings.bind(bot_id, "aibot", {"token": token, "aes_key": aes_key})
    wecom = FakeWeCom()
    with Served(wecom.app()) as wecom_server, Served(create_app(workspace, with_studio=False)) as s:
        monkeypatch.setenv("BOTSTUDIO_WECOM_API", wecom_server.url)

        def conversation(bot_id: str) -> list[str]:
            sender = AIBotSender(f"{s.url}/wecom/aibot/{bot_id}", token, aes_key, wecom_server.url)
            first = sender.reply_of(sender.post(sender.message("When do beans arrive?")))
            seen = []
            while True:  # WeCom's refresh callbacks, until the stream is finished
                refresh = {
                    "msgid": f"r{len(seen)}",
                    "msgtype": "stream",
                    "stream": {"id": first["stream"]["id"]},
                }
                answer = sender.reply_of(sender.post(refresh))["stream"]
                seen.append(answer["content"])
                if answer["finish"]:
                    return seen
                time.sleep(0.05)

        shown = conversation("fine")
        assert shown[-1] == good.reply and all(shown[-1].startswith(s) for s in shown)
        shown = conversation("broken")
        assert shown[-1] == "Sorry, I cannot answer right now; please try again later."
        assert not any("key" in text.lower() or "401" in text for text in shown)
    assert "API key of endpoint locked is wrong" in caplog.text  # said in the log instead
    assert "sk-wrong-key" not in caplog.text  # but never the key


# --- what goes out: structured output, cache hints, byte-stable prompts ----------


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("llama-server", {"response_format": {"type": "json_object", "schema": "SCHEMA"}}),
        (
            "vllm",
            {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "fields", "schema": "SCHEMA"},
                }
            },
        ),
        (
            "openai",
            {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "fields", "schema": "SCHEMA"},
                }
            },
        ),
        ("ollama", {"format": "SCHEMA"}),
    ],
)
def test_lead_extraction_asks_for_json_in_each_servers_dialect(
    workspace: Workspace, fakes, kind: str, expected: dict
) -> None:
    fake = fakes(reply='{"company": "Acme Ltd"}')
    endpoint(workspace, "remote", fake.url, model="fake-model", kind=kind)
    bot(workspace, "remote")
    generate = workspace.dialogue.leads.generate_for(workspace.dialogue.spec("helper"))
    company = LeadField(key="company", label="Company")
    found = extract([company], "We are Acme Ltd.", datetime.now(), generate)
    assert found == {"company": "Acme Ltd"}
    sent = fake.chats()[-1].json
    schema = (
        sent.get("format")
        or (sent["response_format"].get("json_schema") or sent["response_format"])["schema"]
    )
    assert schema["required"] == ["company"] and schema["additionalProperties"] is False
    for key, value in expected.items():
        assert json.loads(json.dumps(sent[key]).replace(json.dumps(schema), '"SCHEMA"')) == value
    assert sent["temperature"] == 0  # extraction is greedy


def test_a_server_that_refuses_json_schema_gets_json_object_and_values_are_still_checked(
    workspace: Workspace, fakes
) -> None:
    fake = fakes(reply='{"company": "Globex"}', refuse_json_schema=True)
    endpoint(workspace, "remote", fake.url, model="fake-model")
    bot(workspace, "remote")
    generate = workspace.dialogue.leads.generate_for(workspace.dialogue.spec("helper"))
    company = LeadField(key="company", label="Company")
    # "Globex" is not in the message: a guess, dropped as with a local model
    assert extract([company], "We are Acme Ltd.", datetime.now(), generate) == {}
    fake.reply = '{"company": "Acme Ltd"}'
    assert extract([company], "We are Acme Ltd.", datetime.now(), generate) == {
        "company": "Acme Ltd"
    }
    formats = [r.json["response_format"]["type"] for r in fake.chats()]
    assert formats == ["json_schema", "json_object", "json_object"]  # refused once, remembered
    system = fake.chats()[-1].json["messages"][0]["content"]
    assert "JSON schema" in system and '"company"' in system


def test_prompts_are_byte_stable_across_turns_so_the_servers_cache_hits(
    workspace: Workspace, fakes
) -> None:
    fake = fakes(reply="Our beans come from Yunnan.")
    endpoint(workspace, "remote", fake.url, model="fake-model", kind="llama-server")
    bot(workspace, "remote")
    for message in ("Where are your beans from?", "And the machines?", "Delivery time?"):
        workspace.dialogue.reply("helper", "u1", message).read()
    bodies = [r.body for r in fake.chats()]
    assert len(bodies) == 3
    for earlier, later in itertools.pairwise(bodies):
        # everything before the newest message is sent again byte for byte: the pinned
        # persona, knowledge and few-shot first, then the history
        newest = json.loads(earlier)["messages"][-1]
        cut = earlier.rindex(json.dumps(newest["content"]).encode())
        assert later[:cut] == earlier[:cut]
        assert json.loads(later)["messages"][: len(json.loads(earlier)["messages"])][-1] == newest
    first = json.loads(bodies[0])
    assert first["messages"][0]["role"] == "system"
    assert all(json.loads(b)["cache_prompt"] is True for b in bodies)  # llama-server keeps it
    assert all(json.loads(b)["repeat_penalty"] == 1.1 for b in bodies)


# --- health, compare, rehearsal ------------------------------------------------------


def test_healthz_shows_each_url_with_its_state_and_requests_in_flight(
    workspace: Workspace, fakes
) -> None:
    slow = fakes(reply="One moment while I look that up for you.")
    dead = dead_url()
    endpoint(workspace, "pool", slow.url, dead, api_key=KEY, model="fake-model")
    bot(workspace, "pool")
    workspace.remote.test("pool")  # every URL asked once: the dead one rests
    slow.hold_after(2)
    with Served(create_app(workspace, with_studio=False)) as served:
        replying = threading.Thread(
            target=lambda: workspace.dialogue.reply("helper", "u1", "Hi").read()
        )
        replying.start()

        def urls() -> dict[str, dict]:
            body = httpx.get(f"{served.url}/healthz").json()
            return {u["url"]: u for u in body["endpoints"][0]["urls"]}

        assert wait_for(lambda: urls()[slow.url]["in_flight"] == 1)
        slow.release()
        replying.join(timeout=30)
        shown = urls()
        assert shown[slow.url]["in_flight"] == 0 and shown[slow.url]["state"] == "ok"
        assert shown[dead]["state"] == "resting" and shown[dead]["in_flight"] == 0
        assert "cannot reach" in shown[dead]["last_error"]
        body = httpx.get(f"{served.url}/healthz")
        assert body.json()["status"] == "attention"
        assert any(dead in p for p in body.json()["problems"])
        assert KEY not in body.text and "sk-t…ef" in body.text


def test_compare_and_rehearsal_run_on_an_endpoint(workspace: Workspace, fakes) -> None:
    fake = fakes(reply="May I have your phone number?")
    endpoint(workspace, "remote", fake.url, model="fake-model")
    shop = (
        "lead_capture:\n  converted_when: [phone]\n  fields:\n"
        "    - {key: phone, label: Phone, type: phone_cn, ask: 'Your phone?'}\n"
    )
    bot(workspace, "remote", extra=shop, bot_id="shop")
    (workspace.bots_dir / "local.yaml").write_text(
        "id: local\nname: Local\nlanguage: en\nmodel: {max_tokens: 16, context: 2048}\n",
        encoding="utf-8",
    )
    _, _, generation = workspace.dialogue.preview("local", "Hi", model_file="endpoint:remote")
    assert generation.read_all() == fake.reply  # compare: a bot on a local file, on the endpoint
    from runtime.experiments.rehearse import Customers, Rehearsal

    customers = Customers.model_validate(
        {
            "max_turns": 2,
            "customers": [
                {
                    "name": "Eager",
                    "who": "a student",
                    "wants": "a phone",
                    "shares": {"phone": "13812345678"},
                    "only_if_asked": False,
                }
            ],
        }
    )
    asked = len(fake.chats())
    report = Rehearsal(workspace.dialogue, "en").run(workspace.dialogue.spec("shop"), customers, 1)
    assert report["variants"][0]["users"] == 1 and report["variants"][0]["conversions"] == 1
    assert len(fake.chats()) - asked >= 2  # the customer's side and the bot's, both there


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="no Debian chromium")
def test_the_studio_keeps_tests_and_uses_an_endpoint_with_its_key_never_shown(
    workspace: Workspace, fakes
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    fake = fakes(reply="你好，我在。")
    (workspace.bots_dir / "helper.yaml").write_text(
        "id: helper\nname: Helper\nmodel: {temperature: 0.2}\n", encoding="utf-8"
    )
    with Served(create_app(workspace)) as served, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1360, "height": 1000}, locale="zh-CN")
        page.set_default_timeout(30_000)
        page.goto(f"{served.url}/studio/zh/")
        page.get_by_role("tab", name="🧠 模型").click()
        page.locator("#endpoints-preset").scroll_into_view_if_needed()
        page.click("#endpoints-preset input")
        page.keyboard.type("vLLM")
        page.keyboard.press("Enter")
        sync_api.expect(page.locator("#endpoints-name textarea")).to_have_value("vllm")
        page.fill("#endpoints-urls textarea", fake.url)
        page.fill("#endpoints-key input, #endpoints-key textarea", KEY)
        page.fill("#endpoints-model textarea", "fake-model")
        page.click("#endpoints-save")
        sync_api.expect(page.locator("#endpoints-status")).to_contain_text("已保存端点 vllm")
        sync_api.expect(page.locator("#endpoints-list")).to_contain_text("sk-t…ef")
        assert KEY not in page.content()  # masked, and the key box emptied after saving
        page.click("#endpoints-test")
        sync_api.expect(page.locator("#endpoints-status")).to_contain_text(f"✔ {fake.url}")
        sync_api.expect(page.locator("#endpoints-health")).to_contain_text("✅ 正常")
        page.locator("#endpoints-bots label", has_text="Helper（helper）").click()
        page.click("#endpoints-use")
        sync_api.expect(page.locator("#endpoints-status")).to_contain_text("已让 helper 使用端点")
        browser.close()
    assert workspace.endpoints.get("vllm").api_key == KEY
    saved = (workspace.bots_dir / "helper.yaml").read_text(encoding="utf-8")
    assert "endpoint: vllm" in saved and "temperature: 0.2" in saved and KEY not in saved
    assert fake.chats()[-1].headers["authorization"] == f"Bearer {KEY}"
