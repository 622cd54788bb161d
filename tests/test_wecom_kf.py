"""The 微信客服 channel end to end: the fake kf API (tests/fake_kf.py) rings our real server
on 127.0.0.1 with signed, encrypted doorbells; our server drains sync_msg into the journal
and answers through the outbox with send_msg, as a WeChat customer would see it."""

from __future__ import annotations

import concurrent.futures
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtime.assignments import Assignments
from runtime.channels.wecom.kf_accounts import BoundAccount
from runtime.channels.wecom.kf_intake import KfIntake
from runtime.channels.wecom.kf_send import MAX_PIECES, queue_reply
from runtime.cli import main as launch
from runtime.i18n import t
from runtime.inbox import Inbox
from runtime.outbox import Outbox
from runtime.wecom.kf import KfClient
from runtime.wecom.kf_cursors import KfCursors
from runtime.wecom.kf_tokens import AccessTokens
from runtime.wecom.reasons import delivery_error
from runtime.wecom.split import TEXT_LIMIT
from runtime.workspace import Workspace
from tests.fake_kf import FakeKf
from tests.kf_kit import (
    AES_KEY,
    AFTERSALES_KFID,
    ALICE,
    BOB,
    BOTS,
    GREETING_A,
    GREETING_B,
    KFID,
    TOKEN,
    Running,
    bind,
    kf,
    running,
    settle,
    wait_for,
)

__all__ = ["kf", "running"]  # fixtures, used by name


# --- binding -----------------------------------------------------------------------------------


def test_bind_from_the_terminal_keeps_the_secret_out_of_bots(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bots, data = tmp_path / "bots", tmp_path / "data"
    bots.mkdir()
    (bots / "shop.yaml").write_text(BOTS["shop"], encoding="utf-8")
    common = ["--bots", str(bots), "--data", str(data), "--lang", "en", "bind", "shop"]
    given = {
        "--kf-corp-id": "wwkfcorp00000001",
        "--kf-secret": "kf-app-secret-0001-very-secret",
        "--kf-token": TOKEN,
        "--kf-aes-key": AES_KEY,
        "--kf-open-kfid": KFID,
    }
    args = [part for option in given.items() for part in option]
    assert launch([*common, *args[:-2]]) == 1  # no account: nothing is bound
    assert "--kf-open-kfid" in capsys.readouterr().err
    assert launch([*common, *args]) == 0
    said = capsys.readouterr().out
    assert "/wecom/kf/shop" in said and "kf-app-secret-0001-very-secret" not in said
    binding = Workspace(bots, data).bindings.get("shop", "kf")
    assert binding == {
        "corp_id": "wwkfcorp00000001",
        "secret": "kf-app-secret-0001-very-secret",
        "token": TOKEN,
        "aes_key": AES_KEY,
        "open_kfid": KFID,
    }
    assert "very-secret" not in (bots / "shop.yaml").read_text(encoding="utf-8")
    assert launch([*common[:-2], "unbind", "shop", "--kf"]) == 0
    assert Workspace(bots, data).bindings.get("shop", "kf") is None


# --- the callback ------------------------------------------------------------------------------


def test_a_doorbell_with_a_bad_signature_is_refused_and_reads_nothing(
    running: Running, kf: FakeKf
) -> None:
    good = kf.callback_token
    kf.callback_token = "not-the-token"  # a forger's doorbell: signed with the wrong token
    kf.customer_says(KFID, ALICE, "在吗")
    kf.ring(KFID)
    kf.callback_token = good
    assert kf.deliveries[-1] == [403, 403, 403, 403]
    response = httpx.get(f"{running.url}/wecom/kf/nobody", params={"timestamp": "1"})
    assert response.status_code == 404  # no kf binding: nothing to verify with
    time.sleep(0.5)
    assert running.inbox() == []


@pytest.mark.model
def test_a_customers_message_is_answered_once_with_send_msg(running: Running, kf: FakeKf) -> None:
    said = kf.customer_says(KFID, ALICE, "你们几点开门？")
    kf.ring(KFID)
    assert kf.deliveries[-1] == [200]  # at once: the drain and the reply come after
    sent = wait_for(lambda: [b for b in kf.sent if b["touser"] == ALICE])
    settle(running, kf)
    assert len(kf.sent) == 1 and sent[0]["open_kfid"] == KFID
    assert sent[0]["msgid"].startswith("bs")  # our own msgid: a retry cannot show twice
    [row] = running.inbox()
    assert (row["msgid"], row["text"], row["state"]) == (said, "你们几点开门？", "answered")
    assert row["answer"] == sent[0]["text"]["content"]
    kf.ring(KFID)  # the same news rung again: read from the cursor, nothing new
    settle(running, kf)
    assert len(kf.sent) == 1 and len(running.inbox()) == 1


@pytest.mark.model
def test_a_doorbell_delivered_three_times_at_once_is_answered_once(
    running: Running, kf: FakeKf
) -> None:
    kf.customer_says(KFID, ALICE, "有拿铁吗？")
    with concurrent.futures.ThreadPoolExecutor(3) as rings:
        list(rings.map(lambda _: kf.ring(KFID), range(3)))
    assert kf.deliveries == [[200], [200], [200]]
    wait_for(lambda: kf.sent)
    settle(running, kf)
    assert len(kf.texts_to(ALICE)) == 1
    assert len(running.inbox()) == 1 and len(running.outbox()) == 1
    assert kf.refused == []


def test_the_greeting_of_each_customers_variant_is_sent_once_with_their_source(
    running: Running, kf: FakeKf
) -> None:
    kf.customer_enters(KFID, ALICE, scene="spring_poster", scene_param="shanghai")
    kf.customer_enters(KFID, BOB, scene="moments")
    kf.ring(KFID)
    wait_for(lambda: len(kf.event_sent) == 2)
    spec = running.workspace.bots.load("shop")
    assignments = Assignments(running.workspace.journal)
    greetings = {"A": GREETING_A, "B": GREETING_B}
    for customer in (ALICE, BOB):
        variant = assignments.recorded(spec, customer)
        assert kf.texts_to(customer) == [greetings[str(variant)]]
    kf.customer_enters(KFID, ALICE, scene="spring_poster")  # back within 48 h: no welcome code
    kf.ring(KFID)
    kf.ring(KFID)

    def sources() -> list[tuple[Any, ...]]:
        rows = running.rows(
            "SELECT user, json_extract(payload, '$.scene'), json_extract(payload, '$.scene_param')"
            " FROM events WHERE kind = 'kf.enter_session' ORDER BY id"
        )
        return [tuple(r) for r in rows]

    wait_for(lambda: len(sources()) == 3)
    settle(running, kf)
    assert len(kf.event_sent) == 2 and kf.sent == []  # never a fallback to send_msg
    assert sources() == [
        (ALICE, "spring_poster", "shanghai"),
        (BOB, "moments", None),
        (ALICE, "spring_poster", None),
    ]


def test_a_servicers_words_are_context_and_never_answered(running: Running, kf: FakeKf) -> None:
    kf.customer_enters(KFID, ALICE)
    kf.servicer_takes(KFID, ALICE, "zhangsan")  # origin 4: a system event
    words = kf.servicer_says(KFID, ALICE, "zhangsan", "您好，我是人工客服张三")  # origin 5
    kf.ring(KFID)
    wait_for(lambda: len(running.inbox()) == 3)
    settle(running, kf)
    assert kf.sent == [] and kf.calls.count("send_msg") == 0
    assert {r["state"] for r in running.inbox()} == {"context"}
    row = next(r for r in running.inbox() if r["msgid"] == words)
    assert row["speaker"] == "zhangsan"
    history = running.workspace.conversations.history("shop", ALICE)
    assert history[-1].content == "您好，我是人工客服张三"  # the bot knows what was said


def test_a_picture_gets_the_polite_text_only_reply(running: Running, kf: FakeKf) -> None:
    kf.customer_sends(KFID, ALICE, "image", {"media_id": "MEDIA_ID_0001"})
    kf.ring(KFID)
    wait_for(lambda: kf.sent)
    settle(running, kf)
    assert kf.texts_to(ALICE) == [t("reply.text_only", "zh")]
    [row] = running.inbox()
    assert (row["text"], row["state"]) == ("[image]", "answered")


def test_a_customer_past_the_five_message_limit_is_not_sent_more(
    running: Running, kf: FakeKf
) -> None:
    # seven pictures before any reply: WeCom allows five replies after the last of them
    for n in range(7):
        kf.customer_sends(KFID, ALICE, "image", {"media_id": f"MEDIA_{n}"})
    kf.ring(KFID)
    wait_for(lambda: len(running.outbox()) == 7)
    settle(running, kf)
    states = [r["state"] for r in running.outbox()]
    assert states == ["sent"] * 5 + ["failed"] * 2
    assert kf.refused == [("send_msg", 95001)]  # the seventh was held back, never sent
    assert kf.calls.count("send_msg") == 6
    outbox = Outbox(running.workspace.journal, running.workspace.bindings)
    errors = [p.last_error or "" for p in outbox.progress([r["id"] for r in running.outbox()])]
    assert "95001" in delivery_error(errors[5], "zh") and "5 条" in delivery_error(errors[5], "zh")
    assert "95001" in delivery_error(errors[6], "en")
    health = running.workspace.bindings.health("shop", "kf")
    assert not health.get("broken")  # the customer's limit, not the binding's fault
    kf.customer_sends(KFID, ALICE, "image", {"media_id": "MEDIA_AGAIN"})  # a new allowance
    kf.ring(KFID)
    wait_for(lambda: len(kf.sent) == 6)
    settle(running, kf)
    assert running.outbox()[-1]["state"] == "sent"


@pytest.mark.parametrize("running", [0.3], indirect=True)  # seconds between periodic rings
def test_a_missed_doorbell_is_healed_by_the_periodic_drain(running: Running, kf: FakeKf) -> None:
    location = {"latitude": 31.23, "longitude": 121.47, "name": "人民广场", "address": "上海"}
    kf.customer_sends(KFID, BOB, "location", location)  # and WeCom never rings
    wait_for(lambda: kf.sent, timeout=20)
    settle(running, kf)
    assert kf.texts_to(BOB) == [t("reply.text_only", "zh")]
    assert kf.deliveries == [] and len(running.inbox()) == 1


def test_a_doorbell_is_routed_to_the_bot_bound_to_the_account_it_names(
    running: Running, kf: FakeKf
) -> None:
    bind(running.workspace, "aftersales", kf, AFTERSALES_KFID)
    kf.customer_enters(AFTERSALES_KFID, BOB)
    kf.ring(AFTERSALES_KFID)  # at shop's URL: one app's callback serves both accounts
    wait_for(lambda: kf.event_sent)
    settle(running, kf)
    assert kf.texts_to(BOB) == ["售后服务，请讲。"]
    assert {r["bot_id"] for r in running.inbox()} == {"aftersales"}


# --- the journal -------------------------------------------------------------------------------


def test_a_page_and_its_cursor_are_kept_together_or_not_at_all(
    tmp_path: Path, gguf_dir: Path, kf: FakeKf, monkeypatch: pytest.MonkeyPatch
) -> None:
    bots = tmp_path / "bots"
    bots.mkdir()
    (bots / "shop.yaml").write_text(BOTS["shop"], encoding="utf-8")
    workspace = Workspace(bots, tmp_path / "data", gguf_dir, "zh")
    inbox, cursors = Inbox(workspace.journal), KfCursors(workspace.journal)
    outbox = Outbox(workspace.journal, workspace.bindings)
    intake = KfIntake(inbox, outbox, workspace.dialogue, cursors)
    account = BoundAccount("shop", kf.corp_id, kf.secret, KFID)
    first = kf.customer_says(KFID, ALICE, "第一条")
    kf.customer_says(KFID, ALICE, "第二条")
    batch = KfClient(kf.corp_id, kf.secret, tokens=AccessTokens()).drain(open_kfid=KFID)
    assert len(batch.messages) == 2

    def crash(*_: object) -> None:
        raise OSError("the process dies here")

    with monkeypatch.context() as patched:
        patched.setattr(cursors, "keep", crash)
        with pytest.raises(OSError):
            intake.take(account, batch.messages, batch.cursor, since=0, now=time.time())
    assert cursors.get(kf.corp_id, KFID) is None and inbox.unanswered() == []
    done = intake.take(account, batch.messages, batch.cursor, since=0, now=time.time())
    assert len(done.answer) == 2 and len(inbox.unanswered()) == 2
    assert cursors.get(kf.corp_id, KFID) == batch.cursor
    kf.repeat(first)  # WeCom hands the first message over once more, in a later drain
    client = KfClient(kf.corp_id, kf.secret, tokens=AccessTokens())
    again = client.drain(cursor=batch.cursor, open_kfid=KFID)
    assert [m.msgid for m in again.messages] == [first]
    done = intake.take(account, again.messages, again.cursor, since=0, now=time.time())
    assert done.answer == [] and len(inbox.unanswered()) == 2


def test_an_answer_is_at_most_five_messages_under_2048_bytes(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "bots", tmp_path / "data")
    outbox = Outbox(workspace.journal, workspace.bindings)
    long_answer = "。".join(["咖啡豆来自云南保山，中度烘焙，适合做拿铁"] * 400)
    with workspace.journal.transaction() as db:
        ids = queue_reply(outbox, "shop", KFID, ALICE, long_answer, "from_msgid_1", db)
    rows = workspace.journal.connection().execute("SELECT body FROM outbox ORDER BY id")
    bodies = [json.loads(r[0]) for r in rows]
    assert len(ids) == MAX_PIECES == len(bodies)
    assert all(len(b["text"]["content"].encode()) <= TEXT_LIMIT for b in bodies)
    assert len({b["msgid"] for b in bodies}) == MAX_PIECES  # one msgid per piece, ours
