"""Malformed input and smaller holes (issue 12): what an attacker or a user observes.

Requests go over real HTTP on 127.0.0.1 to the real FastAPI app; the command line
runs as real launch.py processes on real files. Every malformed callback gets a 4xx
and a log line that says why, never a 500.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from runtime.inbox import Inbound, Inbox
from runtime.logmask import mask_personal, mask_user
from runtime.outbox import Outbox
from runtime.responder import Responder, StreamBoard
from runtime.server.app import create_app
from runtime.spec import SpecError
from runtime.spec.catalog_ops import BotOperationError, create, import_file
from runtime.wecom.bindings import BindingError, webhook_key
from runtime.wecom.crypto import WeComCrypto, signature
from runtime.workspace import Workspace
from tests.fake_wecom import AIBotSender, FakeWeCom, Served, free_port
from tests.test_wecom_crypto import AES_KEY as APP_AES_KEY
from tests.test_wecom_crypto import CORP_ID, ECHOSTR, XML_ENCRYPT
from tests.test_wecom_crypto import TOKEN as APP_TOKEN

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
AIBOT = WeComCrypto(TOKEN, AES_KEY, "")
APP = WeComCrypto(APP_TOKEN, APP_AES_KEY, CORP_ID)
CALLBACK_LOG = "runtime.channels.wecom.callback"
# WeCom's official vectors were signed in 2016 (shared/wecom/PROTOCOL.md §2)
OFFICIAL_URL_CHECK = {
    "msg_signature": "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb",
    "timestamp": "1476416373",
    "nonce": "47744683",
    "echostr": ECHOSTR,
}
OFFICIAL_MESSAGE = {
    "msg_signature": "0c3914025cb4b4d68103f6bfc8db550f79dcf48e",
    "timestamp": "1476422779",
    "nonce": "1597212914",
}


def envelope(encrypted: str) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypted}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>"
    )


def signed(token: str, encrypted: str, timestamp: str | None = None) -> dict[str, str]:
    """Query parameters as WeCom signs them, at `timestamp` (now by default)."""
    stamp = str(int(time.time())) if timestamp is None else timestamp
    nonce = "n0nce42"
    return {
        "msg_signature": signature(token, stamp, nonce, encrypted),
        "timestamp": stamp,
        "nonce": nonce,
    }


@pytest.fixture
def server(tmp_path: Path, gguf_dir: Path, pool):
    """The real app with an AI-bot callback bound to `helper` and an app callback to `hr`."""
    bots = tmp_path / "bots"
    bots.mkdir()
    (bots / "helper.yaml").write_text("id: helper\nname: Helper\nlanguage: en\n")
    (bots / "hr.yaml").write_text("id: hr\nname: HR\nlanguage: en\n")
    workspace = Workspace(bots, tmp_path / "data", gguf_dir, "en", pool)
    workspace.bindings.bind("helper", "aibot", {"token": TOKEN, "aes_key": AES_KEY})
    workspace.bindings.bind(
        "hr",
        "app",
        {
            "corp_id": CORP_ID,
            "agent_id": "1000002",
            "secret": "app-secret",
            "token": APP_TOKEN,
            "aes_key": APP_AES_KEY,
        },
    )
    app = create_app(workspace, with_studio=False)
    with Served(app) as served:
        yield served.url, workspace, app.state.hub


def journaled(workspace: Workspace) -> tuple[int, int]:
    db = workspace.journal.connection()
    inbox = db.execute("SELECT COUNT(*) FROM inbox").fetchone()[0]
    events = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    return inbox, events


# --- 7. Every malformed callback: a 4xx and a reason in the log, never a 500 ----------


def malformed_requests(url: str) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(what, method, url, httpx arguments) for each malformed request; timestamps are
    fresh, so that each is refused for what is wrong with it, not for its age."""
    aibot_url, app_url = f"{url}/wecom/aibot/helper", f"{url}/wecom/app/hr"
    refresh = json.dumps({"msgtype": "stream", "msgid": "r1", "stream": {"id": "bs-x"}})
    fine = AIBOT.encrypt(refresh)
    good = signed(TOKEN, fine)
    body = json.dumps({"encrypt": fine}).encode()
    deep = 100_000

    def ai(what: str, content: bytes, params=None, kind="application/json"):
        arguments = {
            "params": good if params is None else params,
            "content": content,
            "headers": {"content-type": kind},
        }
        return what, "POST", aibot_url, arguments

    def ai_signed(what: str, encrypted: str):  # signed correctly, around a bad ciphertext
        return ai(what, json.dumps({"encrypt": encrypted}).encode(), signed(TOKEN, encrypted))

    def ai_plain(what: str, plain: str | dict):  # signed and encrypted: the message is bad
        text = plain if isinstance(plain, str) else json.dumps(plain)
        return ai_signed(f"decrypted: {what}", AIBOT.encrypt(text))

    app_fine = APP.encrypt("<xml><MsgType>event</MsgType><Event>enter_agent</Event></xml>")
    app_good = signed(APP_TOKEN, app_fine)

    def app(what: str, content: bytes, params=None, kind="text/xml"):
        arguments = {
            "params": app_good if params is None else params,
            "content": content,
            "headers": {"content-type": kind},
        }
        return f"app: {what}", "POST", app_url, arguments

    def app_plain(what: str, plain: str):
        encrypted = APP.encrypt(plain)
        return app(f"decrypted: {what}", envelope(encrypted).encode(), signed(APP_TOKEN, encrypted))

    # a DOCTYPE that smuggles a validly signed Encrypt in through an entity, in UTF-16:
    # no byte of it reads "<!DOCTYPE"
    smuggled = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE xml [<!ENTITY e "' + app_fine + '">]>'
        "<xml><Encrypt>&e;</Encrypt></xml>"
    ).encode("utf-16")
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b"<xml><Encrypt>&c;</Encrypt></xml>"
    )
    external = (
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>'
    )

    def get(what: str, target: str, params: dict[str, str]):
        return what, "GET", target, {"params": params}

    echo = AIBOT.encrypt("echo-1")
    check = {**signed(TOKEN, echo), "echostr": echo}
    app_echo = APP.encrypt("echo-2")
    app_check = {**signed(APP_TOKEN, app_echo), "echostr": app_echo}
    return [
        # the AI bot's JSON body
        ai("empty body", b""),
        ai("not JSON", b"not json"),
        ai("not UTF-8", b'\xff\xfe{"encrypt": "x"}'),
        ai("nested JSON", b'{"encrypt": ' + b"[" * deep + b"]" * deep + b"}"),
        ai("nesting never closed", b"[" * deep),
        ai("a JSON array", b'["encrypt"]'),
        ai("a JSON string", b'"encrypt"'),
        ai("JSON null", b"null"),
        ai("encrypt a number", b'{"encrypt": 5}'),
        ai("encrypt a list", b'{"encrypt": ["x"]}'),
        ai("encrypt an object", b'{"encrypt": {"a": 1}}'),
        ai("no encrypt", b'{"Encrypt": "x"}'),
        ai("a lone surrogate in encrypt", b'{"encrypt": "\\ud800abc"}'),
        ai("non-ASCII signature", body, {**good, "msg_signature": "签名" * 20}),
        ai("overlong signature", body, {**good, "msg_signature": "a" * 5000}),
        ai("non-hex signature", body, {**good, "msg_signature": "z" * 40}),
        ai("no signature", body, {k: v for k, v in good.items() if k != "msg_signature"}),
        ai("non-ASCII timestamp", body, {**good, "timestamp": "١٧٠٠٠٠٠٠٠٠"}),
        ai("timestamp in words", body, {**good, "timestamp": "时间"}),
        ai("overlong timestamp", body, {**good, "timestamp": "9" * 5000}),
        ai("negative timestamp", body, {**good, "timestamp": "-1"}),
        ai("no timestamp", body, {k: v for k, v in good.items() if k != "timestamp"}),
        ai("non-ASCII nonce", body, {**good, "nonce": "随机数"}),
        ai(
            "form-encoded",
            urlencode({"encrypt": fine}).encode(),
            kind="application/x-www-form-urlencoded",
        ),
        ai(
            "multipart",
            b'--b\r\nContent-Disposition: form-data; name="encrypt"\r\n\r\nx\r\n--b--',
            kind="multipart/form-data; boundary=b",
        ),
        ai("XML", envelope(fine).encode(), kind="text/xml"),
        ai_signed("bad base64", "!!!not base64!!!"),
        ai_signed("non-ASCII ciphertext", "密文密文"),
        ai_signed("ciphertext of a bad length", base64.b64encode(b"x" * 17).decode()),
        ai_signed("another key's ciphertext", WeComCrypto(TOKEN, "a" * 43).encrypt("{}")),
        # validly signed and encrypted: what is inside must not 500 either
        ai_plain("not JSON", "hello"),
        ai_plain("nested JSON", '{"msgtype": "text", "x": ' + "[" * 5000 + "]" * 5000 + "}"),
        ai_plain("an array", "[1, 2]"),
        ai_plain("msgtype a number", {"msgtype": 5, "msgid": "m0"}),
        ai_plain("no msgid", {"msgtype": "text", "text": {"content": "hi"}}),
        ai_plain(
            "from a string",
            {"msgtype": "text", "msgid": "m1", "from": "zs", "text": {"content": "hi"}},
        ),
        ai_plain("text a string", {"msgtype": "text", "msgid": "m2", "text": "hi"}),
        ai_plain("stream a list", {"msgtype": "stream", "msgid": "m3", "stream": [1]}),
        ai_plain(
            "mixed items not objects",
            {"msgtype": "mixed", "msgid": "m4", "mixed": {"msg_item": [1, 2]}},
        ),
        ai_plain(
            "feedback type a list",
            {
                "msgtype": "event",
                "msgid": "m5",
                "from": {"userid": "u"},
                "event": {
                    "eventtype": "feedback_event",
                    "feedback_event": {"id": "x", "type": [1]},
                },
            },
        ),
        ai_plain(
            "userid an object",
            {
                "msgtype": "event",
                "msgid": "m6",
                "from": {"userid": {"a": 1}},
                "event": {"eventtype": "enter_chat"},
            },
        ),
        ai_plain(
            "a lone surrogate",
            '{"msgtype": "text", "msgid": "m7\\ud800", "text": {"content": "hi"}}',
        ),
        # the URL checks
        get("URL check: nothing", aibot_url, {}),
        get("URL check: non-ASCII signature", aibot_url, {**check, "msg_signature": "签名"}),
        get("URL check: non-ASCII timestamp", aibot_url, {**check, "timestamp": "١٧٠٠٠٠٠٠٠٠"}),
        get(
            "URL check: echostr not base64", aibot_url, {**signed(TOKEN, "@@@@"), "echostr": "@@@@"}
        ),
        get(
            "URL check: non-ASCII echostr", aibot_url, {**signed(TOKEN, "回声"), "echostr": "回声"}
        ),
        get("app URL check: non-ASCII signature", app_url, {**app_check, "msg_signature": "签名"}),
        get(
            "app URL check: another receive id",
            app_url,
            {**signed(APP_TOKEN, echo), "echostr": echo},
        ),
        # the self-built app's XML body
        app("empty body", b""),
        app("not XML", b"<xml><oops"),
        app("JSON", b'{"Encrypt": "x"}', kind="application/json"),
        app("not UTF-8", b"<xml><Encrypt>\xff\xfe</Encrypt></xml>"),
        app("no Encrypt", b"<xml><ToUserName>x</ToUserName></xml>"),
        app("two roots", b"<xml/><xml/>"),
        app("deeply nested", b"<xml>" + b"<a>" * 20000 + b"</a>" * 20000 + b"</xml>"),
        app("an entity bomb", bomb),
        app("an external entity", external),
        app("a DOCTYPE in UTF-16", smuggled),
        app("an unknown encoding", b'<?xml version="1.0" encoding="x-no-such"?><xml/>'),
        app(
            "non-ASCII signature",
            envelope(app_fine).encode(),
            {**app_good, "msg_signature": "签名"},
        ),
        app(
            "non-ASCII timestamp",
            envelope(app_fine).encode(),
            {**app_good, "timestamp": "١٧٠٠٠٠٠٠٠٠"},
        ),
        app("bad base64", envelope("!!!").encode(), signed(APP_TOKEN, "!!!")),
        app_plain("not XML", "hello"),
        app_plain("a DOCTYPE", '<!DOCTYPE x [<!ENTITY a "b">]><xml><MsgType>&a;</MsgType></xml>'),
        app_plain("an unknown encoding", '<?xml version="1.0" encoding="x-no-such"?><xml/>'),
    ]


def test_every_malformed_callback_gets_a_4xx_with_a_reason_in_the_log(server, caplog) -> None:
    url, workspace, _ = server
    caplog.set_level("WARNING", logger=CALLBACK_LOG)
    wrong = []
    for what, method, target, arguments in malformed_requests(url):
        before = len(caplog.records)
        try:
            answer = httpx.request(method, target, timeout=30, **arguments)  # a connection each
        except httpx.TransportError as exc:  # the server dropped the connection
            wrong.append(f"{what}: no answer ({exc!r})")
            continue
        reasons = [
            r.getMessage()
            for r in caplog.records[before:]
            if r.name == CALLBACK_LOG and f"refused ({answer.status_code})" in r.getMessage()
        ]
        if not 400 <= answer.status_code < 500 or not reasons:
            wrong.append(f"{what}: {answer.status_code} {answer.text[:80]!r} {reasons}")
        elif "DOCTYPE" in what:  # refused for the declaration itself, in any encoding
            assert "declarations are not accepted" in reasons[0], (what, reasons)
    assert not wrong, "\n".join(wrong)
    assert journaled(workspace) == (0, 0)  # nothing got in


# --- 8a. The rate limit judges a message by what came before it ----------------------


def test_a_burst_answered_late_does_not_make_its_first_messages_over_the_limit(
    workspace: Workspace,
) -> None:
    (workspace.bots_dir / "limited.yaml").write_text(
        "id: limited\nname: Limited\nlanguage: en\nsafety: {rate_limit: 2/minute}\n"
    )
    inbox = Inbox(workspace.journal)
    burst = [
        inbox.accept(Inbound("aibot", "limited", f"m{i}", "zhaoliu", "zhaoliu", "/help"))[0]
        for i in range(4)
    ]
    responder = Responder(
        workspace.dialogue, inbox, Outbox(workspace.journal, workspace.bindings), StreamBoard()
    )
    for inbox_id in reversed(burst):  # all four are in before any is answered, the last first
        responder.handle(inbox_id)
    answers = [inbox.get(inbox_id).answer for inbox_id in burst]
    assert all("/clear" in a for a in answers[:2]), answers  # within 2 a minute: answered
    assert all("ask again shortly" in a for a in answers[2:]), answers  # past it: a polite no


# --- 8b. An id is the whole string: no trailing newline -------------------------------


def test_an_id_with_a_trailing_newline_is_refused(workspace: Workspace) -> None:
    before = sorted(p.name for p in workspace.bots_dir.iterdir())
    with pytest.raises(BotOperationError):  # the studio's "new bot"
        create(workspace.bots, "xiaolan-sales2\n", "Xiaolan 2", None)
    with pytest.raises(SpecError):  # the studio's import keeps the file's own id
        import_file(workspace.bots, b'id: "evil\\n"\nname: Evil\n', "evil.yaml")
    assert sorted(p.name for p in workspace.bots_dir.iterdir()) == before
    with pytest.raises(BindingError):  # a pasted webhook URL whose key ends in %0A
        webhook_key("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a1b2c3d4-key%0A")


# --- 8c. Bot ids never reach outside the bots folder ----------------------------------


def launch(*args: str, root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "BOTSTUDIO_LANG": "en", "BOTSTUDIO_THREADS": "2"}
    command = [
        sys.executable,
        str(ROOT / "launch.py"),
        "--bots",
        str(root / "bots"),
        "--data",
        str(root / "data"),
    ]
    return subprocess.run(
        [*command, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_a_bot_file_outside_the_bots_folder_is_never_loaded(tmp_path: Path, gguf_dir: Path):
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots" / "inside.yaml").write_text("id: inside\nname: Inside\nlanguage: en\n")
    (tmp_path / "outside.yaml").write_text("id: outside\nname: Outside\nlanguage: en\n")
    for command in (
        ["chat", "../outside", "-m", "hi"],
        ["chat", str(tmp_path / "outside"), "-m", "hi"],
        ["report", "../outside"],
        ["leads", "../outside"],
        ["bind", "../outside", "--webhook", "a1b2c3d4-key-0001"],
    ):
        result = launch(*command, root=tmp_path)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert result.stdout == "", command
        assert result.stderr.strip() == f"there is no bot '{command[1]}' (bots: inside)"
    settings = tmp_path / "data" / "settings.json"
    assert not settings.exists() or "outside" not in settings.read_text(encoding="utf-8")


# --- 8d. A signature is good for five minutes ----------------------------------------


def test_callbacks_signed_more_than_five_minutes_off_the_clock_are_refused(server, caplog) -> None:
    url, workspace, hub = server
    aibot_url, app_url = f"{url}/wecom/aibot/helper", f"{url}/wecom/app/hr"
    refresh = AIBOT.encrypt(json.dumps({"msgtype": "stream", "msgid": "r", "stream": {"id": "s"}}))
    echo = AIBOT.encrypt("echo-42")
    now = int(time.time())

    def reasons() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == CALLBACK_LOG]

    for offset, side in ((-600, "behind"), (600, "ahead of")):  # replayed later, or from ahead
        stamp = str(now + offset)
        post = httpx.post(
            aibot_url, params=signed(TOKEN, refresh, stamp), json={"encrypt": refresh}
        )
        get = httpx.get(aibot_url, params={**signed(TOKEN, echo, stamp), "echostr": echo})
        assert (post.status_code, get.status_code) == (403, 403)
        assert re.search(rf"timestamp is (599|600|601) s {side} the server clock", reasons()[-1])
    # within the window: answered as usual
    stamp = str(now - 120)
    post = httpx.post(aibot_url, params=signed(TOKEN, refresh, stamp), json={"encrypt": refresh})
    assert post.status_code == 200
    assert json.loads(AIBOT.decrypt(post.json()["encrypt"]))["stream"]["id"] == "s"
    get = httpx.get(aibot_url, params={**signed(TOKEN, echo, stamp), "echostr": echo})
    assert get.status_code == 200 and get.text == "echo-42"
    # WeCom's own official vectors, signed in 2016, replayed today
    assert httpx.get(app_url, params=OFFICIAL_URL_CHECK).status_code == 403
    message = envelope(XML_ENCRYPT).encode()
    assert httpx.post(app_url, params=OFFICIAL_MESSAGE, content=message).status_code == 403
    assert "behind the server clock" in reasons()[-1]
    assert journaled(workspace) == (0, 0)
    app_channel = hub.channels["app"]
    app_channel.clock = lambda: float(OFFICIAL_URL_CHECK["timestamp"])  # a server back in 2016
    answer = httpx.get(app_url, params=OFFICIAL_URL_CHECK)
    assert answer.status_code == 200 and answer.text == "1288432023552776189"


# --- 8e. Phone numbers in logs, however they are written ------------------------------


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("call 13812345678 now", "call 138****5678 now"),
        ("call 138 1234 5678 now", "call 138 **** 5678 now"),
        ("call 138-1234-5678 now", "call 138-****-5678 now"),
        ("call +86 138 1234 5678 now", "call +86 138 **** 5678 now"),
        ("call +8613812345678 now", "call +86138****5678 now"),
        ("call 86-13812345678 now", "call 86-138****5678 now"),
        ("call 0086 13812345678 now", "call 0086 138****5678 now"),
        ("电话１３８１２３４５６７８谢谢", "电话１３８****５６７８谢谢"),
        ("two: 13812345678,15900001111", "two: 138****5678,159****1111"),
    ],
)
def test_every_way_of_writing_a_mobile_number_is_masked(written: str, masked: str) -> None:
    assert mask_personal(written) == masked


@pytest.mark.parametrize(
    "kept",
    [
        "order 2023081513812345678 shipped",  # an order number with a phone-like tail
        "order 8613812345678",  # 86 run into the number without + or separator
        "card 6222 0213 8123 4567 890",
        "card 6222 1381 2345 6789",
        "ten digits 1381234567, twelve 138123456789",
        "138 1234 56789 is not 3-4-4",
        "12345678901 does not start 1[3-9]",
        "timestamp 1700000000123",
    ],
)
def test_long_numbers_that_are_not_phones_stay_as_they_are(kept: str) -> None:
    assert mask_personal(kept) == kept


# --- 8f. People in logs: hashed with a secret of the install ---------------------------


def _serve(root: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "BOTSTUDIO_LANG": "en", "BOTSTUDIO_THREADS": "2"}
    command = [
        sys.executable,
        str(ROOT / "launch.py"),
        "--bots",
        str(root / "bots"),
        "--data",
        str(root / "data"),
        "--port",
        str(port),
    ]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _wait_for(condition, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except (httpx.TransportError, OSError):
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_the_same_person_hashes_differently_on_two_installs(tmp_path: Path, gguf_dir: Path):
    person = "zhangsan-7788"
    installs = [tmp_path / "one", tmp_path / "two"]
    fake = FakeWeCom()
    with Served(fake.app()) as wecom:
        servers = []
        for root in installs:
            (root / "bots").mkdir(parents=True)
            (root / "bots" / "guarded.yaml").write_text(
                "id: guarded\nname: Guarded\nlanguage: en\nsafety: {blocked_words: [casino]}\n"
            )
            Workspace(root / "bots", root / "data", gguf_dir, "en").bindings.bind(
                "guarded", "aibot", {"token": TOKEN, "aes_key": AES_KEY}
            )
            port = free_port()
            servers.append((root, port, _serve(root, port)))
        hashes = []
        try:
            for root, port, _ in servers:
                _wait_for(lambda p=port: httpx.get(f"http://127.0.0.1:{p}/healthz").is_success)
                bot = AIBotSender(
                    f"http://127.0.0.1:{port}/wecom/aibot/guarded", TOKEN, AES_KEY, wecom.url
                )
                for text in ("where is the casino?", "and the CASINO?"):
                    assert bot.post(bot.message(text, user=person)).status_code == 200
                log = root / "data" / "logs" / "botstudio.log"

                def lines(log=log) -> list[str]:
                    text = log.read_text(encoding="utf-8") if log.exists() else ""
                    found = re.findall(r"blocked word in a message from (u-[0-9a-f]{10})", text)
                    return found if len(found) == 2 else []

                first, second = _wait_for(lines)
                assert first == second  # the same person, the same hash within an install
                hashes.append(first)
        finally:
            for _, _, process in servers:
                process.terminate()
                process.wait(timeout=60)
    assert hashes[0] != hashes[1]  # and another one on another install
    for root, found in zip(installs, hashes, strict=True):
        text = (root / "data" / "logs" / "botstudio.log").read_text(encoding="utf-8")
        assert person not in text
        assert f"user={found}" in text  # the per-message line too
        salt = Workspace(root / "bots", root / "data", gguf_dir, "en").settings.get("log_salt")
        assert mask_user(person, salt) == found  # kept in the secret store: stable on restart
        db = sqlite3.connect(root / "data" / "botstudio.sqlite3")
        assert db.execute("SELECT COUNT(*) FROM inbox").fetchone()[0] == 2
