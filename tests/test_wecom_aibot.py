"""The AI-bot callback end to end: the fake WeCom encrypts, signs and posts; our server
journals, answers at once and replies by stream or through response_url."""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from runtime.channels.intake import WORKERS as INTAKE_WORKERS
from runtime.server.app import create_app
from runtime.wecom.crypto import WeComCrypto, signature
from runtime.workspace import Workspace
from tests.fake_wecom import AIBotSender, FakeWeCom, Served, free_port

pytestmark = pytest.mark.model
ROOT = Path(__file__).resolve().parent.parent
TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"

BOTS = {
    "helper": "id: helper\nname: Helper\nlanguage: en\n"
    "persona: You are Helper, the assistant of Acme Coffee.\n"
    "model: {temperature: 0, max_tokens: 40, context: 2048}\n",
    "streamer": "id: streamer\nname: Streamer\nlanguage: en\n"
    "persona: You are a friendly assistant.\n"
    "model: {temperature: 0, max_tokens: 60, context: 2048}\n"
    "wecom: {reply_format: stream}\n",
    "limited": "id: limited\nname: Limited\nlanguage: en\n"
    "model: {temperature: 0, max_tokens: 16, context: 2048}\n"
    "safety: {rate_limit: 2/minute, blocked_words: [casino]}\n",
    "prefixed": "id: prefixed\nname: Prefixed\nlanguage: en\n"
    "model: {temperature: 0, max_tokens: 20, context: 2048}\n"
    "wecom: {trigger: prefix, prefix: /ask}\n",
}


def _setup(root: Path, gguf_dir: Path) -> Workspace:
    bots = root / "bots"
    bots.mkdir(parents=True)
    for bot_id, text in BOTS.items():
        (bots / f"{bot_id}.yaml").write_text(text, encoding="utf-8")
    workspace = Workspace(bots, root / "data", gguf_dir, "en")
    for bot_id in BOTS:
        workspace.bindings.bind(bot_id, "aibot", {"token": TOKEN, "aes_key": AES_KEY})
    return workspace


@pytest.fixture
def wecom(monkeypatch: pytest.MonkeyPatch):
    fake = FakeWeCom()
    with Served(fake.app()) as served:
        monkeypatch.setenv("BOTSTUDIO_WECOM_API", served.url)
        fake.url = served.url
        yield fake


@pytest.fixture
def server(tmp_path: Path, gguf_dir: Path, wecom: FakeWeCom, pool):
    workspace = _setup(tmp_path, gguf_dir)
    workspace.pool = pool
    with Served(create_app(workspace, with_studio=False)) as served:
        yield served.url, workspace


def sender(url: str, bot_id: str, wecom: FakeWeCom) -> AIBotSender:
    return AIBotSender(f"{url}/wecom/aibot/{bot_id}", TOKEN, AES_KEY, wecom.url)


def inbox_rows(workspace: Workspace) -> list[sqlite3.Row]:
    return workspace.journal.connection().execute("SELECT * FROM inbox ORDER BY id").fetchall()


def wait_for(condition, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_url_verification_returns_the_decrypted_echostr(server, wecom) -> None:
    url, _ = server
    crypto = WeComCrypto(TOKEN, AES_KEY, "")
    echostr = crypto.encrypt("1288432023552776189")
    now = str(int(time.time()))  # a signature is good for five minutes
    params = {
        "msg_signature": signature(TOKEN, now, "n1", echostr),
        "timestamp": now,
        "nonce": "n1",
        "echostr": echostr,
    }
    response = httpx.get(f"{url}/wecom/aibot/helper", params=params)
    assert response.status_code == 200 and response.text == "1288432023552776189"
    params["msg_signature"] = "0" * 40
    assert httpx.get(f"{url}/wecom/aibot/helper", params=params).status_code == 403


def test_a_group_mention_is_answered_in_a_stream(server, wecom) -> None:
    url, workspace = server
    bot = sender(url, "streamer", wecom)
    message = bot.message("@Streamer tell me about coffee", chat="wrkSFfCgAAxxxx")
    first = bot.reply_of(bot.post(message))
    assert first["msgtype"] == "stream" and first["stream"]["finish"] is False
    stream = first["stream"]["id"]
    seen = []
    while True:  # WeCom's refresh callbacks, until finish
        refresh = {"msgid": f"r{len(seen)}", "msgtype": "stream", "stream": {"id": stream}}
        answer = bot.reply_of(bot.post(refresh))["stream"]
        seen.append(answer["content"])
        if answer["finish"]:
            break
        time.sleep(0.05)
    assert seen[-1].strip()
    assert all(seen[-1].startswith(s) for s in seen)  # cumulative, as WeCom shows it
    row = inbox_rows(workspace)[0]
    assert row["conversation"] == "wrkSFfCgAAxxxx" and row["text"] == "tell me about coffee"
    assert row["state"] == "answered" and row["answer"] == seen[-1]


def test_the_same_msgid_three_times_at_once_is_answered_once(server, wecom) -> None:
    url, workspace = server
    bot = sender(url, "helper", wecom)
    message = bot.message("hello there", msgid="dup-1")
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        responses = list(pool.map(lambda _: bot.post(message), range(3)))
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert len(inbox_rows(workspace)) == 1
    token = message["response_url"].rsplit("/", 1)[1]
    wait_for(lambda: wecom.responses.get(token))
    time.sleep(1.0)
    assert len(wecom.responses[token]) == 1
    assert wecom.responses[token][0]["markdown"]["content"].strip()


def test_a_burst_of_callbacks_finds_the_servers_threads_started(server, wecom) -> None:
    """A campaign's first burst meets threads that are running already, each with its
    journal connection: none is made while customers wait for their acknowledgement."""
    url, workspace = server

    def workers() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if t.name.startswith(("intake_", "responder_"))}

    ready = workers()
    assert sum(t.name.startswith("intake_") for t in ready) >= INTAKE_WORKERS
    assert sum(t.name.startswith("responder_") for t in ready) >= workspace.pool.slots + 2
    bot = sender(url, "prefixed", wecom)
    messages = [bot.message(f"@Prefixed /ask question {i}", chat="g1") for i in range(20)]
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(bot.post, messages))
    assert [r.status_code for r in responses] == [200] * 20
    assert len(inbox_rows(workspace)) == 20
    assert workers() <= ready, "threads were started for the burst"


def test_chat_commands(server, wecom) -> None:
    url, _ = server
    bot = sender(url, "helper", wecom)
    message = bot.message("/help")
    bot.post(message)
    token = message["response_url"].rsplit("/", 1)[1]
    replies = wait_for(lambda: wecom.responses.get(token))
    assert "/clear" in replies[0]["markdown"]["content"]


def test_a_group_message_without_the_prefix_is_ignored(server, wecom) -> None:
    url, workspace = server
    bot = sender(url, "prefixed", wecom)
    response = bot.post(bot.message("@Prefixed just chatting", chat="g1"))
    assert response.status_code == 200 and response.content == b""
    assert inbox_rows(workspace) == []
    bot.post(bot.message("@Prefixed /ask what is new?", chat="g1"))
    assert inbox_rows(workspace)[0]["text"] == "what is new?"


def test_feedback_on_a_streamed_reply_is_counted(server, wecom) -> None:
    url, workspace = server
    bot = sender(url, "streamer", wecom)
    first = bot.reply_of(bot.post(bot.message("hello", user="lisi")))
    feedback_id = first["stream"]["feedback"]["id"]  # lets WeCom show 👍/👎 under it

    def rate(kind: int) -> None:
        event = {
            "msgid": f"e{kind}",
            "msgtype": "event",
            "from": {"userid": "lisi"},
            "event": {
                "eventtype": "feedback_event",
                "feedback_event": {"id": feedback_id, "type": kind},
            },
        }
        assert bot.post(event).status_code == 200

    rate(2)
    rate(3)  # taken back
    rows = workspace.journal.connection().execute(
        "SELECT kind, user, json_extract(payload, '$.value'), json_extract(payload, '$.reply')"
        " FROM events WHERE kind = 'feedback' ORDER BY id"
    )
    assert [tuple(r) for r in rows] == [
        ("feedback", "lisi", -1, feedback_id),
        ("feedback", "lisi", 0, feedback_id),
    ]


def test_bad_requests_get_4xx_and_nothing_is_journaled(server, wecom) -> None:
    url, workspace = server
    bot = sender(url, "helper", wecom)
    params, body = bot.signed(bot.message("hi"))
    forged = {**params, "msg_signature": "f" * 40}
    assert httpx.post(bot.url, params=forged, json=body).status_code == 403
    other_key = WeComCrypto(TOKEN, "a" * 43, "").encrypt('{"msgtype":"text"}')
    garbled = {
        **params,
        "msg_signature": signature(TOKEN, params["timestamp"], params["nonce"], other_key),
    }
    assert httpx.post(bot.url, params=garbled, json={"encrypt": other_key}).status_code == 400
    assert httpx.post(bot.url, params=params, content=b"not json").status_code == 400
    assert httpx.post(f"{url}/wecom/aibot/nobody", params=params, json=body).status_code == 404
    huge = {"encrypt": "A" * 300_000}
    assert httpx.post(bot.url, params=params, json=huge).status_code == 413
    assert inbox_rows(workspace) == []


def _start(root: Path, port: int, env: dict) -> subprocess.Popen:
    command = [
        sys.executable,
        "launch.py",
        "--bots",
        str(root / "bots"),
        "--data",
        str(root / "data"),
    ]
    process = subprocess.Popen([*command, "--port", str(port)], cwd=ROOT, env=env)
    wait_for(lambda: _up(port), timeout=90)
    return process


def _up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    except httpx.TransportError:
        return False


def _reply_length(root: Path, max_tokens: int) -> None:
    """The helper's replies from now on: at most `max_tokens` long."""
    helper = BOTS["helper"].replace("max_tokens: 40", f"max_tokens: {max_tokens}")
    (root / "bots" / "helper.yaml").write_text(helper, encoding="utf-8")


def _generating(root: Path, gguf_dir: Path, wecom: FakeWeCom, max_tokens: int):
    """A server process whose helper writes `max_tokens` long replies, and a message for it."""
    _setup(root, gguf_dir)
    _reply_length(root, max_tokens)
    port = free_port()
    env = {**os.environ, "BOTSTUDIO_WECOM_API": wecom.url, "BOTSTUDIO_THREADS": "2"}
    server = _start(root, port, env)
    bot = sender(f"http://127.0.0.1:{port}", "helper", wecom)
    return server, port, env, bot, bot.message("Write a long story about a lighthouse.")


def test_killed_during_generation_the_restarted_server_answers_once(
    tmp_path: Path, gguf_dir: Path, wecom: FakeWeCom
) -> None:
    server, port, env, bot, message = _generating(tmp_path, gguf_dir, wecom, max_tokens=400)
    try:
        assert bot.post(message).status_code == 200  # journaled and acknowledged
        time.sleep(0.5)  # generating now
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    token = message["response_url"].rsplit("/", 1)[1]
    assert token not in wecom.responses
    # Long replies made sure it was killed mid-generation; the answer after the restart need
    # only be there once, so it is the shortest there is: its wait depends on no machine.
    _reply_length(tmp_path, 16)
    server = _start(tmp_path, port, env)
    try:
        wait_for(lambda: wecom.responses.get(token), timeout=120)
        bot.post(message)  # WeCom retries too: still one answer
        time.sleep(1.5)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert len(wecom.responses[token]) == 1
    db = sqlite3.connect(tmp_path / "data" / "botstudio.sqlite3")
    assert db.execute("SELECT state FROM inbox").fetchall() == [("answered",)]
    assert json.loads(db.execute("SELECT body FROM outbox").fetchone()[0])["msgtype"] == "markdown"


def test_a_conversion_alerts_the_team_with_the_phone_masked(
    tmp_path: Path, gguf_dir: Path, pool, monkeypatch
) -> None:
    fake = FakeWeCom(keys={"a1b2c3d4-alert-key-0000"})
    with Served(fake.app()) as wecom:
        monkeypatch.setenv("BOTSTUDIO_WECOM_API", wecom.url)
        fake.url = wecom.url
        workspace = _setup(tmp_path, gguf_dir)
        workspace.pool = pool
        lead_bot = (
            BOTS["helper"] + "lead_capture:\n  converted_when: [phone]\n  fields:\n"
            "    - {key: phone, label: Mobile, type: phone_cn}\n"
        )
        (tmp_path / "bots" / "helper.yaml").write_text(lead_bot, encoding="utf-8")
        workspace.bindings.bind("helper", "alert_webhook", {"key": "a1b2c3d4-alert-key-0000"})
        with Served(create_app(workspace, with_studio=False)) as served:
            bot = sender(served.url, "helper", fake)
            bot.post(bot.message("call me on 13812345678", user="zhaoliu"))
            alerts = wait_for(lambda: fake.texts("a1b2c3d4-alert-key-0000"))
    assert "zhaoliu" in alerts[0] and "138****5678" in alerts[0]
    assert "13812345678" not in alerts[0]


def test_rate_limit_and_blocked_words_in_wecom(server, wecom) -> None:
    url, _ = server
    bot = sender(url, "limited", wecom)

    def ask(text: str, user: str = "zhaoliu") -> str:
        message = bot.message(text, user=user)
        bot.post(message)
        token = message["response_url"].rsplit("/", 1)[1]
        return wait_for(lambda: wecom.responses.get(token))[0]["markdown"]["content"]

    assert ask("Where is the CASINO?") == "抱歉，这个问题我无法回答。"  # in, any case
    assert "moment" not in ask("hello")
    assert "ask again shortly" in ask("hello again")  # the third in a minute: a polite no
    assert "moment" not in ask("hello", user="someone-else")  # per person


def test_a_stop_signal_lets_the_reply_in_progress_finish_into_the_outbox(
    tmp_path: Path, gguf_dir: Path, wecom: FakeWeCom
) -> None:
    """What `systemctl stop` (SIGTERM) does: the answer being written is finished,
    journaled and delivered before the process exits, not lost and not left half done."""
    server, _, _, bot, message = _generating(tmp_path, gguf_dir, wecom, max_tokens=120)
    try:
        assert bot.post(message).status_code == 200
        time.sleep(0.5)  # generating now
    finally:
        server.send_signal(signal.SIGTERM)
        # uvicorn re-raises the signal after its graceful shutdown; systemd counts that
        # as a clean stop
        assert server.wait(timeout=60) in (0, -signal.SIGTERM)
    db = sqlite3.connect(tmp_path / "data" / "botstudio.sqlite3")
    assert db.execute("SELECT state FROM inbox").fetchall() == [("answered",)]
    assert db.execute("SELECT state FROM outbox").fetchall() == [("sent",)]
    token = message["response_url"].rsplit("/", 1)[1]
    assert len(wecom.responses[token]) == 1 and wecom.responses[token][0]["markdown"]["content"]
    log = (tmp_path / "data" / "logs" / "botstudio.log").read_text(encoding="utf-8")
    line = next(x for x in log.splitlines() if "botstudio.messages" in x)
    assert "bot=helper user=u-" in line and "variant=-" in line and "tokens=" in line
    assert "zhangsan" not in log  # people appear as a hash
