"""📚 知识库 in the studio, as a marketer uses it, in real Chromium against the real server:

- a Word price list and a ".docx" that is plain text are uploaded together: the good one
  is listed with its passages, the bad one's Chinese reason is said, and only the good
  one is in bots/<bot>.knowledge/; its passages can be read;
- the test box finds the passage with the price, says what the FAQ does, and shows the
  answer the bot would give (the bundled model writes it);
- the FAQ is typed and saved into the bot file; a row without an answer is refused,
  naming the row, and the file is left alone; an Excel sheet is imported into the table;
- 热门问题 groups what customers asked that no FAQ answered, and one goes into the FAQ
  table with its answer to write;
- 试聊 says what the last reply used: the FAQ entry, or the document's passage;
- a document is removed after asking, from the folder and the list.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

from runtime.knowledge.passages import DocumentError  # noqa: E402
from runtime.knowledge.readers import read_passages  # noqa: E402
from runtime.spec import BotRepository  # noqa: E402
from runtime.store import Journal  # noqa: E402
from runtime.store.events import EventLog  # noqa: E402
from tests.studio_kit import (  # noqa: E402
    CHROMIUM,
    chromium,
    open_tab,
    pick,
    running_studio,
    settle,
    shoot,
)
from tests.test_studio_chinese import ALWAYS_ALLOWED, VISIBLE_TEXT_JS, offenders  # noqa: E402

BOT = "shop"
SHOP = """id: shop
name: 小蓝
language: zh
persona: 你是蓝海软件的客服小蓝，回答简短。
model: {temperature: 0, max_tokens: 16, context: 2048}
"""
PRICES = "价格表.docx"
BAD = "加密.docx"
expect = playwright_api.expect

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


def price_list() -> bytes:
    """A real Word file, as a marketer's price list: headings over paragraphs."""
    import docx

    document = docx.Document()
    document.add_heading("价格", 1)
    document.add_paragraph("专业版每年 1999 元，含十个账号和专属客服。")
    document.add_paragraph("基础版每年 499 元，含一个账号。")
    document.add_heading("售后服务", 1)
    document.add_paragraph("购买后七天内可以无理由退款，退款在三个工作日内到账。")
    document.add_heading("公司介绍", 1)
    document.add_paragraph("蓝海软件成立于 2015 年，总部在杭州，服务过三千家企业。")
    raw = io.BytesIO()
    document.save(raw)
    return raw.getvalue()


def faq_sheet() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["问题", "答案", "相似问法"])
    sheet.append(["怎么开发票", "在订单页点“申请发票”，填写抬头即可。", "能开发票吗|发票怎么开"])
    sheet.append(["支持哪些付款方式", "支持微信支付、支付宝和对公转账。", None])
    raw = io.BytesIO()
    book.save(raw)
    return raw.getvalue()


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory, gguf_dir: Path):
    home = tmp_path_factory.mktemp("studio-knowledge")
    (home / "bots").mkdir()
    (home / "bots" / f"{BOT}.yaml").write_text(SHOP, encoding="utf-8")
    files = home / "uploads"
    files.mkdir()
    (files / PRICES).write_bytes(price_list())
    (files / BAD).write_bytes("这其实是一个纯文字文件，只是扩展名写成了 docx。".encode())
    (files / "常见问题.xlsx").write_bytes(faq_sheet())
    with running_studio(home, "--gguf", str(gguf_dir)) as url:
        yield {"url": url, "home": home, "files": files}


@pytest.fixture(scope="module")
def page(studio):
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1360, "height": 1000}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(studio["url"] + "/")
        page.wait_for_selector("#bots-table")
        open_tab(page, "知识库")
        settle(page)
        yield page
        context.close()


def expect_text(page, selector: str, text: str, timeout: float = 30_000) -> None:
    try:
        expect(page.locator(selector)).to_contain_text(text, timeout=timeout)
    except AssertionError:
        shoot(page, "knowledge-failed-" + selector.strip("#"))
        shown = page.locator(selector).all_inner_texts()
        raise AssertionError(f"{selector} lacks {text!r}; it shows {shown}") from None


# The table as shown: its column names and each row's cells, as their text.
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
    deadline = time.monotonic() + 30
    while True:
        shown = table(page, elem_id)
        if check(shown):
            return shown
        if time.monotonic() > deadline:
            shoot(page, f"knowledge-failed-{elem_id}")
            raise AssertionError(f"#{elem_id} shows {shown}")
        page.wait_for_timeout(200)


def folder(studio) -> list[str]:
    where = studio["home"] / "bots" / f"{BOT}.knowledge"
    return (
        sorted(p.name for p in where.iterdir() if not p.name.startswith("."))
        if where.is_dir()
        else []
    )


def bot_file(studio) -> Path:
    return studio["home"] / "bots" / f"{BOT}.yaml"


def saved_faq(studio):
    repo = BotRepository(studio["home"] / "bots", None, "zh")  # type: ignore[arg-type]
    return repo.load_path(bot_file(studio)).faq


def type_cell(page, row: int, col: int, text: str) -> None:
    """Type into a cell of the FAQ table as a person does: open it, type over, Enter."""
    settle(page, quiet_ms=500)  # a save's re-read of the table is done
    cell = page.locator(f"#kb-faq [data-row='{row}'][data-col='{col}']")
    editing = page.locator("#kb-faq textarea[aria-label='Edit cell']")
    for _ in range(3):  # a double click as the table redraws is lost: again, as a person would
        cell.dblclick()
        try:
            expect(editing).to_be_focused(timeout=3000)
            break
        except AssertionError:
            continue
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    expect(cell).to_contain_text(text)


NAMES = {*ALWAYS_ALLOWED, BOT}


def all_chinese(page) -> None:
    """Every line of the tab is Chinese, or a name, number or unit (the model's answer
    and the FAQ the test typed are left out: they are not the studio's words)."""
    texts = [
        (text, where)
        for text, where in page.evaluate(VISIBLE_TEXT_JS)
        if where not in ("#kb-answer", "#kb-faq") and not where.startswith("#kb-hot")
    ]
    found = offenders(texts, NAMES)
    assert not found, "English on the Chinese studio:\n" + "\n".join(map(repr, found))


def test_documents_are_uploaded_together_and_a_bad_one_is_refused(page, studio) -> None:
    expect_text(page, "#kb-upload-limits", "20 MB")
    expect_text(page, "#kb-upload-limits", ".docx")
    files = studio["files"]
    page.locator("#kb-upload input[type=file]").set_input_files([files / BAD, files / PRICES])
    expected = len(read_passages(PRICES, (files / PRICES).read_bytes(), "zh"))
    with pytest.raises(DocumentError) as refused:
        read_passages(BAD, (files / BAD).read_bytes(), "zh")
    expect_text(page, "#kb-upload-status", f"✔ {PRICES}：{expected} 段", timeout=60_000)
    expect_text(page, "#kb-upload-status", f"⚠️ {BAD}：{refused.value.text('zh')}")
    assert "纯文字" in refused.value.text("zh")  # said in Chinese, what the file really is
    shown = shown_as(page, "kb-docs", lambda s: len(s["rows"]) >= 1)
    assert shown["headers"] == ["文件", "段落数", "添加时间", "大小", "状态"]
    assert [row[0] for row in shown["rows"]] == [PRICES]
    _, count, added, size, state = shown["rows"][0]
    assert count == str(expected) == "3"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", added)
    assert re.fullmatch(r"\d+\.\d KB", size)
    assert state == "✔ 可以用"
    assert folder(studio) == [PRICES]


def test_a_documents_passages_are_read_by_picking_it(page) -> None:
    pick(page, "kb-doc-pick", PRICES)
    expect_text(page, "#kb-passages", "专业版每年 1999 元")
    items = page.locator("#kb-passages li").all_inner_texts()
    assert len(items) == 3
    assert items[0].startswith("价格") and "售后服务" in items[1] and "公司介绍" in items[2]
    assert page.locator("#kb-passages ol").count() == 1  # numbered


def test_the_test_box_finds_the_price_and_shows_the_bots_answer(page) -> None:
    page.fill("#kb-question textarea", "专业版多少钱")
    page.click("#kb-find")
    expect_text(page, "#kb-found", "1999")
    first = page.locator("#kb-found .kb-hit").first.inner_text()
    assert first.startswith(f"1. {PRICES} · 价格")
    assert re.search(r"相关度 \d+\.\d\d", first)
    assert "回答时会参考" in first
    expect_text(page, "#kb-faq-decision", "还没有常见问题")
    page.click("#kb-preview")
    expect_text(page, "#kb-answer", "机器人会这样回答", timeout=180_000)
    expect_text(page, "#kb-answer", "模型参考找到的段落回答")
    said = page.locator("#kb-answer p").nth(1).inner_text().strip()
    assert said  # the bundled model wrote something (what, it does not matter)
    shoot(page, "17-knowledge")
    all_chinese(page)


def test_the_faq_is_saved_and_a_row_without_an_answer_is_refused(page, studio) -> None:
    expect(page.locator("#kb-answer-above input")).to_have_value("0.72")
    type_cell(page, 0, 0, "退货要多久")
    type_cell(page, 0, 1, "收到货 7 天内可以无理由退货。")
    type_cell(page, 0, 2, "怎么退货|能退吗")
    page.click("#kb-faq-save")
    expect_text(page, "#kb-faq-status", "已保存 1 条常见问题")
    faq = saved_faq(studio)
    assert [(e.question, e.answer, e.similar) for e in faq.entries] == [
        ("退货要多久", "收到货 7 天内可以无理由退货。", ["怎么退货", "能退吗"])
    ]
    assert "退货要多久" in bot_file(studio).read_text(encoding="utf-8")

    # the test box answers it from the FAQ now, without the model
    page.fill("#kb-question textarea", "退货要多久？")
    page.click("#kb-find")
    expect_text(page, "#kb-faq-decision", "直接回答：常见问题“退货要多久”")
    page.click("#kb-preview")
    expect_text(page, "#kb-answer", "收到货 7 天内可以无理由退货。")
    expect_text(page, "#kb-answer", "不经过模型")

    # a second question without its answer: refused, naming the row; the file as it was
    before = bot_file(studio).read_bytes()
    page.click("#kb-faq-add-row")
    shown_as(page, "kb-faq", lambda s: len(s["rows"]) == 2)
    type_cell(page, 1, 0, "有没有试用")
    page.click("#kb-faq-save")
    expect_text(page, "#kb-faq-status", "没有保存：第 2 行“有没有试用”还没有答案")
    assert bot_file(studio).read_bytes() == before

    # the same question twice: refused, naming both rows
    type_cell(page, 1, 0, "退货要多久")
    type_cell(page, 1, 1, "七天。")
    page.click("#kb-faq-save")
    expect_text(page, "#kb-faq-status", "第 2 行的问题“退货要多久”和第 1 行重复")
    assert bot_file(studio).read_bytes() == before

    type_cell(page, 1, 0, "有没有试用")
    type_cell(page, 1, 1, "可以免费试用 14 天。")
    page.click("#kb-faq-save")
    expect_text(page, "#kb-faq-status", "已保存 2 条常见问题")
    assert [e.question for e in saved_faq(studio).entries] == ["退货要多久", "有没有试用"]


def test_an_excel_faq_is_imported_into_the_table(page, studio) -> None:
    before = bot_file(studio).read_bytes()
    with page.expect_file_chooser() as chooser:  # the button, as a person clicks it
        page.click("#kb-faq-import")
    chooser.value.set_files(studio["files"] / "常见问题.xlsx")
    expect_text(page, "#kb-faq-status", "从“常见问题.xlsx”导入了 2 条")
    shown = shown_as(page, "kb-faq", lambda s: len(s["rows"]) == 4)
    questions = [row[0] for row in shown["rows"]]
    assert questions == ["退货要多久", "有没有试用", "怎么开发票", "支持哪些付款方式"]
    invoice = shown["rows"][2]
    assert invoice[1] == "在订单页点“申请发票”，填写抬头即可。"
    assert invoice[2] == "能开发票吗 | 发票怎么开"
    assert bot_file(studio).read_bytes() == before  # into the table only, until saved


def test_hot_questions_are_grouped_and_one_goes_into_the_faq(page, studio) -> None:
    events = EventLog(Journal(studio["home"] / "data" / "botstudio.sqlite3"))
    asked = ["你们周末上班吗"] * 3 + ["周末上班吗", "能开发票吗"]
    for n, text in enumerate(asked):
        events.record(BOT, "unanswered", f"wecom:u{n}", {"text": text})
    page.click("#kb-hot-refresh")
    shown = shown_as(page, "kb-hot", lambda s: len(s["rows"]) >= 1)
    assert shown["headers"] == ["问题", "次数", "其他问法"]
    rows = {row[0]: row for row in shown["rows"]}
    assert rows["你们周末上班吗"] == ["你们周末上班吗", "4", "周末上班吗"]
    assert rows["能开发票吗"][1] == "1"
    assert len(rows) == 2
    assert shown["rows"][0][0] == "你们周末上班吗"  # the most asked first

    # the table as saved, then the hot question added to it with its answer to write
    before = bot_file(studio).read_bytes()
    pick(page, "kb-hot-pick", "你们周末上班吗")
    page.click("#kb-hot-add")
    expect_text(page, "#kb-faq-status", "已把“你们周末上班吗”加到常见问题第 5 行：请填上答案")
    shown = shown_as(page, "kb-faq", lambda s: len(s["rows"]) == 5)
    assert shown["rows"][4] == ["你们周末上班吗", "", "周末上班吗"]
    page.click("#kb-faq-save")  # not with the answer still to write
    expect_text(page, "#kb-faq-status", "没有保存：第 5 行“你们周末上班吗”还没有答案")
    assert bot_file(studio).read_bytes() == before

    type_cell(page, 4, 1, "周末也有客服在线，早九点到晚六点。")
    page.click("#kb-faq-save")
    expect_text(page, "#kb-faq-status", "已保存 5 条常见问题")
    weekend = saved_faq(studio).entries[4]
    assert (weekend.question, weekend.similar) == ("你们周末上班吗", ["周末上班吗"])
    # answered by the FAQ from now on: no longer a hot question
    shown_as(page, "kb-hot", lambda s: "你们周末上班吗" not in [r[0] for r in s["rows"]])


def test_try_chat_says_what_the_reply_used(page, studio) -> None:
    page.click("#kb-faq-add-row")  # an edit not saved yet, kept while away in 试聊
    shown_as(page, "kb-faq", lambda s: len(s["rows"]) == 6)
    type_cell(page, 5, 0, "还没写完的问题")
    open_tab(page, "试聊")
    settle(page)
    page.fill("#try-message textarea", "退货要多久")
    page.click("#try-send")
    expect_text(page, "#try-sources", "常见问题直接回答：退货要多久")
    page.fill("#try-message textarea", "专业版多少钱")
    page.click("#try-send")
    expect_text(page, "#try-sources", f"参考了文档：· {PRICES} · 价格（相关度", timeout=180_000)
    assert "常见问题" not in page.locator("#try-sources").inner_text()
    open_tab(page, "知识库")
    settle(page)
    rows = table(page, "kb-faq")["rows"]
    assert len(rows) == 6 and rows[5][0] == "还没写完的问题"


def test_a_document_is_removed_after_asking(page, studio) -> None:
    pick(page, "kb-doc-pick", PRICES)
    page.click("#kb-doc-remove")
    expect_text(page, "#kb-doc-status", f"确定要删除“{PRICES}”吗")
    assert folder(studio) == [PRICES]  # asked first: nothing removed yet
    page.click("#kb-doc-confirm")
    expect_text(page, "#kb-doc-status", f"已删除“{PRICES}”")
    assert folder(studio) == []
    shown_as(page, "kb-docs", lambda s: not any(PRICES in "".join(r) for r in s["rows"]))
    expect(page.locator("#kb-doc-confirm")).to_be_hidden()
    expect(page.locator("#kb-passages")).not_to_contain_text("1999")
