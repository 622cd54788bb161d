"""Honest about the model, and comfort (issue 13), in real Chromium against the real server.

What a marketer sees: a clear notice in 试聊, 对比 and 模型 while the bot runs on the demo
model; a copy of a template shown for review with every place still in the template's
brand; 对比 saying the right side waits when both sides share one model, and writing
both at once on two models; progress while a model is checked after its upload, while a
bot file is imported and turn by turn in a rehearsal; Enter sends in 试聊 and Ctrl+S
(⌘+S) saves in 编辑.
"""

from __future__ import annotations

import os
import shutil
import struct
import time
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

from tests.studio_kit import (  # noqa: E402
    CHROMIUM,
    ROOT,
    chromium,
    open_tab,
    pick,
    running_studio,
)

STAND_IN = "qwen-stand-in.gguf"  # the demo model's weights under another name: "a real model"
CAFE = f"""id: cafe
name: Cafe helper
language: en
persona: You are the friendly assistant of Bean There, a coffee shop.
greeting: Hi! Ask me about our coffee.
model: {{file: {STAND_IN}, temperature: 0, max_tokens: 48, context: 2048}}
"""
DONE = "每秒"  # in the stats line once a reply is finished

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]

# Every text the Markdown elements with these ids show, in order: a change that lasts a moment
# is seen as surely as the last one.
RECORD_JS = """(ids) => {
  window.seen = [];
  const snap = () => window.seen.push(ids.map((id) => {  // the text, not the timers
    const shown = document.querySelector(`#${id} .md`);
    return shown ? shown.innerText.trim() : '';
  }));
  const observer = new MutationObserver(snap);
  for (const id of ids) {
    const element = document.getElementById(id);
    if (element) observer.observe(element, {subtree: true, childList: true,
                                            characterData: true, attributes: true});
  }
  snap();
}"""


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory, gguf_dir: Path):
    """A real server with its own bots and a gguf/ holding the demo model and a stand-in."""
    home = tmp_path_factory.mktemp("honest")
    bots, models = home / "bots", home / "gguf"
    shutil.copytree(ROOT / "bots", bots)
    (bots / "cafe.yaml").write_text(CAFE, encoding="utf-8")
    models.mkdir()
    from runtime.models.catalog import DEFAULT_MODEL_FILE

    for name in (DEFAULT_MODEL_FILE, STAND_IN):
        os.link(gguf_dir / DEFAULT_MODEL_FILE, models / name)
    with running_studio(home, "--gguf", str(models)) as url:
        yield {"url": url, "bots": bots, "gguf": models, "home": home}


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


def expect_text(page, selector: str, text: str, timeout: float = 60_000) -> None:
    playwright_api.expect(page.locator(selector)).to_contain_text(text, timeout=timeout)


def record(page, *ids: str) -> None:
    page.evaluate(RECORD_JS, list(ids))


def seen(page) -> list[list[str]]:
    return page.evaluate("() => window.seen")


def _small_gguf(path: Path, megabytes: int = 4) -> Path:
    """A file whose GGUF header reads (no tensors), padded to a few MB: an upload to check."""

    def text(value: str) -> bytes:
        data = value.encode()
        return struct.pack("<Q", len(data)) + data

    header = b"GGUF" + struct.pack("<IQQ", 3, 0, 2)
    header += text("general.architecture") + struct.pack("<I", 8) + text("llama")
    header += text("general.name") + struct.pack("<I", 8) + text("upload test")
    path.write_bytes(header + bytes(megabytes * 2**20 - len(header)))
    return path


def test_the_demo_model_is_named_where_the_bot_is_tried(page) -> None:
    pick(page, "bot-picker", "xiaolan-sales")
    for tab, box in (
        ("试聊", "#try-demo-notice"),
        ("对比", "#compare-demo-notice"),
        ("模型", "#models-demo-notice"),
    ):
        open_tab(page, tab)
        expect_text(page, box, "内置的演示模型")
        expect_text(page, box, "中文回复多半语无伦次")
        expect_text(page, box, "Qwen2.5")  # what is needed instead
        expect_text(page, box, "🧠 模型")  # and where to get it
    pick(page, "bot-picker", "cafe")  # a bot on another model: no notice
    for tab, box in (("试聊", "#try-demo-notice"), ("模型", "#models-demo-notice")):
        open_tab(page, tab)
        playwright_api.expect(page.locator(box)).to_be_hidden()


def test_a_copy_of_a_template_is_shown_for_review_with_its_brand(page, studio) -> None:
    pick(page, "new-template", "xiaolan-sales")
    page.fill("#new-id textarea", "my-copy")
    page.fill("#new-name textarea", "我的销售助手")
    page.click("#create-bot")
    expect_text(page, "#bots-status", "my-copy")
    review = "#bots-review"
    expect_text(page, review, "使用前请检查")
    expect_text(page, review, "我的销售助手")  # the name
    expect_text(page, review, "开场白")  # the greeting, with the brand it still carries
    expect_text(page, review, "“蓝莺IM”")
    expect_text(page, review, "变体 B 的开场白")  # the variant that still promises the trial
    expect_text(page, review, "我是小蓝 🎁 留下联系方式即可领取 30 天专业版试用")
    expect_text(page, review, "请到 ✏️ 编辑")


def test_compare_writes_both_sides_at_once_on_one_model_and_on_two(
    page,
) -> None:
    pick(page, "bot-picker", "cafe")
    open_tab(page, "对比")
    page.fill("#compare-message textarea", "Describe your three best coffee drinks.")
    ids = ("compare-left-reply", "compare-left-stats", "compare-right-reply", "compare-right-stats")
    record(page, *ids)
    page.click("#compare-run")
    expect_text(page, "#compare-right-stats", DONE, timeout=180_000)  # the first run: stats
    frames = seen(page)
    # one model writes both replies at once (it has room for several): nobody waits
    assert not any("等待左侧完成" in right for _, _, _, right in frames)
    both = [f for f in frames if f[0] and f[2] and DONE not in f[1] and DONE not in f[3]]
    assert both, "one model did not write both sides at the same time"

    from runtime.models.catalog import DEFAULT_MODEL_FILE

    pick(page, "compare-right-model", DEFAULT_MODEL_FILE)  # the demo model: another model
    right_model = page.locator("#compare-right-model input")
    playwright_api.expect(right_model).to_have_value(DEFAULT_MODEL_FILE)
    record(page, *ids)
    page.click("#compare-run")
    finished = f"""() => window.seen.some((f) => f[1].includes('正在思考'))
        && ['compare-left-stats', 'compare-right-stats'].every((id) =>
            document.querySelector(`#${{id}} .md`).innerText.includes('{DONE}'))"""
    page.wait_for_function(finished, timeout=180_000)  # this run, not the last one, ended
    frames = seen(page)
    assert not any("等待左侧完成" in right for _, _, _, right in frames)
    both = [f for f in frames if f[0] and f[2] and DONE not in f[1] and DONE not in f[3]]
    assert both, "the two sides did not write at the same time"


def test_enter_sends_in_try(page) -> None:
    pick(page, "bot-picker", "cafe")
    open_tab(page, "试聊")
    expect_text(page, "#try-chat", "Hi! Ask me about our coffee.")
    page.fill("#try-message textarea", "Do you sell decaf?")
    page.press("#try-message textarea", "Enter")
    expect_text(page, "#try-chat", "Do you sell decaf?")
    expect_text(page, "#try-stats", DONE, timeout=120_000)
    playwright_api.expect(page.locator("#try-message textarea")).to_have_value("")


def test_ctrl_s_and_cmd_s_save_in_edit(page, studio) -> None:
    pick(page, "bot-picker", "cafe")
    open_tab(page, "编辑")
    expect_text(page, "#edit-status", "cafe")
    path = studio["bots"] / "cafe.yaml"
    for keys, greeting in (("Control+s", "Ctrl+S 保存的开场白"), ("Meta+s", "⌘+S 保存的开场白")):
        page.fill("#edit-greeting textarea", greeting)
        page.keyboard.press(keys)
        deadline = time.monotonic() + 30
        while greeting not in path.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, f"{keys} did not save"
            time.sleep(0.2)
        expect_text(page, "#tab-edit", "已保存")


def test_an_upload_says_it_is_being_checked_then_where_to_pick_it(page, studio) -> None:
    upload = _small_gguf(studio["home"] / "upload-check.gguf")
    open_tab(page, "模型")
    record(page, "models-status")
    page.set_input_files("#models-upload input[type=file]", str(upload))
    expect_text(page, "#models-status", "现在可以在 ✏️ 编辑 → 模型 里选中它")
    expect_text(page, "#models-status", "upload-check.gguf（4.0 MB）")
    assert any("正在检查" in status for (status,) in seen(page))
    assert (studio["gguf"] / "upload-check.gguf").is_file()


def test_an_import_says_it_is_being_imported(page, studio) -> None:
    source = studio["home"] / "imported-bot.yaml"
    source.write_text("id: imported-bot\nname: 导入的机器人\nlanguage: zh\n", encoding="utf-8")
    record(page, "bots-status")
    with page.expect_file_chooser() as chooser:
        page.click("#import-bot")
    chooser.value.set_files(str(source))
    expect_text(page, "#bots-status", "已导入 imported-bot")
    assert any("正在导入 imported-bot.yaml" in status for (status,) in seen(page))


def test_a_rehearsal_shows_each_turn_while_a_conversation_goes_on(page, studio) -> None:
    from tests.test_rehearse import SHOP

    (studio["bots"] / "shop.yaml").write_text(SHOP, encoding="utf-8")
    page.reload()
    page.wait_for_selector("#bots-table")
    pick(page, "bot-picker", "shop")
    open_tab(page, "实验")
    page.get_by_text("上线前彩排").click()
    expect_text(page, "#rehearse-customers", "shares: {phone:")  # the sample is in: replace it
    page.click("#rehearse-customers .cm-content")
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(
        "max_turns: 20\ncustomers:\n  - name: Idle\n    who: a visitor\n    wants: nothing\n"
    )
    page.click("#rehearse-start")
    # long before the first of its two conversations ends, its turns are counted
    expect_text(page, "#rehearse-progress", "第 1/2 段对话（Idle × A），第 1/20 轮", 180_000)
    page.click("#rehearse-stop")
    expect_text(page, "#rehearse-progress", "彩排已停止")
