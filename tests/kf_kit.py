"""What the 微信客服 end-to-end tests share: the fake kf API served on 127.0.0.1, our real
server with the bot "shop" bound to a kf account, and waiting for what a customer sees."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from runtime.server.app import create_app
from runtime.wecom.kf_cursors import KfCursors
from runtime.workspace import Workspace
from tests.fake_kf import FakeKf, Served

KFID = "wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q"
AFTERSALES_KFID = "wkAJ2GCAAAAfterSales000000000000"
ALICE = "wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw"
BOB = "wmAJ2GCAAAbob00000000000000000000"
TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
AES_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
GREETING_A = "您好，我是小蓝，请问有什么可以帮您？"
GREETING_B = "你好！留下电话即可领取 30 天试用，想了解什么？"
BOTS = {
    "shop": "id: shop\nname: 小蓝\nlanguage: zh\n"
    "persona: 你是蓝海咖啡的客服小蓝，回答简短。\n"
    f"greeting: {GREETING_A}\n"
    "model: {temperature: 0, max_tokens: 16, context: 2048}\n"
    f"variants:\n  - id: A\n  - id: B\n    greeting: {GREETING_B}\n",
    "aftersales": "id: aftersales\nname: 售后\nlanguage: zh\n"
    "greeting: 售后服务，请讲。\n"
    "model: {temperature: 0, max_tokens: 16, context: 2048}\n",
}
T = TypeVar("T")


@dataclass
class Running:
    url: str
    workspace: Workspace

    def rows(self, sql: str, *args: object) -> list[sqlite3.Row]:
        return self.workspace.journal.connection().execute(sql, args).fetchall()

    def inbox(self) -> list[sqlite3.Row]:
        return self.rows("SELECT * FROM inbox WHERE channel = 'kf' ORDER BY id")

    def outbox(self) -> list[sqlite3.Row]:
        return self.rows("SELECT * FROM outbox WHERE channel = 'kf' ORDER BY id")


def wait_for(condition: Callable[[], T], timeout: float = 60.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def settle(running: Running, kf: FakeKf, seconds: float = 1.0) -> None:
    """Wait until nothing is left to drain, answer or send, then a little more: whatever
    would be sent twice has had its chance."""
    wait_for(
        lambda: (
            not running.rows(
                "SELECT 1 FROM inbox WHERE state = 'received' UNION ALL"
                " SELECT 1 FROM outbox WHERE state IN ('pending', 'sending')"
            )
        )
    )
    time.sleep(seconds)


def bind(workspace: Workspace, bot_id: str, kf: FakeKf, open_kfid: str) -> None:
    workspace.bindings.bind(
        bot_id,
        "kf",
        {
            "corp_id": kf.corp_id,
            "secret": kf.secret,
            "token": TOKEN,
            "aes_key": AES_KEY,
            "open_kfid": open_kfid,
        },
    )


@pytest.fixture
def kf(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeKf]:
    fake = FakeKf(
        accounts={KFID: "蓝海咖啡", AFTERSALES_KFID: "售后"},
        customers={ALICE: "张三", BOB: "李四"},
    )
    with Served(fake.app()) as served:
        monkeypatch.setenv("BOTSTUDIO_WECOM_API", served.url)
        yield fake


@pytest.fixture
def running(
    request: pytest.FixtureRequest, tmp_path: Path, gguf_dir: Path, pool: Any, kf: FakeKf
) -> Iterator[Running]:
    """Our server with the bot "shop" bound to the kf account KFID; a test may set the seconds
    between periodic rings (indirect parametrization)."""
    bots = tmp_path / "bots"
    bots.mkdir()
    for bot_id, text in BOTS.items():
        (bots / f"{bot_id}.yaml").write_text(text, encoding="utf-8")
    workspace = Workspace(bots, tmp_path / "data", gguf_dir, "zh", pool)
    bind(workspace, "shop", kf, KFID)
    app = create_app(workspace, with_studio=False)
    heal_every = getattr(request, "param", None)
    if heal_every is not None:
        app.state.hub.channels["kf"].heal_every = heal_every
        kf.untokened_per_minute = 1000  # the fake's throttle is not what this test is about
    with Served(app) as served:
        # WeCom saves the callback URL only once its GET check passes
        kf.callback_url, kf.callback_token, kf.callback_aes_key = (
            f"{served.url}/wecom/kf/shop",
            TOKEN,
            AES_KEY,
        )
        assert kf.verify_callback()
        # the drain every start begins with has read the (empty) account: what a test says
        # from here on comes with its own doorbell
        cursors = KfCursors(workspace.journal)
        wait_for(lambda: cursors.get(kf.corp_id, KFID) is not None)
        yield Running(served.url, workspace)
