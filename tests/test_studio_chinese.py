"""The studio in Chinese, read the way a marketer reads it: in real Chromium (Debian's),
every tab opened, its folded sections unfolded and its lists dropped down, over the
shipped bots with leads, an experiment, a failed push and a failed schedule in the
journal. Every string on the screen must be Chinese, or a name, a number, a unit or a
value someone typed (the short allow-list below says which and why).

The server runs with English as its own language (BOTSTUDIO_LANG=en, a server with an
English locale), and the browser asks for English too: the studio's language is the one
chosen in 设置, so neither may leak into the Chinese studio.

Then what the user does: a bad id on create, a broken file on import, "run now" on a
schedule with nowhere to go, a temperature of 5, an empty message; each answer in Chinese,
nothing clamped, nothing generated from nothing; an empty experiment says 还没有数据.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
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
    shoot,
)

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]

CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
# What may stand without a Chinese character, and why:
URL = re.compile(r"https?://\S+|\b[\w-]+(\.[\w-]+)*\.(com|cn|net|org|io|ai)\b")  # addresses
MASKED = re.compile(r"^\S{1,8}…\S{1,8}$")  # a credential the user pasted, shown masked
NUMBERS_AND_UNITS = re.compile(  # figures, dates, times, sizes: 94 MiB, 135M, 0.7, 17.5%, 1 s
    r"[-+]?\d[\d.,:/\-]*\s*(MiB|GiB|KiB|MB|GB|KB|ms|s|M|B|K|%)?(?![A-Za-z])"
)
MODEL_FAMILY = re.compile(  # model names as their makers spell them (Qwen2.5-1.5B-Instruct…)
    r"(?i)^[\s\w./-]*(qwen|smollm|llama|deepseek|glm|gemma|mistral|phi|minicpm|internlm|yi-)"
    r"[\s\w./-]*$"
)
ALWAYS_ALLOWED = {
    "BotStudio",  # the product's name
    "vLLM",  # other software a model may be served by, by its own name
    "Ollama",
    "llama-server",
    "English",  # the language choice in 设置 names English in English, as every app does
    "my-bot",  # the example ids shown as placeholders in 🤖 机器人
    "my-bot-2",
}
# Gradio's own hover titles and screen-reader labels (Copy table data, Fullscreen...) are
# not in Gradio's Chinese locale; they are not visible text and are not checked here.


def _names(bots: Path) -> set[str]:
    """The names the bots themselves define: ids, variants, field keys, options, schedule
    ids, model files; and what is inside the model files (architecture, quantization)."""
    from runtime.models.catalog import ModelCatalog
    from runtime.models.gguf_info import read_gguf_info
    from runtime.spec import BotRepository

    catalog = ModelCatalog(ROOT / "gguf")
    names = set(ALWAYS_ALLOWED)
    repo = BotRepository(bots, catalog, "zh")
    for path in repo.paths():
        spec = repo.load_path(path)
        names |= {spec.id, spec.model.file, *spec.variant_ids()}
        names |= {s.id for s in spec.schedules}
        for fld in spec.lead_capture.fields:
            names |= {fld.key, *(fld.options or [])}
    for path in catalog.files():
        names |= {cell for cell in read_gguf_info(path).row() if cell}
    return names


BESIDE = re.compile(r"（[^（）]*）|\([^()]*\)|“[^“”]*”")  # a key or an original beside words
ENGLISH_PHRASE = re.compile(r"[A-Za-z]+(?:[\s,;:.'-]+[A-Za-z]+){2,}")  # three words or more


def offenders(texts: list[tuple[str, str]], names: set[str]) -> list[tuple[str, str]]:
    """(line, where) of each line with no Chinese that is not made of names, numbers, units
    and addresses; and of each Chinese line with an English phrase in it that is not a key
    or an original shown beside the words (in brackets or quotes)."""
    found = []
    for text, where in texts:
        for line in filter(None, (part.strip() for part in text.splitlines())):
            if MODEL_FAMILY.match(line) or MASKED.match(line):
                continue
            rest = URL.sub(" ", line)
            for name in sorted(names, key=len, reverse=True):
                rest = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", rest)
            rest = NUMBERS_AND_UNITS.sub(" ", rest)
            if CJK.search(line):
                if ENGLISH_PHRASE.search(BESIDE.sub(" ", rest)):
                    found.append((line, where))
            elif re.search(r"[A-Za-z]", rest):
                found.append((line, where))
    return found


# Every string a person can see: text nodes of shown elements (SVG chart labels too), the
# words shown in dropdowns, placeholders. Not what people typed into text boxes (their
# data), not the code editors (the exact prompt sent to the model and the rehearsal's
# YAML file: file contents, not the studio's words).
VISIBLE_TEXT_JS = r"""
() => {
  const shown = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden' || s.visibility === 'collapse'
          || parseFloat(s.opacity) === 0) return false;
    }
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1;
  };
  const where = (el) => { const e = el.closest('[id]'); return e ? '#' + e.id : el.tagName; };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.nodeValue.trim();
    const el = n.parentElement;
    if (!text || !el || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(el.tagName)) continue;
    if (el.closest('.cm-editor') || !shown(el)) continue;
    out.push([text, where(el)]);
  }
  for (const el of document.querySelectorAll('input, textarea')) {
    if (!shown(el)) continue;
    if (el.getAttribute('role') === 'combobox' && el.value) out.push([el.value, where(el)]);
    if (el.placeholder) out.push([el.placeholder, where(el) + ' placeholder']);
  }
  return out;
}
"""


def _seed(data: Path, bots: Path) -> None:
    """What a bot that has been running a while has: leads (one from a studio test chat),
    an A/B experiment, a conversation, a failed push and a broken webhook."""
    from runtime.leads.store import Lead, LeadStore
    from runtime.store import Conversations, Journal
    from runtime.store.conversations import Turn
    from runtime.store.settings import Settings
    from runtime.wecom.bindings import Bindings

    journal = Journal(data / "botstudio.sqlite3")
    now = time.time()
    leads = LeadStore(journal)
    phone = {"value": "13812345678", "at": now - 3600, "message": "138 1234 5678"}
    company = {"value": "蓝莺科技", "at": now - 3500, "message": "蓝莺科技"}
    leads.save(
        Lead(
            "xiaolan-sales",
            "studio:tester",
            "studio:tester",
            "A",
            {"phone": phone, "company": company},
            converted=True,
            converted_at=now - 3400,
        )
    )
    leads.save(
        Lead(
            "xiaolan-sales",
            "李雷",
            "李雷",
            "B",
            {"product": {"value": "智能客服", "at": now - 600}},
        )
    )
    Conversations(journal).append(
        "xiaolan-sales",
        "李雷",
        [
            Turn("user", "你好，想了解一下智能客服"),
            Turn("assistant", "好的！智能客服可以接入企业微信。方便留个电话吗？"),
        ],
        variant="B",
    )
    with journal.transaction() as db:
        for variant, people, converted in (("A", 30, 3), ("B", 30, 6)):
            for i in range(people):
                user = f"客户{variant}{i}"
                db.execute(
                    "INSERT INTO assignments VALUES ('xiaolan-sales', '1', ?, ?, ?)",
                    (user, variant, now - 86400),
                )
                if i < converted:
                    db.execute(
                        "INSERT INTO leads (bot_id, user, conversation, variant, converted,"
                        " converted_at, created_at, updated_at) VALUES"
                        " ('xiaolan-sales', ?, ?, ?, 1, ?, ?, ?)",
                        (user, user, variant, now - 86400 * (i % 3), now - 90000, now),
                    )
        db.execute(
            "INSERT INTO outbox (bot_id, channel, target, body, state, next_attempt_at,"
            " last_error, created_at) VALUES ('xiaolan-sales', 'webhook', 'k', '{}', 'failed',"
            " 0, 'errcode 93000: invalid webhook url', ?)",
            (now - 600,),
        )
        db.execute(
            "INSERT INTO events (bot_id, kind, user, payload, created_at)"
            " VALUES ('xiaolan-sales', 'message', '客户A1', '{\"latency_ms\": 900}', ?)",
            (now - 300,),
        )
    journal.close()
    bindings = Bindings(Settings(data / "settings.json"), journal)
    bindings.bind("xiaolan-sales", "webhook", {"key": "0b8f3e2a-1c4d-4e5f-9a6b-7c8d9e0f1a2b"})
    bindings.failed("xiaolan-sales", "webhook", "errcode 93000: invalid webhook url", broken=True)
    # a bot whose A/B experiment nobody has entered yet
    text = (bots / "xiaolan-sales.yaml").read_text(encoding="utf-8")
    (bots / "xiaolan-new.yaml").write_text(
        text.replace("id: xiaolan-sales", "id: xiaolan-new"), encoding="utf-8"
    )


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory):
    """A real server whose own language is English, over a copy of the shipped bots."""
    home = tmp_path_factory.mktemp("studio-zh")
    bots = home / "bots"
    shutil.copytree(ROOT / "bots", bots)
    _seed(home / "data", bots)
    env = {"BOTSTUDIO_WECOM_API": "http://127.0.0.1:9"}  # nothing is sent
    with running_studio(home, env=env) as url:
        yield {"url": url, "bots": bots, "data": home / "data", "log": home / "server.log"}


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser, studio):
    # An English browser: the studio's words follow the language chosen in the studio.
    context = browser.new_context(viewport={"width": 1360, "height": 1000}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(60_000)  # shared CI machines are slow; Chromium with them
    page.goto(studio["url"] + "/studio/zh/")
    page.wait_for_selector("#bots-table")
    yield page
    context.close()


def expect_text(page, selector: str, text: str, timeout: float = 30_000) -> None:
    try:
        playwright_api.expect(page.locator(selector)).to_contain_text(text, timeout=timeout)
    except AssertionError:
        shoot(page, "zh-failed-" + selector.strip("#").replace(" ", "_"))
        shown = page.locator(selector).all_inner_texts()
        raise AssertionError(f"{selector} lacks {text!r}; it shows {shown}") from None


def unfold(page) -> None:
    """Open every folded section (gr.Accordion) of the tab being shown."""
    for _ in range(20):
        folded = page.locator("button.label-wrap:not(.open):visible")
        if folded.count() == 0:
            return
        folded.first.click()
        page.wait_for_timeout(150)


def read_screen(page, tab: str) -> list[tuple[str, str]]:
    """The strings shown on this tab, and those in each of its dropdowns when opened."""
    texts = [(text, f"{tab} {where}") for text, where in page.evaluate(VISIBLE_TEXT_JS)]
    boxes = page.locator("input[role=combobox]:visible")
    for index in range(boxes.count()):
        box = boxes.nth(index)
        try:
            box.click(timeout=3000)
            page.wait_for_timeout(150)
            for option in page.locator("[role=option]:visible").all_inner_texts():
                texts.append((option.strip(), f"{tab} dropdown option"))
            page.keyboard.press("Escape")
        except playwright_api.Error:
            continue  # disabled or covered: what it shows was read above
    return texts


def walk(page, tab_labels: list[str], shot_prefix: str) -> list[tuple[str, str]]:
    texts = []
    for label in tab_labels:
        open_tab(page, label)
        page.wait_for_timeout(1500)  # the tab fills itself
        unfold(page)
        page.wait_for_timeout(800)
        texts += read_screen(page, label)
        shoot(page, f"{shot_prefix}-{label.split()[-1]}")
    return texts


def _tabs(page) -> list[str]:
    return [t.strip() for t in page.get_by_role("tab").all_inner_texts()]


def test_every_tab_speaks_chinese(page, studio) -> None:
    """Every tab of the Chinese studio over the shipped bots' data, plus the answers to a
    bad id, a broken import and a schedule run with nowhere to send: nothing in English."""
    names = _names(studio["bots"])
    pick(page, "bot-picker", "xiaolan-sales")
    page.wait_for_timeout(1500)
    texts = walk(page, _tabs(page), "zh-walk")

    # What the user triggers: answers come from the studio's language, not the server's
    # (each waited for by what it shows in any language, then read like the rest).
    open_tab(page, "🤖 机器人")
    page.fill("#new-id textarea, #new-id input", "Bad_ID")
    page.click("#create-bot")
    expect_text(page, "#bots-status", "Bad_ID")
    texts += [(t, "bots create error") for t in page.locator("#bots-status").all_inner_texts()]
    broken = studio["data"].parent / "broken.yaml"
    broken.write_text("id: broken\nname: 坏掉的\nmodel: {temperature: 5}\n", encoding="utf-8")
    upload = page.locator("#import-bot").locator("xpath=preceding-sibling::input[@type='file']")
    upload.set_input_files(str(broken))
    expect_text(page, "#bots-status", "broken.yaml:3", timeout=90_000)  # an upload, busy machine
    texts += [(t, "bots import error") for t in page.locator("#bots-status").all_inner_texts()]

    pick(page, "bot-picker", "ops-helper")
    open_tab(page, "⏰ 定时")
    expect_text(page, "#sched-table", "weekly-report-reminder")
    # "run now" runs the one picked; through 新建 first, so that picking it is a change even
    # when the list already shows it (the walk above left this tab's form on another bot)
    pick(page, "sched-pick", "新建定时任务")
    pick(page, "sched-pick", "weekly-report-reminder")
    schedule_id = page.locator("#sched-id textarea, #sched-id input")
    playwright_api.expect(schedule_id).to_have_value("weekly-report-reminder")
    page.click("#sched-run")  # no webhook bound: it fails, and must say why in Chinese
    expect_text(page, "#sched-status", "⚠️")
    expect_text(page, "#sched-history", "❌")
    texts += [(t, "run now") for t in page.locator("#sched-status").all_inner_texts()]
    texts += walk(page, ["⏰ 定时", "📊 概览"], "zh-ops")

    found = offenders(texts, names)
    assert not found, "English on the Chinese studio:\n" + "\n".join(
        f"  {text!r}  ({where})" for text, where in dict(found).items()
    )


def test_an_empty_experiment_says_no_data_yet(page, studio) -> None:
    pick(page, "bot-picker", "xiaolan-new")
    open_tab(page, "🧪 实验")
    expect_text(page, "#exp-table", "还没有数据")
    table = page.locator("#exp-table").inner_text()
    assert "+0.0%" not in table and "100%" not in table, table
    expect_text(page, "#exp-chart", "还没有数据")  # in the chart too, instead of a 0% bar
    assert page.locator("#exp-chart svg rect").count() == 0
    shoot(page, "zh-experiment-empty")


def test_out_of_range_numbers_are_refused_under_their_section_not_clamped(page, studio) -> None:
    path = studio["bots"] / "ad-copywriter.yaml"
    before = path.read_bytes()
    pick(page, "bot-picker", "ad-copywriter")
    open_tab(page, "✏️ 编辑")
    expect_text(page, "#edit-status", "ad-copywriter")
    unfold(page)
    expect_text(page, "#edit-temperature", "0 到 2")  # the range, shown before typing
    page.fill("#edit-temperature input", "5")
    page.fill("#edit-context input", "100")
    page.fill("#edit-history-turns input", "500")
    page.click("#edit-save")
    expect_text(page, "#edit-status", "未保存")
    expect_text(
        page, "#error-model", "创造性（温度）（model.temperature）” 应在 0 到 2 之间，现在是 5"
    )
    expect_text(page, "#error-model", "上下文长度（model.context）” 应在 512 到 131072 之间")
    expect_text(page, "#error-safety", "记住最近几轮对话（safety.history_turns）” 应在 0 到 200")
    assert page.input_value("#edit-temperature input") == "5"  # what was typed, not clamped
    assert path.read_bytes() == before  # nothing invalid written
    shoot(page, "zh-edit-out-of-range")


def test_an_empty_message_is_refused_in_try_and_nothing_is_generated(page, studio) -> None:
    pick(page, "bot-picker", "xiaolan-sales")
    open_tab(page, "💬 试聊")
    expect_text(page, "#try-chat", "蓝莺IM")  # the greeting
    bubbles = page.locator("#try-chat .message-row").count()
    journal = sqlite3.connect(studio["data"] / "botstudio.sqlite3")
    count = "SELECT COUNT(*) FROM messages WHERE bot_id = 'xiaolan-sales'"
    stored = journal.execute(count).fetchone()[0]
    page.fill("#try-message textarea", "   ")
    page.click("#try-send")
    expect_text(page, "#try-stats", "消息是空的")
    page.wait_for_timeout(1500)
    assert page.locator("#try-chat .message-row").count() == bubbles
    assert journal.execute(count).fetchone()[0] == stored  # no reply made up from nothing
    journal.close()
