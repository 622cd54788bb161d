"""The knowledge base and FAQ as customers and marketers meet them: FAQ answers given at
once without the model, "which did you mean?" and a number picked, passages given to
the real model after the pinned prefix, questions no FAQ answered grouped for 热门问题,
the index following the documents, and the `kb` commands in a terminal."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from runtime.knowledge.unanswered import hot_questions
from runtime.store.events import MESSAGE, UNANSWERED, EventLog
from runtime.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent

SHOP = """id: shop
name: 小店助手
language: zh
model: {endpoint: nowhere}  # no such model: an answer that needs one fails
persona: 你是小店的客服。
faq:
  entries:
    - question: 专业版多少钱？
      answer: 专业版每年 1999 元。
    - question: 团队版多少钱？
      answer: 团队版每人每年 999 元。
    - question: 怎么退货？
      answer: 收到商品七天内可无理由退货，在订单页点“申请退货”。
      similar: [可以退货吗]
"""

POLICY = """# 退货政策

收到商品七天内可以无理由退货，运费由买家承担。质量问题由我们承担运费。

# 保修

整机保修一年，电池保修六个月。保修期内免费维修。

# 发票

下单时填写抬头即可开具电子发票，发票在发货后三天内发到邮箱。
"""


def _shop(workspace: Workspace, **changes: str) -> None:
    text = SHOP
    for old, new in changes.items():
        text = text.replace(old, new)
    (workspace.bots_dir / "shop.yaml").write_text(text, encoding="utf-8")


def test_faq_answers_verbatim_at_once_without_the_model(workspace: Workspace) -> None:
    _shop(workspace)
    reply = workspace.dialogue.reply("shop", "wecom:u1", "怎么退货呀")
    assert reply.read() == "收到商品七天内可无理由退货，在订单页点“申请退货”。"
    [(_, payload)] = EventLog(workspace.journal).since("shop", MESSAGE, 0)
    assert payload["faq"] == "answer" and payload["question"] == "怎么退货？"
    history = workspace.conversations.history("shop", "wecom:u1")
    assert [t.content for t in history] == ["怎么退货呀", reply.text]
    assert not EventLog(workspace.journal).since("shop", UNANSWERED, 0)  # it was answered


def test_two_close_entries_ask_which_and_a_number_picks_one(workspace: Workspace) -> None:
    _shop(workspace)
    asked = workspace.dialogue.reply("shop", "wecom:u2", "多少钱").read()
    assert "您想问的是哪一个" in asked
    assert "1. 团队版多少钱？" in asked and "2. 专业版多少钱？" in asked
    picked = workspace.dialogue.reply("shop", "wecom:u2", "2").read()
    assert picked == "专业版每年 1999 元。"
    # a "2" with no question offered before is no choice: the model would answer it
    assert (
        workspace.dialogue.faq_decision(
            workspace.dialogue.spec("shop"), workspace.dialogue.resolve("shop"), [], "2"
        ).kind
        == "none"
    )


def test_blocked_words_come_before_the_faq(workspace: Workspace) -> None:
    _shop(workspace, **{"persona:": "safety: {blocked_words: [退货]}\npersona:"})
    assert (
        workspace.dialogue.reply("shop", "wecom:u3", "怎么退货").read()
        == "抱歉，这个问题我无法回答。"
    )


@pytest.mark.model
def test_passages_ride_on_the_message_after_the_pinned_prefix(workspace: Workspace) -> None:
    local = "model: {temperature: 0, max_tokens: 24, context: 2048, seed: 1}"
    _shop(workspace, **{"model: {endpoint: nowhere}": local})
    base = workspace.knowledge.of("shop")
    base.add("售后政策.md", POLICY.encode())
    reply = workspace.dialogue.reply("shop", "wecom:u4", "电池坏了能保修吗")
    reply.read()
    assert reply.passages and reply.passages[0].passage.heading == "保修"
    system, *_, latest = reply.prompt.messages
    assert "电池保修六个月" not in system["content"]  # the pinned prefix stays the same
    assert latest["content"].startswith("电池坏了能保修吗")
    assert "电池保修六个月" in latest["content"] and "售后政策.md" in latest["content"]
    stored = workspace.conversations.history("shop", "wecom:u4")
    assert stored[0].content == "电池坏了能保修吗"  # history keeps what the customer said
    # the same system message with or without documents: the prefix cache still hits
    shutil.rmtree(base.folder)
    again = workspace.dialogue.reply("shop", "wecom:u5", "电池坏了能保修吗")
    again.read()
    assert again.prompt.messages[0] == system and not again.passages
    [(_, first), *_] = EventLog(workspace.journal).since("shop", UNANSWERED, 0)
    assert first["text"] == "电池坏了能保修吗"


def test_questions_no_faq_answered_are_grouped_most_asked_first(workspace: Workspace) -> None:
    _shop(workspace)
    events = EventLog(workspace.journal)
    asked = ["你们周末上班吗", "周末上班吗？", "你们周末上班不", "能开发票吗", "怎么退货"]
    for number, text in enumerate(asked):
        events.record("shop", UNANSWERED, f"wecom:p{number}", {"text": text})
    spec = workspace.dialogue.spec("shop")
    hot = hot_questions(events, "shop", spec.faq)
    assert [(h.text, h.count) for h in hot] == [("你们周末上班吗", 3), ("能开发票吗", 1)]
    assert set(hot[0].wordings) == {"周末上班吗？", "你们周末上班不"}
    # the FAQ answers 怎么退货 by now: not a hot question; small talk is never kept
    from runtime.knowledge.unanswered import worth_keeping

    assert not worth_keeping("你好！") and not worth_keeping("1") and worth_keeping("发票？")


def test_the_index_follows_the_documents(workspace: Workspace) -> None:
    _shop(workspace)
    base = workspace.knowledge.of("shop")
    assert base.search("保修") == []  # no documents, no index built
    base.add("售后政策.md", POLICY.encode())
    assert base.search("保修多久")[0].passage.heading == "保修"
    base.add("售后政策.md", "# 保修\n\n整机保修两年。".encode())  # replaced: the new text
    assert base.search("保修多久")[0].passage.text == "整机保修两年。"
    index_root = workspace.data_dir / "knowledge" / "shop"
    [built] = list(index_root.iterdir())  # the old state's index is gone
    assert os.stat(built).st_mode & 0o777 == 0o700
    assert all(os.stat(p).st_mode & 0o777 == 0o600 for p in built.rglob("*") if p.is_file())
    (built / "passages.json").write_text("{damaged", encoding="utf-8")
    workspace.knowledge.loaded.clear()  # a restart: the damaged index is built again
    assert base.search("保修多久")[0].passage.text == "整机保修两年。"
    (base.folder / "坏文件.pdf").write_bytes(b"not a pdf")  # put in by hand
    listed = {d.name: d for d in base.documents("zh")}
    assert listed["售后政策.md"].passages == 1 and "坏文件.pdf" in listed
    assert listed["坏文件.pdf"].problem and "坏文件.pdf" in listed["坏文件.pdf"].problem
    [english] = [d for d in base.documents("en") if d.problem]  # in the reader's language
    assert "坏文件.pdf" in (english.problem or "") and "PDF" in (english.problem or "")
    assert "其实是纯文字文件，不是真正的 .pdf 文件" in (listed["坏文件.pdf"].problem or "")
    assert english.problem != listed["坏文件.pdf"].problem
    base.remove("售后政策.md")
    assert base.search("保修多久") == [] and [d.name for d in base.documents()] == ["坏文件.pdf"]


def test_names_that_would_leave_the_folder_are_refused(workspace: Workspace) -> None:
    from runtime.knowledge.passages import DocumentError

    _shop(workspace)
    base = workspace.knowledge.of("shop")
    for name in ("../shop.yaml.md", "/etc/x.md", ".hidden.md", "a\\b.md", "程序.exe"):
        with pytest.raises(DocumentError) as refused:
            base.add(name, b"# x\n\ny")
        assert "“" in refused.value.text("zh")
    assert not base.folder.exists() or not list(base.folder.iterdir())
    assert not (workspace.bots_dir / "shop.yaml.md").exists()


def _kb(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "launch.py", "--bots", str(home / "bots"), "--data"]
    command += [str(home / "data"), "--lang", "zh", "kb", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_the_kb_commands_in_a_terminal(tmp_path: Path) -> None:
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots" / "shop.yaml").write_text(SHOP, encoding="utf-8")
    (tmp_path / "售后政策.md").write_text(POLICY, encoding="utf-8")
    (tmp_path / "假的.docx").write_text("这其实是文本", encoding="utf-8")
    added = _kb(tmp_path, "add", "shop", str(tmp_path / "售后政策.md"), str(tmp_path / "假的.docx"))
    assert added.returncode == 1  # one file refused…
    assert "已加入 售后政策.md：3 段" in added.stdout and "假的.docx" in added.stderr
    assert [p.name for p in (tmp_path / "bots" / "shop.knowledge").iterdir()] == ["售后政策.md"]
    listed = _kb(tmp_path, "list", "shop")
    assert listed.returncode == 0 and "售后政策.md\t3 段" in listed.stdout
    found = _kb(tmp_path, "search", "shop", "发票什么时候到", "-k", "2", "--json")
    hits = json.loads(found.stdout)
    assert hits[0]["source"] == "售后政策.md" and "邮箱" in hits[0]["text"]
    assert list(hits[0]) == ["source", "text", "score"] and hits[0]["score"] >= hits[-1]["score"]
    # the FAQ from Excel; a bad row names itself and changes nothing
    book = Workbook()
    sheet = book.active
    sheet.append(["问题", "答案", "相似问法"])
    sheet.append(["周末上班吗？", "周末照常上班。", "星期六有人吗|周日营业吗"])
    sheet.append(["发票怎么开？", None, None])
    book.save(tmp_path / "faq.xlsx")
    before = (tmp_path / "bots" / "shop.yaml").read_bytes()
    refused = _kb(tmp_path, "faq", "shop", "--import", str(tmp_path / "faq.xlsx"))
    assert refused.returncode == 1 and "第 3 行没有答案" in refused.stderr
    assert (tmp_path / "bots" / "shop.yaml").read_bytes() == before
    sheet.delete_rows(3)
    book.save(tmp_path / "faq.xlsx")
    imported = _kb(tmp_path, "faq", "shop", "--import", str(tmp_path / "faq.xlsx"))
    assert imported.returncode == 0 and "现在共有 4 条" in imported.stdout
    text = (tmp_path / "bots" / "shop.yaml").read_text(encoding="utf-8")
    assert "周末照常上班" in text and "星期六有人吗" in text and "answer_above" not in text
    gone = _kb(tmp_path, "remove", "shop", "没有这个.md")
    assert gone.returncode == 1 and "没有文件“没有这个.md”" in gone.stderr


def test_a_faq_sheet_that_asks_a_question_twice_names_both_rows_as_excel_counts() -> None:
    from runtime.knowledge.faq_import import read_faq_table
    from runtime.knowledge.passages import DocumentError

    book = Workbook()
    sheet = book.active
    sheet.append(["问题", "答案"])
    sheet.append(["退货要多久？", "七天内。"])
    sheet.append([None, None])  # an empty row: skipped, and still counted as Excel does
    sheet.append(["周末上班吗？", "照常上班。"])
    sheet.append([" 退货要多久？", "五天。"])
    saved = io.BytesIO()
    book.save(saved)
    with pytest.raises(DocumentError) as refused:
        read_faq_table("faq.xlsx", saved.getvalue(), "zh")
    assert refused.value.text("zh") == "“faq.xlsx”第 5 行的问题“退货要多久？”和第 2 行重复"
