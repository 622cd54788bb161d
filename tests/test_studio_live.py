"""Screens that stay current and act on the bot the user means, in real Chromium.

What a marketer sees: a model uploaded in 模型 is offered in 编辑 without a reload; a
bot saved in 编辑 greets with its new greeting in 试聊; 概览, 线索 and 企业微信 show
what happened while they were open; a reload or a shared link opens the same bot and
tab; unsaved edits are marked, and switching bots asks first; 清空对话 keeps the lead's
conversation; save feedback appears beside 保存 and the first problem is scrolled to.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import struct
import time

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

from tests.studio_kit import CHROMIUM, ROOT, chromium, open_tab, pick, running_studio  # noqa: E402
from tests.test_studio_browser import edit_cell, expect_text  # noqa: E402

WEBHOOK_KEY = "5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
expect = playwright_api.expect

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory):
    """A real server on a free port, with its own copy of the shipped bots and its own
    gguf/ (an upload lands there, not in the repository's)."""
    from runtime.models.catalog import place_default_model

    home = tmp_path_factory.mktemp("live")
    bots = home / "bots"
    shutil.copytree(ROOT / "bots", bots)
    assert place_default_model(home / "gguf") is not None
    # nothing here sends to WeCom: a dead address, should anything try
    env = {"BOTSTUDIO_WECOM_API": "http://127.0.0.1:9"}
    with running_studio(home, "--gguf", str(home / "gguf"), env=env) as url:
        yield {"url": url, "bots": bots, "data": home / "data", "home": home}


@pytest.fixture(scope="module", autouse=True)
def patient():
    """Wait as long as the other browser tests do (a shared machine can be slow)."""
    expect.set_options(timeout=30_000)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1360, "height": 1000}, locale="zh-CN")
    context.set_default_timeout(30_000)
    yield context
    context.close()


@pytest.fixture
def page(context, studio):
    page = context.new_page()
    page.goto(studio["url"] + "/")
    page.wait_for_selector("#bots-table")
    return page


def offered(page, elem_id: str, text: str) -> None:
    """The dropdown `elem_id`, opened, lists an option with `text`."""
    page.click(f"#{elem_id} input")
    expect(page.locator("[role=option]", has_text=text).first).to_be_visible()
    page.keyboard.press("Escape")


def fold(page, section: str) -> None:
    """Open (or close) a section of 编辑."""
    page.get_by_role("button", name=section).click()


def picked(page, bot_id: str) -> None:
    expect(page.locator("#bot-picker input")).to_have_value(re.compile(f"{bot_id}）?$"))


def tiny_gguf() -> bytes:
    """The smallest file the models catalog takes: a GGUF v3 header, one key, no tensors."""
    key, value = b"general.architecture", b"llama"
    return (
        b"GGUF"
        + struct.pack("<IQQ", 3, 0, 1)
        + struct.pack("<Q", len(key))
        + key
        + struct.pack("<I", 8)
        + struct.pack("<Q", len(value))
        + value
    )


def journal(studio):
    from runtime.store.db import Journal

    return Journal(studio["data"] / "botstudio.sqlite3")


def test_an_uploaded_model_is_offered_everywhere_without_a_reload(page, studio, tmp_path) -> None:
    open_tab(page, "编辑")  # built and filled before the upload
    expect_text(page, "#edit-status", "正在编辑")
    open_tab(page, "模型")
    upload = tmp_path / "tiny-live.gguf"
    upload.write_bytes(tiny_gguf())
    page.set_input_files("#models-upload input[type=file]", str(upload))
    expect_text(page, "#models-files", "tiny-live.gguf")
    open_tab(page, "编辑")
    fold(page, "模型与生成设置")
    offered(page, "edit-model-file", "tiny-live.gguf")
    open_tab(page, "对比")
    offered(page, "compare-left-model", "tiny-live.gguf")
    open_tab(page, "模型")
    offered(page, "models-load-file", "tiny-live.gguf")  # 🧠 模型's own "load" list


def test_a_new_bot_and_a_saved_change_show_in_every_tab(page, studio) -> None:
    text = (studio["bots"] / "ad-copywriter.yaml").read_text(encoding="utf-8")
    greeting = re.search(r"^greeting: (.+)$", text, re.MULTILINE).group(1).strip()
    pick(page, "new-template", "ad-copywriter")
    page.fill("#new-id textarea", "live-shop")
    page.fill("#new-name textarea", "直播小店")
    page.click("#create-bot")
    expect_text(page, "#bots-status", "live-shop")
    picked(page, "live-shop")
    open_tab(page, "试聊")
    expect_text(page, "#try-chat", greeting)  # greeted as the template did

    open_tab(page, "编辑")
    expect_text(page, "#edit-status", "live-shop")
    page.fill("#edit-name textarea", "直播小店助手")
    page.fill("#edit-greeting textarea", "欢迎来到直播小店！想看哪款商品？")
    edit_cell(page, "edit-fields", 0, 0, "phone")
    edit_cell(page, "edit-fields", 0, 1, "联系电话")
    edit_cell(page, "edit-fields", 0, 2, "phone_cn")
    fold(page, "A/B 变体")
    edit_cell(page, "edit-variants", 0, 0, "A")
    page.click("#variants-add")
    edit_cell(page, "edit-variants", 1, 0, "B")
    page.click("#edit-save")
    expect_text(page, "#edit-status", "已保存")

    # the picker shows the new name; 试聊 the saved greeting, lead field and variants
    expect(page.locator("#bot-picker input")).to_have_value("直播小店助手（live-shop）")
    open_tab(page, "试聊")
    expect_text(page, "#try-chat", "欢迎来到直播小店！想看哪款商品？")
    expect(page.locator("#try-chat")).not_to_contain_text(greeting)
    expect_text(page, "#try-leads", "联系电话")
    offered(page, "try-variant", "B")
    open_tab(page, "对比")
    expect(page.locator("#compare-left-variant input")).to_have_value("A")
    expect(page.locator("#compare-right-variant input")).to_have_value("B")
    open_tab(page, "线索")
    offered(page, "leads-variant", "B")
    open_tab(page, "实验")
    offered(page, "exp-winner", "B")


def test_overview_leads_and_wecom_show_what_happened_while_open(page, studio) -> None:
    from runtime.leads.store import Lead, LeadStore
    from runtime.workspace import Workspace

    pick(page, "bot-picker", "xiaolan-sales")
    open_tab(page, "概览")
    expect_text(page, "#overview-health", "一切正常")
    db = sqlite3.connect(studio["data"] / "botstudio.sqlite3")
    db.execute(  # as the outbox records a push that WeCom refused, a moment ago
        "INSERT INTO outbox (bot_id, channel, target, body, state, next_attempt_at, last_error,"
        " created_at) VALUES ('xiaolan-sales', 'webhook', 'k', '{}', 'failed', 0,"
        " '93000 invalid webhook url', ?)",
        (time.time(),),
    )
    db.commit()
    db.close()
    expect_text(page, "#overview-health", "需要留意")  # no click: it re-reads while shown
    expect_text(page, "#overview-errors", "93000 invalid webhook url")

    leads = LeadStore(journal(studio))
    open_tab(page, "线索")
    expect(page.locator("#leads-table")).not_to_contain_text("13700001111")
    phone = {"value": "13700001111", "message": "电话 13700001111", "at": time.time()}
    leads.save(Lead("xiaolan-sales", "wecom:zhao", "wecom:zhao", "A", {"phone": phone}))
    expect_text(page, "#leads-table", "13700001111")  # a lead that came in while open
    open_tab(page, "机器人")
    phone = {"value": "13700002222", "message": "13700002222", "at": time.time()}
    leads.save(Lead("xiaolan-sales", "wecom:qian", "wecom:qian", "B", {"phone": phone}))
    open_tab(page, "线索")
    expect_text(page, "#leads-table", "13700002222")  # and one that came in meanwhile

    open_tab(page, "企业微信")
    expect_text(page, "#wecom-status", "未绑定")
    expect(page.locator("#wecom-status")).not_to_contain_text("已绑定，尚未使用")
    bindings = Workspace(data_dir=studio["data"]).bindings  # as `launch.py bind` does
    bindings.bind("xiaolan-sales", "webhook", {"key": WEBHOOK_KEY})
    expect_text(page, "#wecom-status", "已绑定，尚未使用")


def test_the_bot_and_tab_are_in_the_address_and_survive_a_reload(page, context, studio) -> None:
    pick(page, "bot-picker", "ops-helper")
    open_tab(page, "编辑")
    expect_text(page, "#edit-status", "ops-helper")
    expect(page).to_have_url(re.compile(r"[?&]bot=ops-helper"))
    expect(page).to_have_url(re.compile(r"[?&]tab=edit"))
    page.reload()
    expect_text(page, "#edit-status", "ops-helper")  # the same bot, in the same tab
    picked(page, "ops-helper")
    expect(page.locator("#edit-name")).to_be_visible()

    shared = context.new_page()  # a link a colleague sent
    shared.goto(studio["url"] + "/?bot=xiaolan-sales&tab=try")  # via the root's redirect
    expect_text(shared, "#try-chat", "我是蓝莺IM的小蓝")
    picked(shared, "xiaolan-sales")


def test_unsaved_edits_are_marked_and_switching_bots_asks_first(page, studio) -> None:
    persona = page.locator("#edit-persona textarea")
    question = page.locator("#unsaved-question")
    pick(page, "bot-picker", "xiaolan-sales")
    open_tab(page, "编辑")
    expect_text(page, "#edit-status", "xiaolan-sales")
    pick(page, "bot-picker", "ops-helper")  # nothing edited: nothing asked
    expect_text(page, "#edit-status", "ops-helper")
    expect(question).to_be_hidden()
    expect(page.locator("#edit-dirty")).not_to_contain_text("未保存")

    persona.fill("改过的人设，还没保存")
    pick(page, "bot-picker", "ad-copywriter")
    expect_text(page, "#unsaved-question", "有未保存的修改")
    expect(persona).to_have_value("改过的人设，还没保存")  # not thrown away meanwhile
    expect_text(page, "#edit-dirty", "有未保存的修改")
    page.click("#unsaved-stay")
    picked(page, "ops-helper")
    expect(question).to_be_hidden()
    expect(persona).to_have_value("改过的人设，还没保存")
    expect_text(page, "#edit-status", "ops-helper")

    pick(page, "bot-picker", "ad-copywriter")
    expect_text(page, "#unsaved-question", "有未保存的修改")
    page.click("#unsaved-discard")
    expect_text(page, "#edit-status", "ad-copywriter")
    expect(page.locator("#edit-dirty")).not_to_contain_text("未保存")
    assert "改过的人设" not in (studio["bots"] / "ops-helper.yaml").read_text(encoding="utf-8")

    page.fill("#edit-greeting textarea", "文案助手的新开场白")
    expect_text(page, "#edit-dirty", "有未保存的修改")
    pick(page, "bot-picker", "xiaolan-sales")
    expect_text(page, "#unsaved-question", "有未保存的修改")
    page.click("#unsaved-save")
    expect_text(page, "#edit-status", "xiaolan-sales")
    picked(page, "xiaolan-sales")
    saved = (studio["bots"] / "ad-copywriter.yaml").read_text(encoding="utf-8")
    assert "greeting: 文案助手的新开场白" in saved

    page.fill("#edit-greeting textarea", "还没保存的开场白")  # leaving the page asks too
    expect_text(page, "#edit-dirty", "有未保存的修改")
    with page.expect_event("dialog") as asked:
        page.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()


def test_clearing_the_try_out_keeps_the_lead_and_its_conversation(page, studio) -> None:
    from runtime.leads.store import Lead, LeadStore
    from runtime.store import Conversations, Turn

    said = "你好，我的手机是 139 0000 1111"
    store = journal(studio)
    turns = [Turn("user", said), Turn("assistant", "好的，已为您记下。")]
    Conversations(store).append("xiaolan-sales", "studio:王女士", turns)
    phone = {"value": "13900001111", "message": said, "at": time.time(), "where": "studio:王女士"}
    LeadStore(store).save(
        Lead("xiaolan-sales", "studio:王女士", "studio:王女士", "A", {"phone": phone})
    )
    pick(page, "bot-picker", "xiaolan-sales")
    open_tab(page, "试聊")
    page.fill("#try-user textarea", "王女士")
    page.press("#try-user textarea", "Enter")
    expect_text(page, "#try-chat", said)
    expect_text(page, "#try-leads", "13900001111")
    page.click("#try-reset")
    expect(page.locator("#try-chat")).not_to_contain_text(said)  # a fresh window
    expect_text(page, "#try-leads", "尚未采集")

    open_tab(page, "线索")
    expect_text(page, "#leads-table", "13900001111")  # the lead is still there
    pick(page, "leads-person", "王女士")
    expect_text(page, "#leads-chat", said)  # with the conversation it came from

    open_tab(page, "试聊")  # and the button said so, before and after
    expect_text(page, "#try-reset-help", "已收集的线索和对话记录保留")
    expect_text(page, "#try-stats", "线索和对话记录保留")


def test_save_feedback_is_beside_the_button_and_the_first_problem_is_shown(page, studio) -> None:
    path = studio["bots"] / "ad-copywriter.yaml"
    pick(page, "bot-picker", "ad-copywriter")
    open_tab(page, "编辑")
    expect_text(page, "#edit-status", "ad-copywriter")
    before = path.read_bytes()
    fold(page, "安全与频率")
    page.fill("#edit-rate-limit textarea", "每分钟很多次")
    fold(page, "安全与频率")  # folded again: the save has to open it
    page.click("#edit-save")
    expect_text(page, "#edit-save-status", "未保存")
    problem = page.locator("#error-safety")
    expect(problem).to_contain_text("每分钟很多次")
    expect(problem).to_be_in_viewport()
    expect(problem).to_be_focused()
    assert path.read_bytes() == before

    page.fill("#edit-rate-limit textarea", "20/minute")
    page.click("#edit-save")
    expect_text(page, "#edit-save-status", "已保存")
    expect(page.locator("#edit-save-status")).to_be_in_viewport()  # where the user clicked
    expect(problem).to_be_hidden()
    assert "rate_limit: 20/minute" in path.read_text(encoding="utf-8")
