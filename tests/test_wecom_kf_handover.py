"""微信客服 customers handed to a person, where they came from, and their names: the fake kf
API rings our real server on 127.0.0.1; what the customer sees is what the fake received,
what the team sees is what the studio's stores and the alert group get."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from runtime.channels.wecom.kf_accounts import bound_account
from runtime.channels.wecom.kf_handover import hand_over
from runtime.experiments.report import report_for
from runtime.i18n import t
from runtime.leads.export import write_csv
from runtime.outbox import Outbox
from runtime.overview import by_source
from runtime.wecom.kf import KfClient
from runtime.wecom.kf_customers import KfCustomers
from runtime.wecom.kf_sessions import KfSessions
from tests.fake_kf import FakeKf
from tests.kf_kit import ALICE, BOB, KFID, Running, kf, running, settle, wait_for

__all__ = ["kf", "running"]  # fixtures, used by name

SALES = """id: shop
name: 小蓝
language: zh
persona: 你是蓝海咖啡的客服小蓝，回答简短。
model: {temperature: 0, max_tokens: 16, context: 2048}
lead_capture:
  converted_when: [phone]
  fields:
    - {key: phone, label: 手机号, type: phone_cn}
kf:
  handover_on_conversion: true
  handover_reply: 已为您转接销售顾问，请稍候。
  text_only_reply: 请发文字给我哦。
variants:
  - id: A
  - id: B
"""
ALERT_KEY = "0bd1a1b2-0000-4000-8000-00000000a1e7"


def rewrite(running: Running, text: str) -> None:
    (running.workspace.bots.bots_dir / "shop.yaml").write_text(text, encoding="utf-8")


def alerts(running: Running) -> list[str]:
    rows = running.rows(
        "SELECT json_extract(body, '$.markdown.content') FROM outbox"
        " WHERE channel = 'alert_webhook' ORDER BY id"
    )
    return [row[0] for row in rows]


def state(running: Running, customer: str) -> int | None:
    session = KfSessions(running.workspace.journal).get(
        running.workspace.bindings.get("shop", "kf")["corp_id"], KFID, customer
    )
    return None if session is None else session.state


@pytest.mark.model
def test_asking_for_a_person_hands_over_and_the_bot_is_silent_until_the_person_ends_it(
    running: Running, kf: FakeKf
) -> None:
    running.workspace.bindings.bind("shop", "alert_webhook", {"key": ALERT_KEY})
    kf.customer_says(KFID, ALICE, "转人工！")
    kf.ring(KFID)
    wait_for(lambda: kf.state_of(KFID, ALICE) == 2)  # in WeCom's queue for a person
    settle(running, kf)
    assert kf.texts_to(ALICE) == [t("kf.handover_reply", "zh")]  # said before the move
    [alert] = alerts(running)
    assert "小蓝" in alert and "转人工" in alert and ALICE[-8:] in alert
    assert kf.calls.count("service_state/trans") == 1

    kf.customer_says(KFID, ALICE, "还在吗？")  # the person's to answer: the bot says nothing
    kf.servicer_takes(KFID, ALICE, "zhangsan")
    kf.ring(KFID)
    wait_for(lambda: state(running, ALICE) == 3)
    settle(running, kf)
    assert kf.texts_to(ALICE) == [t("kf.handover_reply", "zh")]
    history = running.workspace.conversations.history("shop", ALICE)
    assert history[-1].content == "还在吗？"  # the bot will know what was said meanwhile

    kf.servicer_ends(KFID, ALICE)  # the person is done: the bot answers again
    kf.customer_says(KFID, ALICE, "你们几点开门？")
    kf.ring(KFID)
    wait_for(lambda: len(kf.texts_to(ALICE)) == 2)
    settle(running, kf)
    assert len(kf.texts_to(ALICE)) == 2 and state(running, ALICE) == 4
    assert kf.refused == []  # never a send into a session a person had


@pytest.mark.model
def test_a_converted_lead_goes_to_a_person_with_the_lead_in_the_alert(
    running: Running, kf: FakeKf
) -> None:
    rewrite(running, SALES)
    running.workspace.bindings.bind("shop", "alert_webhook", {"key": ALERT_KEY})
    kf.customer_enters(KFID, ALICE, scene="spring_poster")
    kf.customer_says(KFID, ALICE, "我的手机号是13812345678")
    kf.ring(KFID)
    wait_for(lambda: kf.state_of(KFID, ALICE) == 2)
    settle(running, kf)
    texts = kf.texts_to(ALICE)
    assert texts[-1] == "已为您转接销售顾问，请稍候。" and len(texts) >= 2  # the answer first
    conversion, alert = alerts(running)  # the conversion, then who should take over
    assert "13812345678" not in conversion
    assert "客户已转化" in alert and "138****5678" in alert and "13812345678" not in alert
    assert "spring_poster" in alert  # the campaign the customer came from

    kf.customer_says(KFID, ALICE, "好的")  # the person's now
    kf.ring(KFID)
    settle(running, kf)
    assert kf.texts_to(ALICE) == texts


@pytest.mark.model
def test_a_handover_wecom_refuses_leaves_the_bot_answering(running: Running, kf: FakeKf) -> None:
    to_lisi = "  handover_to: servicer\n  servicer: lisi\n"
    rewrite(running, SALES.replace("  handover_on_conversion: true\n", to_lisi))
    kf.servicers["lisi"] = 1  # not receiving: WeCom refuses the move
    kf.customer_says(KFID, ALICE, "人工客服")
    kf.ring(KFID)
    wait_for(lambda: state(running, ALICE) == 1)  # back with the bot
    kf.customer_says(KFID, ALICE, "那你们几点开门？")
    kf.ring(KFID)
    wait_for(lambda: len(kf.texts_to(ALICE)) == 2)
    settle(running, kf)
    assert kf.texts_to(ALICE)[0] == "已为您转接销售顾问，请稍候。"
    assert kf.state_of(KFID, ALICE) == 0  # WeCom never moved it


def test_a_picture_gets_the_bots_own_text_only_reply(running: Running, kf: FakeKf) -> None:
    rewrite(running, SALES)
    kf.customer_sends(KFID, ALICE, "voice", {"media_id": "MEDIA_ID_0002"})
    kf.ring(KFID)
    wait_for(lambda: kf.sent)
    settle(running, kf)
    assert kf.texts_to(ALICE) == ["请发文字给我哦。"]


def test_a_handover_from_the_studio_is_queued_once(running: Running, kf: FakeKf) -> None:
    kf.customer_says(KFID, BOB, "看看")
    kf.ring(KFID)
    wait_for(lambda: running.inbox())
    workspace = running.workspace
    account = bound_account(workspace.bindings, "shop")
    assert account is not None
    spec = workspace.bots.load("shop")
    outbox = Outbox(workspace.journal, workspace.bindings)
    sessions = KfSessions(workspace.journal)
    for _ in range(2):  # a second click while the first is on its way changes nothing
        with workspace.journal.transaction() as db:
            hand_over(outbox, sessions, account, spec, BOB, "studio", "studio-1", db)
    wait_for(lambda: kf.state_of(KFID, BOB) == 2)
    settle(running, kf)
    assert kf.texts_to(BOB).count(t("kf.handover_reply", "zh")) == 1
    assert kf.calls.count("service_state/trans") == 1


# --- where customers came from ------------------------------------------------------------


@pytest.mark.model
def test_two_campaigns_split_the_leads_the_report_and_the_overview(
    running: Running, kf: FakeKf, tmp_path: Path
) -> None:
    rewrite(running, SALES.replace("  handover_on_conversion: true\n", ""))
    kf.customer_enters(KFID, ALICE, scene="spring_poster", scene_param="shanghai")
    kf.customer_enters(KFID, BOB, scene="moments")
    kf.customer_says(KFID, ALICE, "电话13812345678")
    kf.customer_says(KFID, BOB, "随便看看")
    kf.ring(KFID)
    wait_for(lambda: len(kf.sent) >= 2)
    settle(running, kf)
    kf.customer_enters(KFID, ALICE, scene="moments")  # back from another campaign later
    kf.ring(KFID)
    settle(running, kf)

    workspace = running.workspace
    spec = workspace.bots.load("shop")
    lead = workspace.leads.get("shop", ALICE)
    assert lead is not None and lead.source == "spring_poster"  # the first campaign stays
    out = tmp_path / "leads.csv"
    write_csv(spec, workspace.leads.list("shop"), out, "zh")
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0][:2] == ["客户", "来源"]
    assert [r[1] for r in rows[1:] if r[0] == ALICE] == ["spring_poster"]

    figures = {row["source"]: row for row in by_source(workspace.journal, spec)}
    assert figures["spring_poster"]["people"] == 1 and figures["spring_poster"]["converted"] == 1
    assert figures["moments"]["people"] == 1 and figures["moments"]["converted"] == 0
    poster = report_for(workspace.journal, spec, "zh", source="spring_poster")
    moments = report_for(workspace.journal, spec, "zh", source="moments")
    assert sum(v["users"] for v in poster["variants"]) == 1
    assert sum(v["conversions"] for v in poster["variants"]) == 1
    assert sum(v["conversions"] for v in moments["variants"]) == 0


def test_nicknames_are_fetched_once_and_kept(running: Running, kf: FakeKf) -> None:
    client = KfClient(kf.corp_id, kf.secret)
    customers = KfCustomers(running.workspace.journal)
    first = customers.nicknames(client, [ALICE, BOB, "wmUNKNOWN"])
    assert first == {ALICE: "张三", BOB: "李四"}
    asked = kf.calls.count("customer/batchget")
    assert customers.nicknames(client, [ALICE, BOB]) == first
    assert kf.calls.count("customer/batchget") == asked  # from the cache
    assert customers.nicknames(client, ["wmUNKNOWN"]) == {}
    assert kf.calls.count("customer/batchget") == asked  # an unknown id is not asked again
    kept = running.rows("SELECT * FROM kf_customers WHERE nickname != ''")
    assert {r["nickname"] for r in kept} == {"张三", "李四"}  # the nickname and nothing else
    assert set(kept[0].keys()) == {"corp_id", "customer", "nickname", "fetched_at"}
