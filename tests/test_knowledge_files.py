"""Marketers' documents read into passages: real Word, Excel, CSV (GBK), PDF (printed by
Chromium, with a Chinese text layer), web pages and text files made here, and the bad
files a console meets (encrypted or scanned PDFs, zip bombs, renamed files, files too
big, unsupported types), each refused with a Chinese message naming the file."""

from __future__ import annotations

import csv
import io
import itertools
import re
import time
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.enum.style import WD_STYLE_TYPE
from pypdf import PdfReader, PdfWriter

from runtime.knowledge.chunking import HARD_MAX, Paragraph, Row, chunk, sentences
from runtime.knowledge.passages import DocumentError, Passage
from runtime.knowledge.readers import MAX_BYTES, SUPPORTED, read_passages

ENDS = tuple("。！？；!?;")
POLICY = (
    "本店支持七天无理由退货，商品需保持完好，不影响二次销售。"
    "退货运费由买家承担，如果是质量问题，运费由我们承担。"
    "退款会在收到退货后的三个工作日内原路退回。"
    "定制类商品、已拆封的食品和贴身衣物不支持无理由退货。"
    "如有疑问，请联系在线客服，我们每天九点到二十一点在线！"
)


def refused(name: str, raw: bytes, lang: str = "zh", **kwargs: int) -> str:
    with pytest.raises(DocumentError) as caught:
        read_passages(name, raw, lang, **kwargs)
    message = str(caught.value)
    assert name in message  # a user with twenty files must know which one
    return message


def docx_bytes(document: docx.document.Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- Word ----------------------------------------------------------------------------


def price_list() -> bytes:
    document = docx.Document()
    document.add_heading("2025 价目表", level=0)  # the Title style
    document.add_paragraph("以下价格含税，长期有效。")
    document.add_heading("套餐价格", level=1)
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ["套餐", "价格", "说明"], strict=True):
        cell.text = text
    for row in [("基础版", "199", "适合个人"), ("专业版", "599", "适合小团队"), ("", "", "")]:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    document.styles.add_style("标题 2", WD_STYLE_TYPE.PARAGRAPH)  # as Chinese Word names it
    document.add_paragraph("退货政策", style="标题 2")
    document.add_paragraph(POLICY)
    return docx_bytes(document)


def test_a_word_price_list_keeps_headings_and_table_rows_with_their_header() -> None:
    passages = read_passages("价目表.docx", price_list(), "zh")
    assert all(p.source == "价目表.docx" for p in passages)
    assert [p.heading for p in passages] == ["2025 价目表", "套餐价格", "套餐价格", "退货政策"]
    assert passages[0].text == "以下价格含税，长期有效。"
    assert passages[1].text == "套餐：基础版；价格：199；说明：适合个人"
    assert "价格：599" in passages[2].text  # the empty row left out
    assert passages[3].text == POLICY


def test_a_word_file_with_no_text_is_empty() -> None:
    message = refused("空白.docx", docx_bytes(docx.Document()))
    assert "没有找到文字" in message


# --- Excel and CSV -------------------------------------------------------------------


def test_an_excel_workbook_gives_a_passage_per_row_headed_by_its_sheet() -> None:
    book = openpyxl.Workbook()
    prices = book.active
    prices.title = "价格"
    prices.append(["2025 年套餐价格"])  # a title row above the header, as people make them
    prices.append(["套餐", "价格", "折扣"])
    prices.append(["基础版", 199.0, 0.15])
    prices["C3"].number_format = "0%"
    prices.append([])  # an empty row
    prices.append(["专业版", 599, None])
    faq = book.create_sheet("常见问题")
    faq.append(["问题", "答案"])
    faq.append(["能开发票吗", "可以，下单后在订单页申请电子发票。"])
    passages = read_passages("资料.xlsx", xlsx_bytes(book), "zh")
    assert [(p.heading, p.text) for p in passages] == [
        ("价格", "2025 年套餐价格"),
        ("价格", "套餐：基础版；价格：199；折扣：15%"),
        ("价格", "套餐：专业版；价格：599"),
        ("常见问题", "问题：能开发票吗；答案：可以，下单后在订单页申请电子发票。"),
    ]
    assert {p.source for p in passages} == {"资料.xlsx"}


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_a_csv_in_gbk_or_utf8_reads_the_same(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "价格表.csv"
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerows([["商品", "价格", "备注"], ["洗面奶", "199", "买二送一，限时"], []])
        writer.writerow(["面霜", "299", ""])
    raw = path.read_bytes()
    if encoding == "gbk":
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")  # really GBK, as Excel on Chinese Windows saves it
    passages = read_passages(path.name, raw, "zh")
    assert [p.text for p in passages] == [
        "商品：洗面奶；价格：199；备注：买二送一，限时",
        "商品：面霜；价格：299",
    ]
    assert {p.heading for p in passages} == {"价格表"}


def test_a_text_file_in_neither_utf8_nor_gbk_is_refused_by_name() -> None:
    message = refused("说明.txt", b"\x80\x80\xff\xfe\x81" * 10)
    assert "编码" in message and "UTF-8" in message


# --- PDF -----------------------------------------------------------------------------

PDF_PAGE = f"""<html><head><meta charset="utf-8"><style>body{{font-size:14px}}</style></head>
<body><h1>一、退货政策</h1><p>{POLICY * 6}</p><h2>售后服务</h2>
<p>客服电话：400-800-1234。保修期为一年。</p></body></html>"""
PICTURE_PAGE = """<html><body><svg width="300" height="200" xmlns="http://www.w3.org/2000/svg">
<rect width="300" height="200" fill="#cde"/><circle cx="150" cy="100" r="60" fill="#48c"/>
</svg></body></html>"""


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("pdfs")
    made: dict[str, bytes] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        for name, html in [("text", PDF_PAGE), ("picture", PICTURE_PAGE)]:
            page.set_content(html)
            page.pdf(path=folder / f"{name}.pdf")
            made[name] = (folder / f"{name}.pdf").read_bytes()
        browser.close()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(made["text"])))
    writer.encrypt(user_password="secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    made["encrypted"] = out.getvalue()
    return made


def test_a_pdf_text_layer_is_read_in_chinese_with_its_headings(pdfs: dict[str, bytes]) -> None:
    passages = read_passages("售后说明.pdf", pdfs["text"], "zh")
    assert {p.source for p in passages} == {"售后说明.pdf"}
    policy = [p for p in passages if p.heading == "一、退货政策"]
    assert len(policy) >= 2  # six times the policy does not fit one passage
    assert all(len(p.text) <= HARD_MAX for p in passages)
    text = "".join(p.text for p in policy)
    # the font's look-alike radicals (⽆ for 无) are read as the characters they show
    assert "七天无理由退货" in text and "\u2f46" not in text
    assert all(p.text.endswith(ENDS) for p in policy)  # lines joined back, cut at 。
    service = [p for p in passages if p.heading == "售后服务"]
    assert [p.text for p in service] == ["客服电话：400-800-1234。保修期为一年。"]


def test_an_encrypted_pdf_is_refused_saying_it_is_encrypted(pdfs: dict[str, bytes]) -> None:
    assert PdfReader(io.BytesIO(pdfs["encrypted"])).is_encrypted
    message = refused("报价单.pdf", pdfs["encrypted"])
    assert "加密" in message and "密码" in message


def test_a_pdf_of_pictures_only_asks_for_a_version_with_text(pdfs: dict[str, bytes]) -> None:
    message = refused("扫描件.pdf", pdfs["picture"])
    assert "只有图片没有文字" in message and "Word" in message


def test_the_english_message_is_english(pdfs: dict[str, bytes]) -> None:
    message = refused("scan.pdf", pdfs["picture"], "en")
    assert "no text" in message and not re.search(r"[\u4e00-\u9fff]", message)


# --- web pages, Markdown and text ----------------------------------------------------


def test_a_web_page_keeps_headings_and_tables_and_drops_scripts() -> None:
    page = """<html><head><title>页面标题</title><style>p{color:red}</style></head><body>
    <script>var secret = "不该出现";</script><h1>会员权益</h1><p>会员全场九折。</p>
    <div>生日当月<b>双倍</b>积分。</div><h2>价格</h2><table><tr><th>套餐</th><th>价格</th></tr>
    <tr><td>基础版</td><td>199</td></tr></table><ul><li>支持退款</li></ul></body></html>"""
    passages = read_passages("会员.html", page.encode("gb18030"), "zh")
    assert [(p.heading, p.text) for p in passages] == [
        ("会员权益", "会员全场九折。\n生日当月双倍积分。"),
        ("价格", "套餐：基础版；价格：199"),
        ("价格", "支持退款"),
    ]


def test_text_and_markdown_headings_head_what_follows() -> None:
    txt = "一、退货政策\n七天无理由退货。\n\n第三章 售后服务\n保修一年。\n"
    assert [(p.heading, p.text) for p in read_passages("说明.txt", txt.encode(), "zh")] == [
        ("一、退货政策", "七天无理由退货。"),
        ("第三章 售后服务", "保修一年。"),
    ]
    md = "# 价格\n**基础版** 只要 [199 元](https://x.cn)。\n\n"
    md += "| 套餐 | 价格 |\n|---|---|\n| 专业版 | 599 |\n"
    assert [(p.heading, p.text) for p in read_passages("说明.md", md.encode(), "zh")] == [
        ("价格", "基础版 只要 199 元。"),
        ("价格", "套餐：专业版；价格：599"),
    ]


# --- chunking ------------------------------------------------------------------------


def test_chinese_text_is_packed_at_sentence_ends_with_an_overlap() -> None:
    paragraphs = [POLICY * 2, POLICY, "今天下单，明天发货。" * 40, POLICY * 5, POLICY]
    passages = chunk("说明.txt", [Paragraph("退货政策", p) for p in paragraphs])
    sizes = [len(p.text) for p in passages]
    assert len(passages) >= 4 and max(sizes) <= HARD_MAX, sizes
    assert all(300 <= n <= 600 for n in sizes[:-1]), sizes  # only the last may be short
    assert all(p.heading == "退货政策" and p.source == "说明.txt" for p in passages)
    for passage in passages:  # whole sentences only: never cut mid-sentence
        assert passage.text.endswith(ENDS), passage.text[-20:]
        assert all(s in "".join(paragraphs) for s in sentences(passage.text))
    for before, after in itertools.pairwise(passages):
        last = sentences(before.text)[-1]
        assert len(last) <= 80 and after.text.startswith(last)


def test_a_sentence_too_long_is_cut_at_commas_and_new_sections_do_not_overlap() -> None:
    endless = "，".join(f"第{i}项优惠条款适用于全部会员" for i in range(80)) + "。"
    passages = chunk("a.txt", [Paragraph("条款", endless), Paragraph("其他", "就这些。")])
    assert all(len(p.text) <= HARD_MAX for p in passages[:-1])
    assert all(p.text.endswith(("，", "。")) for p in passages[:-1])  # cut after a comma
    assert "".join(p.text for p in passages[:-1]) == endless
    assert passages[-1] == Passage("a.txt", "其他", "就这些。")


def test_a_very_long_table_row_is_cut_keeping_its_column_names() -> None:
    row = Row("价格", (("套餐", "旗舰版"), ("价格", "1999"), ("说明", POLICY * 6)))
    passages = chunk("价格.xlsx", [row])
    assert len(passages) >= 2 and all(len(p.text) <= HARD_MAX for p in passages)
    assert passages[0].text.startswith("套餐：旗舰版；价格：1999；说明：")
    assert all(p.text.startswith("套餐：旗舰版；") and "说明：" in p.text for p in passages)


# --- bad files -----------------------------------------------------------------------


def zip_with(members: dict[str, int], zeros: str = "") -> bytes:
    """A zip of small parts plus (if named) one member of `members[zeros]` MB of zeros,
    written in 1 MB pieces so the test never holds it whole."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name in members:
            if name != zeros:
                archive.writestr(name, "<w:document/>")
        if zeros:
            with archive.open(zeros, "w", force_zip64=True) as member:
                for _ in range(members[zeros]):
                    member.write(bytes(1024 * 1024))
    return out.getvalue()


def test_a_zip_bomb_named_docx_is_refused_without_unpacking_it() -> None:
    started = time.monotonic()
    bomb = zip_with(
        {"[Content_Types].xml": 0, "word/document.xml": 0, "word/a.bin": 300}, "word/a.bin"
    )
    assert len(bomb) < 3 * 1024 * 1024  # 300 MB inside a small file
    message = refused("合同.docx", bomb)
    assert "解压后" in message and "300 MB" in message and "200 MB" in message
    assert time.monotonic() - started < 10


def test_a_member_packed_too_tightly_is_refused_even_under_the_total() -> None:
    bomb = zip_with(
        {"xl/workbook.xml": 0, "xl/worksheets/sheet1.xml": 30}, "xl/worksheets/sheet1.xml"
    )
    message = refused("表格.xlsx", bomb)
    assert "压缩了" in message and "恶意" in message


def test_a_corrupt_zip_is_refused_as_damaged() -> None:
    assert "损坏" in refused("方案.docx", b"PK\x03\x04" + b"\x00garbage" * 50)
    whole = price_list()
    assert "损坏" in refused("方案.docx", whole[: len(whole) // 2])  # cut off in transfer


def test_files_whose_content_is_not_what_their_name_says_are_refused() -> None:
    book = openpyxl.Workbook()
    book.active.append(["价格", 199])
    message = refused("价目表.docx", xlsx_bytes(book))  # a workbook renamed .docx
    assert "其实是Excel 表格" in message and ".docx" in message
    assert "其实是纯文字文件" in refused("说明.docx", "这是一段文字。".encode())
    assert "其实是纯文字文件" in refused("报价.pdf", b"not a pdf at all")
    assert "其实是Word 文档" in refused("资料.xlsx", price_list())
    assert "其实是图片" in refused("说明.txt", b"\x89PNG\r\n\x1a\n" + bytes(64))


def test_a_file_over_the_limit_says_its_size_and_the_limit() -> None:
    message = refused("大文件.txt", b"a" * (25 * 1024 * 1024))
    assert MAX_BYTES == 20 * 1024 * 1024
    assert "25 MB" in message and "20 MB" in message and "上限" in message
    small = refused("说明.txt", "退货。".encode() * 1000, max_bytes=2048)
    assert "8.8 KB" in small and "2.0 KB" in small


@pytest.mark.parametrize("name", ["安装包.exe", "介绍.pptx", "README"])
def test_an_unsupported_type_lists_the_types_that_work(name: str) -> None:
    message = refused(name, b"MZ\x90\x00")
    assert "不支持" in message and all(ext in message for ext in SUPPORTED)
    assert ("没有扩展名" in message) == (name == "README")


@pytest.mark.parametrize("raw", [b"", b"  \n\n \t", "\ufeff\n# 标题\n".encode()])
def test_a_document_with_no_text_is_empty(raw: bytes) -> None:
    assert "没有找到文字" in refused("空的.md", raw)
