"""微信客服 customers in the studio, as a marketer sees them, in real Chromium against the
real server and the fake kf API (tests/fake_kf.py) over HTTP.

Three customers come from two campaigns (the scenes of two contact links) and write to a
bot bound to a kf account; one of them leaves a phone number. Then:

- 📊 概览 shows a row per campaign under 按来源: how many came, left a lead, converted;
- 🧪 实验 splits the A/B table by 客户来源: the 人数 column counts that campaign's customers;
- 📇 线索 shows each customer by their WeChat nickname, with the campaign they first came
  from; 🙋 转人工 hands the picked customer to a person (WeCom's queue, the handover words
  sent to them), once; a studio try-out person cannot be handed over, and is told so.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

from runtime.i18n import t  # noqa: E402
from runtime.workspace import Workspace  # noqa: E402
from tests.fake_kf import FakeKf, Served  # noqa: E402
from tests.kf_kit import AES_KEY, ALICE, BOB, KFID, TOKEN  # noqa: E402
from tests.studio_kit import (  # noqa: E402
    CHROMIUM,
    chromium,
    open_tab,
    pick,
    running_studio,
    shoot,
    wait_for,
)
from tests.test_studio_chinese import ALWAYS_ALLOWED, VISIBLE_TEXT_JS, offenders  # noqa: E402

CAROL = "wmAJ2GCAAAcarol000000000000000000"  # spring_poster, just looks
BOT = "shop"
SHOP = """id: shop
name: 小蓝
language: zh
persona: 你是蓝海咖啡的客服小蓝，回答简短。
model: {temperature: 0, max_tokens: 16, context: 2048}
lead_capture:
  converted_when: [phone]
  fields:
    - {key: phone, label: 手机号, type: phone_cn}
variants:
  - id: A
  - id: B
"""
HANDOVER = "好的，正在为您转接人工客服，请稍候。"
expect = playwright_api.expect

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def kf():
    fake = FakeKf(
        accounts={KFID: "蓝海咖啡"},
        customers={ALICE: "张三", BOB: "李四", CAROL: "王五"},
    )
    with Served(fake.app()) as served:
        fake.url = served.url  # type: ignore[attr-defined]
        yield fake


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory, gguf_dir: Path, kf: FakeKf):
    """The studio with only the bot "shop", bound to the kf account KFID before it starts
    (as `launch.py bind` does), WeCom's callback URL pointing at it."""
    home = tmp_path_factory.mktemp("studio-kf-leads")
    (home / "bots").mkdir()
    (home / "bots" / f"{BOT}.yaml").write_text(SHOP, encoding="utf-8")
    workspace = Workspace(bots_dir=home / "bots", data_dir=home / "data", gguf_dir=gguf_dir)
    credentials = {"corp_id": kf.corp_id, "secret": kf.secret, "token": TOKEN}
    workspace.bindings.bind(BOT, "kf", {**credentials, "aes_key": AES_KEY, "open_kfid": KFID})
    args = ("--gguf", str(gguf_dir))
    with running_studio(home, *args, env={"BOTSTUDIO_WECOM_API": kf.url}) as url:
        kf.callback_url, kf.callback_token, kf.callback_aes_key = (
            f"{url}/wecom/kf/{BOT}",
            TOKEN,
            AES_KEY,
        )
        assert kf.verify_callback()  # WeCom saves the URL only once its check passes
        journal = sqlite3.connect(home / "data" / "botstudio.sqlite3", check_same_thread=False)
        yield {"url": url, "home": home, "journal": journal}
        journal.close()


def settle(studio: dict[str, Any], seconds: float = 1.0) -> None:
    """Nothing left to drain, answer or send; then a little more, for what would be sent
    twice to have its chance."""
    busy = (
        "SELECT 1 FROM inbox WHERE state = 'received' UNION ALL"
        " SELECT 1 FROM outbox WHERE state IN ('pending', 'sending')"
    )
    wait_for(lambda: not studio["journal"].execute(busy).fetchall(), what="a quiet journal")
    time.sleep(seconds)


@pytest.fixture(scope="module")
def customers(studio, kf: FakeKf) -> None:
    """Two campaigns' customers have written and been answered (by the bundled model)."""
    kf.customer_enters(KFID, ALICE, scene="spring_poster")
    kf.customer_enters(KFID, CAROL, scene="spring_poster")
    kf.customer_enters(KFID, BOB, scene="moments")
    kf.customer_says(KFID, ALICE, "我的手机号是13812345678")
    kf.customer_says(KFID, CAROL, "你好")
    kf.customer_says(KFID, BOB, "随便看看")
    kf.ring(KFID)

    def answered() -> bool:
        return {body["touser"] for body in kf.sent} >= {ALICE, BOB, CAROL}

    wait_for(answered, timeout=240, what="the bot's answers to all three customers")
    settle(studio)
    assert kf.refused == []


@pytest.fixture(scope="module")
def page(studio, customers):
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1360, "height": 1000}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(studio["url"] + "/")
        page.wait_for_selector("#bots-table")
        pick(page, "bot-picker", BOT)
        yield page
        context.close()


def expect_text(page, selector: str, text: str, timeout: float = 30_000) -> None:
    try:
        expect(page.locator(selector)).to_contain_text(text, timeout=timeout)
    except AssertionError:
        shoot(page, "kf-leads-failed-" + selector.strip("#"))
        shown = page.locator(selector).all_inner_texts()
        raise AssertionError(f"{selector} lacks {text!r}; it shows {shown}") from None


# The table as shown: its column names and each row's cells, as their text (Gradio's
# dataframe draws its cells as grid cells that know their row and column).
TABLE_JS = """(root) => {
  const headers = [...root.querySelectorAll('thead [role=columnheader]')]
    .map((h) => h.innerText.trim());
  const rows = [];
  for (const cell of root.querySelectorAll('[data-row][data-col]')) {
    const r = +cell.dataset.row, c = +cell.dataset.col;
    (rows[r] = rows[r] || [])[c] = cell.innerText.trim();
  }
  return {headers: headers, rows: rows.filter(Boolean).map((r) => [...r].map((c) => c ?? ''))};
}"""


def table(page, elem_id: str) -> dict[str, Any]:
    return page.locator(f"#{elem_id}").evaluate(TABLE_JS)


def shown_as(page, elem_id: str, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The table once `check` holds of it (it is filled in by the server after a click)."""
    deadline = time.monotonic() + 30
    while True:
        shown = table(page, elem_id)
        if check(shown):
            return shown
        if time.monotonic() > deadline:
            shoot(page, f"kf-leads-failed-{elem_id}")
            raise AssertionError(f"#{elem_id} shows {shown}")
        page.wait_for_timeout(200)


def column(shown: dict[str, Any], name: str) -> int:
    assert name in shown["headers"], shown["headers"]
    return shown["headers"].index(name)


def by_first_cell(shown: dict[str, Any]) -> dict[str, list[str]]:
    return {row[0]: row for row in shown["rows"] if row}


def people(shown: dict[str, Any]) -> int:
    """The sum of the 人数 column of the A/B table (-1 while the table is not shown)."""
    if "人数" not in shown["headers"]:
        return -1
    at = shown["headers"].index("人数")
    return sum(int(row[at]) for row in shown["rows"] if len(row) > at and row[at].isdigit())


NAMES = {*ALWAYS_ALLOWED, BOT, ALICE, BOB, CAROL, "spring_poster", "moments", "A", "B"}


def all_chinese(page) -> None:
    """Every line on the screen is Chinese, or a name (the bot's, a customer's id, a
    campaign's scene, a variant), a number or a unit: tests/test_studio_chinese.py's rule.
    The chat bubbles are left out: they are the customers' and the model's words."""
    bubbles = "\n".join(page.locator(".message-row").all_inner_texts())
    said = {line.strip() for line in bubbles.splitlines()}
    texts = [(text, where) for text, where in page.evaluate(VISIBLE_TEXT_JS) if text not in said]
    found = offenders(texts, NAMES)
    assert not found, "English on the Chinese studio:\n" + "\n".join(map(repr, found))


def test_the_overview_counts_customers_leads_and_conversions_per_campaign(page) -> None:
    open_tab(page, "概览")
    expect_text(page, "#overview-sources", "spring_poster")
    shown = shown_as(page, "overview-sources", lambda s: "moments" in by_first_cell(s))
    assert shown["headers"] == ["来源", "来访客户", "留下线索", "已转化", "转化率"]
    rows = by_first_cell(shown)
    assert rows["spring_poster"] == ["spring_poster", "2", "2", "1", "50.0%"]
    assert rows["moments"] == ["moments", "1", "1", "0", "0.0%"]
    assert list(rows) == ["spring_poster", "moments"]  # the most customers first
    # the same customers by the channel they came in by: all three through 微信客服
    shown = shown_as(page, "overview-channels", lambda s: "微信客服" in by_first_cell(s))
    assert shown["headers"] == ["渠道", "来访客户", "回复", "留下线索", "已转化", "转化率"]
    _, came, replies, leads, converted, rate = by_first_cell(shown)["微信客服"]
    assert (came, leads, converted, rate) == ("3", "3", "1", "33.3%")
    assert int(replies) >= 3  # every customer was answered
    assert list(by_first_cell(shown)) == ["微信客服"]  # no other channel was used
    shoot(page, "kf-leads-overview")
    all_chinese(page)


def test_the_experiment_is_read_for_one_campaign_at_a_time(page) -> None:
    open_tab(page, "实验")
    shown_as(page, "exp-table", lambda s: people(s) == 3)  # 全部客户: everyone
    expect(page.locator("#exp-source input")).to_have_value("全部客户")
    page.click("#exp-source input")
    options = page.locator("[role=option]").all_inner_texts()
    listed = [o.replace("✓", "").strip() for o in options]  # ✓ marks the one chosen
    assert listed == [  # channels, then campaigns with the most customers first
        "全部客户",
        "渠道：微信客服",
        "推广来源：spring_poster",
        "推广来源：moments",
    ]
    page.locator("[role=option]", has_text="spring_poster").first.click()
    shown = shown_as(page, "exp-table", lambda s: people(s) == 2)
    assert sorted(row[0] for row in shown["rows"]) == ["A", "B"]
    conversions = column(shown, "转化")
    assert sum(int(row[conversions]) for row in shown["rows"]) == 1  # 张三's phone number
    pick(page, "exp-source", "推广来源：moments")
    shown = shown_as(page, "exp-table", lambda s: people(s) == 1)
    assert sum(int(row[conversions]) for row in shown["rows"]) == 0
    shoot(page, "kf-leads-experiment-moments")
    all_chinese(page)
    pick(page, "exp-source", "渠道：微信客服")  # everyone came through 微信客服
    shown_as(page, "exp-table", lambda s: people(s) == 3)
    pick(page, "exp-source", "全部客户")
    shown_as(page, "exp-table", lambda s: people(s) == 3)


def test_leads_show_nicknames_and_campaigns_and_hand_a_customer_over(
    page, studio, kf: FakeKf
) -> None:
    open_tab(page, "线索")
    expect_text(page, "#leads-table", f"张三（{ALICE}）")
    shown = shown_as(page, "leads-table", lambda s: len(s["rows"]) == 3)
    assert shown["headers"][:5] == ["客户", "来源", "变体", "已转化", "首次采集"]
    assert shown["headers"][5] == "手机号"
    rows = by_first_cell(shown)
    assert set(rows) == {f"张三（{ALICE}）", f"王五（{CAROL}）", f"李四（{BOB}）"}
    alice = rows[f"张三（{ALICE}）"]
    assert alice[1] == "spring_poster" and alice[3] == "是" and alice[5] == "13812345678"
    assert rows[f"王五（{CAROL}）"][1] == "spring_poster"
    assert rows[f"李四（{BOB}）"][1:4:2] == ["moments", "否"]
    asked = kf.calls.count("customer/batchget")
    assert asked >= 1  # the nicknames came from WeCom…
    page.click("#leads-refresh")
    expect_text(page, "#leads-table", f"李四（{BOB}）")
    page.wait_for_timeout(500)
    assert kf.calls.count("customer/batchget") == asked  # …once: kept since

    # 🙋 转人工: 李四 goes to WeCom's queue for a person, told so in the bot's words
    assert kf.state_of(KFID, BOB) != 2
    pick(page, "leads-person", "李四")
    expect(page.locator("#leads-handover")).to_have_text("🙋 转人工")
    page.click("#leads-handover")
    expect_text(page, "#leads-status", f"已把 李四（{BOB}） 转给人工")
    wait_for(lambda: kf.state_of(KFID, BOB) == 2, what="李四 in WeCom's queue")
    settle(studio)
    assert kf.texts_to(BOB)[-1] == HANDOVER == t("kf.handover_reply", "zh")
    assert kf.calls.count("service_state/trans") == 1
    shoot(page, "kf-leads-handover")

    # again: already with a person, nothing more sent or moved
    page.click("#leads-handover")
    expect_text(page, "#leads-status", f"李四（{BOB}） 已经在人工接待或排队中")
    settle(studio)
    assert kf.texts_to(BOB).count(HANDOVER) == 1
    assert kf.calls.count("service_state/trans") == 1
    assert kf.state_of(KFID, ALICE) != 2 and HANDOVER not in kf.texts_to(ALICE)  # only 李四
    assert kf.refused == []

    all_chinese(page)


def test_a_studio_try_out_person_cannot_be_handed_over(page, kf: FakeKf) -> None:
    open_tab(page, "试聊")
    page.fill("#try-user textarea", "王先生")
    page.press("#try-user textarea", "Enter")
    page.fill("#try-message textarea", "你好，我的手机是 139 0000 1111")
    page.click("#try-send")
    expect_text(page, "#try-leads", "13900001111", timeout=180_000)
    open_tab(page, "线索")
    page.click("#leads-refresh")
    expect_text(page, "#leads-table", "王先生（试聊）")
    sent, moves = len(kf.sent), kf.calls.count("service_state/trans")
    pick(page, "leads-person", "王先生（试聊）")
    page.click("#leads-handover")
    expect_text(page, "#leads-status", "只有通过微信客服来的客户可以转人工：王先生（试聊） 不是")
    page.wait_for_timeout(1000)
    assert len(kf.sent) == sent and kf.calls.count("service_state/trans") == moves
    shoot(page, "kf-leads-not-kf")
    all_chinese(page)
