"""A server killed with SIGKILL in the middle of draining a 微信客服 account, then restarted on
the same data folder: what the customers see.

150 messages from 30 customers (a question for the model and four pictures each, answered
with the bot's "text only" line) wait at the fake kf API (tests/fake_kf.py), which serves
`sync_msg` in pages of 20. A doorbell starts the drain; the fake serves the third page and
holds its answer back, and accepts the tenth answer (`send_msg`) and holds that answer back
too. The server (a separate process, `launch.py`) is killed with `kill -9` right then: two
pages journaled, a third read by nobody, nine answers sent and a tenth sent without the
server knowing. After the restart every customer message must have been answered exactly
once, and the journal must hold each message once, answered once.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtime.wecom.kf import make_msgid
from runtime.workspace import Workspace
from tests.fake_kf import FakeKf, Served
from tests.fake_wecom import free_port
from tests.kf_kit import AES_KEY, KFID, TOKEN, wait_for

ROOT = Path(__file__).resolve().parent.parent
BOT = (
    "id: shop\nname: 小蓝\nlanguage: zh\n"
    "persona: 你是蓝海咖啡的客服小蓝，回答简短。\n"
    "model: {temperature: 0, max_tokens: 16, context: 1024}\n"
)
CUSTOMERS = 30
EACH = 5  # WeCom allows five replies after a customer's last message: all can be answered
PAGE = 20  # items per sync_msg page: 150 messages make 8 pages
HOLD_PAGE = 3  # the page whose answer the server never gets
HOLD_SEND = 10  # the answer the server sends but never hears back about
HELD = 60.0  # seconds the fake holds those answers: longer than the server waits (10 s)


@dataclass
class HoldingKf(FakeKf):
    """The fake kf API, holding back its answer to one sync_msg page and to one send_msg
    (both done on its side): the server dies waiting for them."""

    api: str = ""  # where it serves, for the server's BOTSTUDIO_WECOM_API
    hold_page: int = 0  # the n-th page with messages
    hold_send: int = 0  # the n-th accepted send_msg
    pages_served: int = 0

    def _sync_msg(self, body: dict[str, Any]) -> dict[str, Any]:
        answer = super()._sync_msg(body)
        if answer.get("msg_list"):
            self.pages_served += 1
            if self.pages_served == self.hold_page:
                self.stall("sync_msg", HELD)  # this very call: the endpoint pops it next
        return answer

    def _send_msg(self, body: dict[str, Any]) -> dict[str, Any]:
        answer = super()._send_msg(body)
        if "errcode" not in answer and len(self.sent) == self.hold_send:
            self.stall("send_msg", HELD)
        return answer


class Server:
    """`launch.py` serving one bots/data folder on one port, as a separate process."""

    def __init__(self, home: Path, gguf: Path, port: int, env: dict[str, str]):
        self.home, self.gguf, self.port, self.env = home, gguf, port, env
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = (self.home / f"server-{self.starts}.log").open("wb")
        command = [sys.executable, "launch.py", "--bots", str(self.home / "bots")]
        command += ["--data", str(self.home / "data"), "--gguf", str(self.gguf)]
        command += ["--port", str(self.port)]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()  # the child has its own copy
        wait_for(self._up, timeout=90)

    def _up(self) -> bool:
        assert self.process is not None and self.process.poll() is None, self.log_tail()
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def kill(self) -> None:
        """kill -9: nothing of the server's shutdown runs."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self) -> str:
        logs = sorted(self.home.glob("server-*.log"))
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in logs)


@pytest.fixture
def kf() -> Iterator[HoldingKf]:
    fake = HoldingKf(
        page_cap=PAGE, untokened_per_minute=1000, hold_page=HOLD_PAGE, hold_send=HOLD_SEND
    )
    with Served(fake.app()) as served:
        fake.api = served.url
        try:
            yield fake
        finally:
            served.server.force_exit = True  # the held answers need no waiting for


@pytest.fixture
def server(tmp_path: Path, gguf_dir: Path, kf: HoldingKf) -> Iterator[Server]:
    """The server with bot "shop" bound to the kf account KFID; not started."""
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots" / "shop.yaml").write_text(BOT, encoding="utf-8")
    Workspace(tmp_path / "bots", tmp_path / "data").bindings.bind(  # as `launch.py bind` does
        "shop",
        "kf",
        {
            "corp_id": kf.corp_id,
            "secret": kf.secret,
            "token": TOKEN,
            "aes_key": AES_KEY,
            "open_kfid": KFID,
        },
    )
    env = {**os.environ, "BOTSTUDIO_WECOM_API": kf.api, "BOTSTUDIO_LANG": "zh"}
    running = Server(tmp_path, gguf_dir, free_port(), env)
    kf.callback_token, kf.callback_aes_key = TOKEN, AES_KEY
    try:
        yield running
    finally:
        running.stop()


def journal(home: Path) -> sqlite3.Connection:
    db = sqlite3.connect(home / "data" / "botstudio.sqlite3", timeout=30)
    db.row_factory = sqlite3.Row
    return db


@pytest.mark.model
def test_a_server_killed_mid_drain_answers_every_customer_once_after_restart(
    tmp_path: Path, kf: HoldingKf, server: Server
) -> None:
    server.start()
    kf.callback_url = f"{server.url}/wecom/kf/shop"
    assert kf.verify_callback()
    db = journal(tmp_path)
    # the drain every start begins with has read the (still empty) account
    wait_for(lambda: db.execute("SELECT 1 FROM kf_cursors").fetchone())

    customers = [f"wmAJ2GCAAAcrash{n:018d}" for n in range(CUSTOMERS)]
    said: dict[str, list[str]] = {c: [] for c in customers}  # customer -> msgids, in order
    for round_ in range(EACH):  # round by round: every page holds many customers
        for n, customer in enumerate(customers):
            if (round_ + n) % EACH == 0:  # one question each, for the model, on every page
                text = f"{n}号桌的拿铁还要等多久？"
                said[customer].append(kf.customer_says(KFID, customer, text))
            else:  # pictures, answered without the model: the "text only" line
                picture = {"media_id": f"MEDIA_{n}_{round_}"}
                said[customer].append(kf.customer_sends(KFID, customer, "image", picture))
    total = CUSTOMERS * EACH
    kf.ring(KFID)
    assert kf.deliveries[-1] == [200]

    # the tenth answer is accepted, the third page read; neither answer reaches the server
    wait_for(lambda: kf.pages_served == HOLD_PAGE and len(kf.sent) == HOLD_SEND, timeout=120)
    server.kill()
    assert kf.pages_served < -(-total // PAGE)  # pages were left unread…
    assert 0 < len(kf.sent) < total  # …and some answers had gone out, not all
    journaled = db.execute("SELECT COUNT(*) FROM inbox WHERE channel = 'kf'").fetchone()[0]
    assert journaled == (HOLD_PAGE - 1) * PAGE  # the held page never reached the journal
    before = {b["msgid"] for b in kf.sent}

    server.start()  # same data folder, same URL: its first drain reads what is left
    expected = {make_msgid("shop", m, "0"): (c, m) for c, ms in said.items() for m in ms}
    wait_for(lambda: expected.keys() <= {b["msgid"] for b in kf.sent}, timeout=240)
    wait_for(  # nothing left to answer or send…
        lambda: (
            not db.execute(
                "SELECT 1 FROM inbox WHERE state = 'received' UNION ALL"
                " SELECT 1 FROM outbox WHERE state IN ('pending', 'sending')"
            ).fetchone()
        )
    )
    time.sleep(1.0)  # …and whatever would go out twice has had its chance

    # what the customers saw: one answer per message, to its sender, none twice
    assert len(kf.sent) == total and before < {b["msgid"] for b in kf.sent}
    for body in kf.sent:
        customer, _ = expected[body["msgid"]]
        assert body["touser"] == customer and body["open_kfid"] == KFID
    for customer in customers:
        assert len(kf.texts_to(customer)) == EACH
    assert [e for e in kf.refused if e[0] == "sync_msg"] == []

    # the journal: every message once, answered once, with what the customer was shown
    rows = db.execute(
        "SELECT msgid, speaker, state, answer, (SELECT COUNT(*) FROM outbox o"
        " WHERE o.inbox_id = i.id) AS queued FROM inbox i WHERE channel = 'kf'"
    ).fetchall()
    assert sorted(r["msgid"] for r in rows) == sorted(m for c, m in expected.values())
    shown = {b["msgid"]: b["text"]["content"] for b in kf.sent}
    for row in rows:
        assert (row["state"], row["queued"]) == ("answered", 1)
        assert row["answer"] == shown[make_msgid("shop", row["msgid"], "0")]
    # the send the crash interrupted got through: WeCom's refusal of it the second time
    # is no failure to show the team
    failed = db.execute("SELECT COUNT(*) FROM outbox WHERE state = 'failed'").fetchone()[0]
    assert failed == 0
    db.close()
