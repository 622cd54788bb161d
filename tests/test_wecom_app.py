"""The self-built app callback end to end, with WeCom's official XML vectors."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from runtime.server.app import create_app
from runtime.workspace import Workspace
from tests.fake_wecom import FakeWeCom, Served
from tests.test_wecom_crypto import AES_KEY, CORP_ID, ECHOSTR, TOKEN, XML_ENCRYPT

pytestmark = pytest.mark.model
SECRET = "app-secret-0001"
ENVELOPE = (
    "<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>"
    f"<Encrypt><![CDATA[{XML_ENCRYPT}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>"
)
SIGNED = {
    "msg_signature": "0c3914025cb4b4d68103f6bfc8db550f79dcf48e",
    "timestamp": "1476422779",
    "nonce": "1597212914",
}


class PinnedClock:
    """The server's clock, set to when WeCom signed its official vectors (in 2016): it
    refuses callbacks signed more than five minutes off its clock."""

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> PinnedClock:
    return PinnedClock(float(SIGNED["timestamp"]))


@pytest.fixture
def setup(tmp_path: Path, gguf_dir: Path, pool, monkeypatch: pytest.MonkeyPatch, clock):
    fake = FakeWeCom(apps={CORP_ID: SECRET})
    with Served(fake.app()) as wecom:
        monkeypatch.setenv("BOTSTUDIO_WECOM_API", wecom.url)
        bots = tmp_path / "bots"
        bots.mkdir()
        (bots / "hr.yaml").write_text(
            "id: hr\nname: HR\nlanguage: en\npersona: You answer employees' HR questions.\n"
            "model: {temperature: 0, max_tokens: 30, context: 2048}\n"
        )
        workspace = Workspace(bots, tmp_path / "data", gguf_dir, "en", pool)
        workspace.bindings.bind(
            "hr",
            "app",
            {
                "corp_id": CORP_ID,
                "agent_id": "1000002",
                "secret": SECRET,
                "token": TOKEN,
                "aes_key": AES_KEY,
            },
        )
        app = create_app(workspace, with_studio=False)
        app.state.hub.channels["app"].clock = clock
        with Served(app) as server:
            yield server.url, fake, workspace


def wait_for(condition, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_url_verification_with_the_official_vector(setup, clock) -> None:
    url, _, _ = setup
    clock.now = 1476416373  # when this vector was signed
    params = {
        "msg_signature": "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb",
        "timestamp": "1476416373",
        "nonce": "47744683",
        "echostr": ECHOSTR,
    }
    response = httpx.get(f"{url}/wecom/app/hr", params=params)
    assert response.status_code == 200 and response.text == "1288432023552776189"


def test_the_official_message_is_acknowledged_at_once_and_answered_by_message_send(setup) -> None:
    url, fake, workspace = setup
    started = time.monotonic()
    response = httpx.post(f"{url}/wecom/app/hr", params=SIGNED, content=ENVELOPE.encode())
    assert response.status_code == 200 and response.content == b""
    assert time.monotonic() - started < 5  # WeCom gives up after 5 s
    row = (
        workspace.journal.connection().execute("SELECT msgid, speaker, text FROM inbox").fetchone()
    )
    assert tuple(row) == ("1456453720", "ChenJiaShun", "你好")
    wait_for(lambda: fake.app_messages)
    sent = fake.app_messages[0]
    assert sent["touser"] == "ChenJiaShun" and sent["agentid"] == 1000002
    assert sent["text"]["content"].strip()
    # WeCom's retry of the same MsgId is not answered again
    httpx.post(f"{url}/wecom/app/hr", params=SIGNED, content=ENVELOPE.encode())
    time.sleep(1)
    assert len(fake.app_messages) == 1 and len(fake.tokens_issued) == 1


def test_an_expired_token_is_fetched_again(setup) -> None:
    _, fake, workspace = setup
    from runtime.channels.wecom.app import AppTokens, send_app_message

    tokens = AppTokens()
    body = {"touser": "u1", "msgtype": "text", "agentid": 1000002, "text": {"content": "hi"}}
    assert send_app_message(workspace.bindings, tokens, "hr", body).ok
    fake.expire_tokens()
    assert send_app_message(workspace.bindings, tokens, "hr", body).ok
    assert len(fake.tokens_issued) == 3 and len(fake.app_messages) == 2


def test_bad_xml_and_forged_signatures_are_refused(setup) -> None:
    url, _, workspace = setup
    forged = {**SIGNED, "msg_signature": "a" * 40}
    assert (
        httpx.post(f"{url}/wecom/app/hr", params=forged, content=ENVELOPE.encode()).status_code
        == 403
    )
    assert (
        httpx.post(f"{url}/wecom/app/hr", params=SIGNED, content=b"<xml><oops").status_code == 400
    )
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Encrypt>&a;</Encrypt></xml>'
    )
    assert httpx.post(f"{url}/wecom/app/hr", params=SIGNED, content=bomb).status_code == 400
    assert (
        httpx.post(f"{url}/wecom/app/other", params=SIGNED, content=ENVELOPE.encode()).status_code
        == 404
    )
    huge = b"<xml>" + b"A" * 300_000 + b"</xml>"  # refused on its declared length, unread
    assert httpx.post(f"{url}/wecom/app/hr", params=SIGNED, content=huge).status_code == 413
    assert workspace.journal.connection().execute("SELECT COUNT(*) FROM inbox").fetchone()[0] == 0
