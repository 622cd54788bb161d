"""The studio in real Chromium (Debian's), driven by Playwright, against the real server.

What a marketer does: make a bot from a template, change its persona, add an
example and a phone field, save and find the file accepted by `check`; chat and
watch the reply stream; type something invalid and see the error with nothing
written; switch the language. Screenshots of every tab go to
test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

from tests.fake_wecom import FakeWeCom, Served  # noqa: E402
from tests.studio_kit import (  # noqa: E402
    CHROMIUM,
    ROOT,
    chromium,
    pick,
    running_studio,
    settle,
    shoot,
)

WEBHOOK_KEY = "0b8f3e2a-1c4d-4e5f-9a6b-7c8d9e0f1a2b"


def open_tab(page, label: str) -> None:
    """This module's tests share one page across many steps: a tab is opened once the
    page is quiet, so a load or a bot pick still answering cannot undo what comes next."""
    settle(page, quiet_ms=800)
    page.get_by_role("tab", name=label).click()
    settle(page, quiet_ms=800)


pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def fake_wecom():
    fake = FakeWeCom(keys={WEBHOOK_KEY})
    with Served(fake.app()) as served:
        fake.url = served.url
        yield fake


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory, fake_wecom):
    """A real server on a free port, with its own copy of the shipped bots."""
    home = tmp_path_factory.mktemp("studio")
    bots = home / "bots"
    shutil.copytree(ROOT / "bots", bots)
    with running_studio(home, env={"BOTSTUDIO_WECOM_API": fake_wecom.url}) as url:
        yield {"url": url, "bots": bots, "data": home / "data"}


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser, studio):
    context = browser.new_context(viewport={"width": 1360, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(studio["url"] + "/")
    page.wait_for_selector("#bots-table")
    yield page
    context.close()


def edit_cell(page, table_id: str, row: int, col: int, text: str) -> None:
    cell = page.locator(f"#{table_id} [data-testid=cell-{row}-{col}]")
    cell.dblclick()
    editor = cell.locator("textarea")
    editor.fill(text)  # replaces what the cell held
    editor.press("Enter")


def expect_text(page, selector: str, text: str, timeout: float = 30_000) -> None:
    try:
        playwright_api.expect(page.locator(selector)).to_contain_text(text, timeout=timeout)
    except AssertionError:
        errors = page.locator(".section-error").all_inner_texts()
        shoot(page, "failed-" + selector.strip("#").replace(" ", "_"))
        raise AssertionError(f"{selector} lacks {text!r}; errors shown: {errors}") from None


def short_replies(bots: Path, bot_id: str) -> None:
    """The shipped bot's copy with the shortest replies there are (16 tokens, not 384): a
    test that waits for a reply to end then waits on no machine's speed."""
    path = bots / f"{bot_id}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("max_tokens: 384", "max_tokens: 16"), encoding="utf-8")
    assert "max_tokens: 16" in path.read_text(encoding="utf-8")


def check(bots: Path, path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "BOTSTUDIO_LANG": "en"}
    return subprocess.run(
        [sys.executable, "launch.py", "--bots", str(bots), "check", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_make_a_bot_from_a_template_edit_and_save(page, studio) -> None:
    shoot(page, "1-bots")
    pick(page, "new-template", "xiaolan-sales")
    page.fill("#new-id textarea", "my-sales")
    page.fill("#new-name textarea", "我的销售助手")
    page.click("#create-bot")
    expect_text(page, "#bots-status", "已创建 my-sales")
    expect_text(page, "#bots-table", "我的销售助手")
    assert page.input_value("#bot-picker input").endswith("（my-sales）")

    open_tab(page, "编辑")
    expect_text(page, "#edit-status", "my-sales")
    page.fill("#edit-persona textarea", "你是“小美”，一家咖啡豆电商的客服，说话亲切简短。")
    page.click("#few-shot-add")
    edit_cell(page, "edit-few-shot", 2, 0, "你们几点发货？")
    edit_cell(page, "edit-few-shot", 2, 1, "工作日下午四点前下单，当天发货。")
    page.click("#fields-add")
    edit_cell(page, "edit-fields", 3, 0, "mobile")
    edit_cell(page, "edit-fields", 3, 1, "备用手机")
    edit_cell(page, "edit-fields", 3, 2, "phone_cn")
    shoot(page, "2-edit")
    page.click("#edit-save")
    expect_text(page, "#edit-status", "已保存")

    saved = studio["bots"] / "my-sales.yaml"
    text = saved.read_text(encoding="utf-8")
    assert "你是“小美”，一家咖啡豆电商的客服" in text
    assert "user: 你们几点发货？" in text and "assistant: 工作日下午四点前下单，当天发货。" in text
    assert "key: mobile" in text and "type: phone_cn" in text
    assert "# 小蓝：官网和企业微信群里的售前顾问" in text  # the template's comments survive
    result = check(studio["bots"], saved)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_invalid_value_shows_its_error_and_writes_nothing(page, studio) -> None:
    pick(page, "bot-picker", "ops-helper")
    open_tab(page, "编辑")
    expect_text(page, "#edit-status", "ops-helper")
    path = studio["bots"] / "ops-helper.yaml"
    before = path.read_bytes()
    page.get_by_text("安全与频率").click()
    page.fill("#edit-rate-limit textarea", "每分钟很多次")
    page.click("#edit-save")
    expect_text(page, "#edit-status", "未保存")
    expect_text(page, "#error-safety", "频率限制 “每分钟很多次” 无效")
    shoot(page, "3-edit-error")
    assert path.read_bytes() == before


def test_saving_over_a_file_changed_on_disk_is_refused(page, studio) -> None:
    pick(page, "bot-picker", "ad-copywriter")
    open_tab(page, "编辑")
    expect_text(page, "#edit-status", "ad-copywriter")
    path = studio["bots"] / "ad-copywriter.yaml"
    changed = path.read_text(encoding="utf-8") + "# edited by a colleague\n"
    path.write_text(changed, encoding="utf-8")
    page.fill("#edit-greeting textarea", "新的开场白")
    page.click("#edit-save")
    expect_text(page, "#edit-status", "文件在你打开之后已被修改")
    assert path.read_text(encoding="utf-8") == changed


def test_try_streams_the_reply_and_shows_the_prompt(page, studio) -> None:
    (studio["bots"] / "cafe.yaml").write_text(
        "id: cafe\nname: Cafe helper\nlanguage: en\n"
        "persona: You are the friendly assistant of Bean There, a coffee shop.\n"
        "greeting: Hi! Ask me about our coffee.\n"
        "model: {temperature: 0, max_tokens: 120, context: 2048}\n",
        encoding="utf-8",
    )
    page.reload()
    page.wait_for_selector("#bots-table")
    pick(page, "bot-picker", "cafe")
    open_tab(page, "试聊")
    expect_text(page, "#try-chat", "Hi! Ask me about our coffee.")
    page.fill("#try-message textarea", "Tell me about your best coffee drinks.")
    page.click("#try-send")
    bubbles = page.locator("#try-chat .message-row")
    seen: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        last = bubbles.last.inner_text() if bubbles.count() else ""
        if last and (not seen or seen[-1] != last):
            seen.append(last)
        if page.locator("#try-stats").inner_text().strip().startswith("首字"):
            break
        page.wait_for_timeout(40)
    final = bubbles.last.inner_text()
    growing = [s for s in seen if s and final.startswith(s.strip()[:10]) and s != final]
    assert len(growing) >= 2, f"the reply did not stream: {seen}"
    expect_text(page, "#try-stats", "每秒", timeout=120_000)
    page.get_by_text("发给模型的完整提示词").click()
    expect_text(page, "#try-prompt", "You are the friendly assistant of Bean There")
    shoot(page, "4-try")
    page.locator("#try-chat").get_by_role("button", name="赞").last.click()  # 👍 on the reply
    expect_text(page, "#try-stats", "已记下你的评价")
    journal = sqlite3.connect(studio["data"] / "botstudio.sqlite3")
    rows = journal.execute(
        "SELECT user, json_extract(payload, '$.value') FROM events"
        " WHERE bot_id = 'cafe' AND kind = 'feedback'"
    ).fetchall()
    journal.close()
    assert rows == [("studio:测试员", 1)]  # the Chinese studio's default customer


def test_compare_two_variants_side_by_side(page, studio) -> None:
    short_replies(studio["bots"], "xiaolan-sales")  # what is shown, not how long it is
    pick(page, "bot-picker", "xiaolan-sales")
    open_tab(page, "对比")
    playwright_api.expect(page.locator("#compare-left-variant input")).to_have_value("A")
    playwright_api.expect(page.locator("#compare-right-variant input")).to_have_value("B")
    page.fill("#compare-message textarea", "你好")
    page.click("#compare-run")
    # two cold 1,000-token prompts on a small CPU: allow for a busy machine
    expect_text(page, "#compare-left-stats", "每秒", timeout=180_000)
    expect_text(page, "#compare-right-stats", "每秒", timeout=180_000)
    shoot(page, "5-compare")


def test_models_tab_lists_the_default_model_and_gpu_state(page) -> None:
    open_tab(page, "模型")
    expect_text(page, "#models-files", "SmolLM2-135M-Instruct.Q4_1.gguf")
    expect_text(page, "#models-files", "Q4_1")
    expect_text(page, "#models-gpu", "GPU")
    shoot(page, "6-models")


def test_how_many_replies_a_model_writes_at_once_is_a_setting(page, studio) -> None:
    from runtime.engine.pool import SLOTS_SETTING
    from runtime.store.settings import Settings

    open_tab(page, "模型")
    field = page.locator("#models-slots-input input")
    playwright_api.expect(field).to_have_value("8")  # the CPU's default
    field.fill("0")
    page.click("#models-slots-save")
    expect_text(page, "#models-slots-status", "要填 1 到 64 之间的整数（现在是 0）")
    settings = Settings(studio["data"] / "settings.json")
    assert settings.get(SLOTS_SETTING) is None  # nothing saved
    field.fill("3")
    page.click("#models-slots-save")
    expect_text(page, "#models-slots-status", "之后加载的模型同时回复 3 位客户")
    assert Settings(studio["data"] / "settings.json").get(SLOTS_SETTING) == 3
    with urllib.request.urlopen(studio["url"] + "/healthz", timeout=5) as response:
        models = json.load(response)["models"]
    assert all({"slots", "running", "queued"} <= set(m) for m in models)
    field.fill("8")  # as it was, for the tests after this one
    page.click("#models-slots-save")
    expect_text(page, "#models-slots-status", "同时回复 8 位客户")


def test_switch_language_to_english_and_back(page, studio) -> None:
    open_tab(page, "设置")
    try:
        shoot(page, "7-settings")
        page.get_by_text("English", exact=True).click()
        page.click("#settings-apply-lang")
        page.wait_for_url("**/studio/en/**")  # the address's ?bot=&tab= carried along
        settle(page)  # the load opens the tab the address names: a click before it is undone
        open_tab(page, "🤖 Bots")
        page.wait_for_selector("#bots-table")
        shoot(page, "8-bots-english")
        page.goto(studio["url"] + "/")  # the choice is remembered
        page.wait_for_url("**/studio/en/")
    finally:  # back to Chinese even when a step above failed: the tests below read it
        page.goto(studio["url"] + "/studio/en/?tab=settings")
        page.wait_for_selector("#settings-apply-lang")
        page.get_by_text("简体中文", exact=True).click()
        page.click("#settings-apply-lang")
        page.wait_for_url("**/studio/zh/**")


def test_bind_a_group_webhook_and_send_a_test_message(page, studio, fake_wecom) -> None:
    pick(page, "bot-picker", "ops-helper")
    open_tab(page, "企业微信")
    expect_text(page, "#wecom-status", "未绑定")
    expect_text(page, "#wecom-urls", "/wecom/aibot/ops-helper")
    url = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WEBHOOK_KEY}"
    page.fill("#wecom-webhook textarea, #wecom-webhook input", url)
    page.click("#wecom-webhook-bind")
    expect_text(page, "#wecom-result", "已绑定")
    page.click("#wecom-test")
    expect_text(page, "#wecom-result", "测试消息已送达企业微信")
    assert fake_wecom.texts(WEBHOOK_KEY) == ["这是来自 BotStudio 的测试消息 ✅"]
    expect_text(page, "#wecom-status", "✅ 正常")
    shoot(page, "9-wecom")
    assert WEBHOOK_KEY not in (studio["bots"] / "ops-helper.yaml").read_text(encoding="utf-8")
    open_tab(page, "机器人")
    page.reload()
    page.wait_for_selector("#bots-table")
    expect_text(page, "#bots-table", "群机器人 webhook ✓")


def test_a_conversation_becomes_a_lead_in_the_table_and_the_csv(page, studio, fake_wecom) -> None:
    from runtime.workspace import Workspace

    alerts = Workspace(data_dir=studio["data"]).bindings  # as `launch.py bind` does
    alerts.bind("xiaolan-sales", "alert_webhook", {"key": WEBHOOK_KEY})
    short_replies(studio["bots"], "xiaolan-sales")  # the lead comes from the message
    pick(page, "bot-picker", "xiaolan-sales")
    open_tab(page, "试聊")
    page.fill("#try-user textarea", "王先生")
    page.press("#try-user textarea", "Enter")
    page.fill("#try-message textarea", "你好，我的手机是 138 1234 5678")
    page.click("#try-send")
    expect_text(page, "#try-leads", "13812345678", timeout=180_000)
    expect_text(page, "#try-leads", "已转化")
    open_tab(page, "线索")
    page.click("#leads-refresh")
    expect_text(page, "#leads-table", "13812345678")
    expect_text(page, "#leads-table", "王先生（试聊）")  # a studio test, as a person
    shoot(page, "10-leads")
    with page.expect_download() as download:
        page.click("#leads-export")
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    assert "王先生（试聊）" in content.decode("utf-8-sig") and "13812345678" in content.decode()
    alert = [m for m in fake_wecom.texts(WEBHOOK_KEY) if "王先生" in m]
    assert alert and "138****5678" in alert[0] and "13812345678" not in alert[0]


def test_read_an_experiment_and_adopt_the_winner(page, studio) -> None:
    from tests.test_experiment_report import experiment

    # only the experiment's 800 people: the try-outs of the tests before are no customers
    journal = sqlite3.connect(studio["data"] / "botstudio.sqlite3")
    with journal:
        journal.execute("DELETE FROM assignments WHERE user LIKE 'studio:%'")
    journal.close()
    experiment(studio["data"], {"A": (400, 40), "B": (400, 70)}, seed="1")
    page.reload()
    page.wait_for_selector("#bots-table")
    pick(page, "bot-picker", "xiaolan-sales")
    open_tab(page, "实验")
    expect_text(page, "#exp-advice", "B 更好的概率为")
    expect_text(page, "#exp-table", "17.5%")
    assert page.locator("#exp-chart svg rect").count() == 2
    assert page.locator("#exp-timeline svg polyline").count() == 2  # conversions per day
    expect_text(page, "#exp-behaviour", "几轮后转化")
    shoot(page, "11-experiments")
    settle(page)  # the page load's and the bot pick's answers are in: a pick now stays
    pick(page, "exp-winner", "B")
    bot_file = studio["bots"] / "xiaolan-sales.yaml"
    kept = bot_file.read_text(encoding="utf-8")
    without_b = kept.split("\n  - id: B")[0] + "\n"  # B deleted meanwhile (another tab)
    bot_file.write_text(without_b, encoding="utf-8")
    page.click("#exp-adopt")
    expect_text(page, "#exp-status", "没有变体“B”")
    assert not page.locator("#exp-confirm").is_visible()
    bot_file.write_text(kept, encoding="utf-8")
    page.click("#exp-adopt")
    page.click("#exp-confirm")
    expect_text(page, "#exp-status", "已采用 B")
    result = check(studio["bots"], studio["bots"] / "xiaolan-sales.yaml")
    assert result.returncode == 0, result.stdout
    text = (studio["bots"] / "xiaolan-sales.yaml").read_text(encoding="utf-8")
    assert "领取 30 天专业版试用" in text.split("variants:")[0]  # B's greeting is the bot's own
    assert (studio["data"] / "experiments" / "xiaolan-sales-1.json").exists()


def test_rehearse_simulated_customers_against_each_variant(page, studio) -> None:
    from tests.test_rehearse import SHOP

    (studio["bots"] / "shop.yaml").write_text(SHOP, encoding="utf-8")
    page.reload()
    page.wait_for_selector("#bots-table")
    pick(page, "bot-picker", "shop")
    open_tab(page, "实验")
    page.get_by_text("上线前彩排").click()
    expect_text(page, "#rehearse-customers", "shares: {phone:")  # the shop's sample, to start from

    def type_customers(text: str) -> None:
        page.click("#rehearse-customers .cm-content")
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(text)

    type_customers("max_turns: 2\ncustomers:\n  - name: Eager\n    who: a student\n    wantz: x\n")
    page.click("#rehearse-start")
    expect_text(page, "#rehearse-progress", "第 5 行")  # the typo, by line, nothing run
    type_customers(
        "max_turns: 2\ncustomers:\n  - name: Eager\n    who: a student\n    wants: a phone\n"
        '    shares: {phone: "13912345678"}\n    only_if_asked: false\n'
    )
    page.click("#rehearse-start")
    expect_text(page, "#rehearse-progress", "彩排结果", timeout=180_000)
    expect_text(page, "#rehearse-table", "phone number 100%")  # the field's label
    shoot(page, "12-rehearsal")
    # A long rehearsal can be stopped, and then it no longer holds the model.
    type_customers(
        "max_turns: 20\ncustomers:\n  - name: Idle\n    who: a visitor\n    wants: nothing\n"
    )
    page.fill("#rehearse-runs input", "10")
    page.click("#rehearse-start")
    expect_text(page, "#rehearse-progress", "彩排开始")
    time.sleep(2)  # mid-conversation
    page.click("#rehearse-stop")
    expect_text(page, "#rehearse-progress", "彩排已停止")
    time.sleep(3)  # the reply being written finishes
    busy = []
    for _ in range(30):
        with urllib.request.urlopen(studio["url"] + "/healthz", timeout=5) as response:
            busy += [m["busy"] for m in json.load(response)["models"]]
        time.sleep(0.1)
    assert not any(busy), "the stopped rehearsal is still using the model"


def test_set_a_weekday_morning_push_run_it_and_pause_it(page, studio, fake_wecom) -> None:
    pick(page, "bot-picker", "ops-helper")
    open_tab(page, "企业微信")
    page.fill("#wecom-webhook textarea, #wecom-webhook input", WEBHOOK_KEY)
    page.click("#wecom-webhook-bind")
    expect_text(page, "#wecom-result", "已绑定")
    open_tab(page, "定时")
    expect_text(page, "#sched-table", "每周一 9:00")  # the shipped weekly reminder
    schedule_id = page.locator("#sched-id textarea, #sched-id input")
    playwright_api.expect(schedule_id).to_have_value("weekly-report-reminder")  # form filled
    pick(page, "sched-pick", "新建定时任务")
    playwright_api.expect(schedule_id).to_have_value("")  # an empty form, before typing
    page.fill("#sched-id textarea, #sched-id input", "morning")
    page.fill("#sched-time textarea, #sched-time input", "9:30")
    expect_text(page, "#sched-meaning", "每个工作日 9:30")
    page.fill("#sched-body textarea", "早上好！今天是 {date}，昨天新增线索 {new_leads} 条。")
    page.click("#sched-save")
    expect_text(page, "#sched-status", "已保存 morning")
    expect_text(page, "#sched-table", "每个工作日 9:30")
    result = check(studio["bots"], studio["bots"] / "ops-helper.yaml")
    assert result.returncode == 0, result.stdout
    assert "cron: 30 9 * * 1-5" in (studio["bots"] / "ops-helper.yaml").read_text(encoding="utf-8")
    before = len(fake_wecom.texts(WEBHOOK_KEY))
    page.click("#sched-run")
    expect_text(page, "#sched-status", "放入发送队列")
    deadline = time.monotonic() + 30
    while len(fake_wecom.texts(WEBHOOK_KEY)) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert fake_wecom.texts(WEBHOOK_KEY)[-1].startswith("早上好！今天是 20")
    page.click("#sched-toggle")
    expect_text(page, "#sched-status", "morning 已暂停")
    expect_text(page, "#sched-table", "已暂停")
    assert "paused: true" in (studio["bots"] / "ops-helper.yaml").read_text(encoding="utf-8")
    expect_text(page, "#sched-history", "已送达")  # the run, and how its delivery went
    shoot(page, "13-schedules")


def test_the_overview_says_whether_all_is_well_with_charts(page, studio) -> None:
    journal = sqlite3.connect(studio["data"] / "botstudio.sqlite3")
    now = time.time()
    for day in range(5):
        for _ in range(day + 1):
            journal.execute(
                "INSERT INTO events (bot_id, kind, user, payload, created_at)"
                " VALUES ('xiaolan-sales', 'message', 'u', '{\"latency_ms\": 700}', ?)",
                (now - day * 86400,),
            )
    journal.execute(
        "INSERT INTO outbox (bot_id, channel, target, body, state, next_attempt_at, last_error,"
        " created_at) VALUES ('xiaolan-sales', 'webhook', 'k', '{}', 'failed', 0,"
        " '93000 invalid webhook url', ?)",
        (now - 600,),
    )
    journal.commit()
    journal.close()
    pick(page, "bot-picker", "xiaolan-sales")
    open_tab(page, "概览")
    expect_text(page, "#overview-health", "需要留意")
    expect_text(page, "#overview-health", "1 条消息最终没能送达")
    assert page.locator("#overview-replies svg polyline").count() == 2  # replies, FAQ answers
    assert page.locator("#overview-leads svg polyline").count() == 2
    expect_text(page, "#overview-errors", "93000 invalid webhook url")
    shoot(page, "14-overview")
