"""The AI-bot long connection against the fake WeCom's WebSocket: subscribe, ping,
answer by req_id, stream as the reply grows, reconnect and never answer twice."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from runtime.server.app import create_app
from runtime.workspace import Workspace
from tests.fake_wecom import FakeWeCom, Served

pytestmark = pytest.mark.model


def wait_for(condition, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def connected(tmp_path: Path, gguf_dir: Path, pool, monkeypatch: pytest.MonkeyPatch):
    fake = FakeWeCom(longconn_bots={"BOT-1": "s3cret"})
    with Served(fake.app()) as wecom:
        monkeypatch.setenv("BOTSTUDIO_WECOM_WS", wecom.url.replace("http://", "ws://"))
        bots = tmp_path / "bots"
        bots.mkdir()
        (bots / "desk.yaml").write_text(
            "id: desk\nname: Desk\nlanguage: en\npersona: You are a helpful assistant.\n"
            "model: {temperature: 0, max_tokens: 60, context: 2048}\n"
            "wecom: {reply_format: stream}\n"
        )
        workspace = Workspace(bots, tmp_path / "data", gguf_dir, "en", pool)
        workspace.bindings.bind("desk", "longconn", {"bot_id": "BOT-1", "secret": "s3cret"})
        app = create_app(workspace, with_studio=False)
        with Served(app):
            hub = app.state.hub
            wait_for(
                lambda: (
                    "desk" in hub.channels["longconn"].connections
                    and hub.channels["longconn"].connections["desk"].connected.is_set()
                )
            )
            yield fake, hub, workspace


def message(msgid: str, text: str) -> dict:
    return {
        "msgid": msgid,
        "aibotid": "BOT-1",
        "chattype": "single",
        "from": {"userid": "wangwu"},
        "msgtype": "text",
        "text": {"content": text},
    }


def replies(fake: FakeWeCom, req_id: str) -> list[dict]:
    sent = [f for f in fake.ws_frames if f.get("cmd") == "aibot_respond_msg"]
    return [f["body"] for f in sent if f["headers"]["req_id"] == req_id]


def test_subscribes_and_streams_the_reply_by_req_id(connected) -> None:
    fake, _, workspace = connected
    assert fake.subscribes == 1
    fake.push_callback("BOT-1", message("m1", "Tell me a story about a cat."), "req-1")
    final = wait_for(lambda: [r for r in replies(fake, "req-1") if r["stream"]["finish"]])
    frames = replies(fake, "req-1")
    sid = final[0]["stream"]["id"]
    assert frames[0]["stream"] == {
        "id": sid,
        "finish": False,
        "content": "",
        "feedback": {"id": sid},
    }
    assert final[0]["stream"]["content"].strip()
    contents = [f["stream"]["content"] for f in frames]
    assert all(contents[-1].startswith(c) for c in contents)  # cumulative
    assert workspace.bindings.health("desk", "longconn")["last_success"]


def test_pings_keep_the_connection_alive(connected) -> None:
    fake, hub, _ = connected
    hub.channels["longconn"].connections["desk"].ping_seconds = 0.2  # 30 s in production
    fake.push_callback("BOT-1", message("m-ping", "/status"), "req-ping")  # wakes the loop
    wait_for(lambda: replies(fake, "req-ping"))


def test_a_dropped_connection_reconnects_and_a_redelivered_message_is_answered_once(
    connected,
) -> None:
    fake, hub, workspace = connected
    fake.push_callback("BOT-1", message("m2", "/help"), "req-2")
    wait_for(lambda: [r for r in replies(fake, "req-2") if r["stream"]["finish"]])
    fake.drop("BOT-1")
    wait_for(lambda: fake.subscribes == 2, timeout=30)
    wait_for(lambda: hub.channels["longconn"].connections["desk"].connected.is_set())
    fake.push_callback("BOT-1", message("m2", "/help"), "req-2b")  # WeCom delivers it again
    again = wait_for(lambda: replies(fake, "req-2b"))
    first = next(r for r in replies(fake, "req-2") if r["stream"]["finish"])
    assert again == [first]  # the same finished stream, not a second answer
    count = workspace.journal.connection().execute("SELECT COUNT(*) FROM inbox").fetchone()[0]
    assert count == 1


def test_a_wrong_secret_marks_the_binding_broken(
    tmp_path: Path, gguf_dir: Path, pool, monkeypatch
) -> None:
    fake = FakeWeCom(longconn_bots={"BOT-1": "right"})
    with Served(fake.app()) as wecom:
        monkeypatch.setenv("BOTSTUDIO_WECOM_WS", wecom.url.replace("http://", "ws://"))
        bots = tmp_path / "bots"
        bots.mkdir()
        (bots / "desk.yaml").write_text("id: desk\nname: Desk\n")
        workspace = Workspace(bots, tmp_path / "data", gguf_dir, "en", pool)
        workspace.bindings.bind("desk", "longconn", {"bot_id": "BOT-1", "secret": "wrong"})
        with Served(create_app(workspace, with_studio=False)):
            health = wait_for(lambda: workspace.bindings.health("desk", "longconn").get("broken"))
    assert health and "40001" in workspace.bindings.health("desk", "longconn")["last_error"]


def test_a_malformed_callback_is_dropped_and_the_connection_keeps_answering(connected) -> None:
    fake, _, workspace = connected
    bad = message("m-bad", "hi")
    bad["text"] = ["not", "an", "object"]  # WeCom's type for text is an object
    fake.push_callback("BOT-1", bad, "req-bad")
    fake.push_frame("BOT-1", "[" * 100_000 + "]" * 100_000)  # too deep for json.loads
    fake.push_frame("BOT-1", '"a string, not an object"')
    fake.push_callback("BOT-1", message("m-good", "/help"), "req-good")
    wait_for(lambda: [r for r in replies(fake, "req-good") if r["stream"]["finish"]])
    assert replies(fake, "req-bad") == []
    assert fake.subscribes == 1  # never dropped and reconnected over it
    count = workspace.journal.connection().execute("SELECT COUNT(*) FROM inbox").fetchone()[0]
    assert count == 1  # only the good one was journaled
