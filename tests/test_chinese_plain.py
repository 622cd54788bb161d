"""Chinese everywhere, and plain, away from the browser: the command line in real
subprocesses (an empty message, an empty experiment, the leads CSV, a value out of
range), and the pieces the studio shows (errors said in the reader's language whatever
the server's, lead field types, schedule times and delivery errors in words).
The studio itself is read in real Chromium in tests/test_studio_chinese.py."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runtime.leads.store import Lead, LeadStore
from runtime.models.catalog import ModelCatalog
from runtime.schedules import cron
from runtime.spec import BotRepository
from runtime.spec import catalog_ops as ops
from runtime.store import Journal

ROOT = Path(__file__).resolve().parent.parent


def launch(*args: str, bots: Path, data: Path, lang: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "BOTSTUDIO_LANG": lang, "BOTSTUDIO_THREADS": "2"}
    command = [sys.executable, str(ROOT / "launch.py"), "--bots", str(bots), "--data", str(data)]
    return subprocess.run(
        [*command, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "bots", tmp_path / "bots")
    return tmp_path


# --- an empty message -----------------------------------------------------------------


@pytest.mark.parametrize("message", ["", "   ", "\n\t"])
def test_chat_refuses_an_empty_message_and_makes_nothing_up(home: Path, message: str) -> None:
    result = launch(
        "chat", "xiaolan-sales", "-m", message, bots=home / "bots", data=home / "data", lang="zh"
    )
    assert result.returncode == 1
    assert "消息是空的" in result.stderr
    assert result.stdout.strip() == ""  # no reply generated
    journal = home / "data" / "botstudio.sqlite3"
    if journal.exists():  # nothing written to the conversation either
        assert (
            Journal(journal).connection().execute("SELECT COUNT(*) FROM messages").fetchone()[0]
            == 0
        )


def test_chat_refuses_an_empty_message_in_english_too(home: Path) -> None:
    result = launch(
        "chat", "xiaolan-sales", "-m", " ", bots=home / "bots", data=home / "data", lang="en"
    )
    assert result.returncode == 1
    assert "The message is empty" in result.stderr and result.stdout.strip() == ""


# --- an empty experiment ----------------------------------------------------------------


def _assign(data: Path, people: dict[str, int]) -> None:
    journal = Journal(data / "botstudio.sqlite3")
    with journal.transaction() as db:
        for variant, count in people.items():
            for i in range(count):
                db.execute(
                    "INSERT INTO assignments VALUES ('xiaolan-sales', '1', ?, ?, ?)",
                    (f"{variant}-{i}", variant, time.time()),
                )
    journal.close()


def test_report_of_an_empty_experiment_says_no_data_yet(home: Path) -> None:
    result = launch("report", "xiaolan-sales", bots=home / "bots", data=home / "data", lang="zh")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.split()[:2] == ["A", "还没有数据（人数"] for line in lines), result.stdout
    assert any(line.split()[:2] == ["B", "还没有数据（人数"] for line in lines), result.stdout
    assert "0.0% [0.0%, 100.0%]" not in result.stdout and "+0.0%" not in result.stdout


def test_report_says_no_data_for_the_group_nobody_is_in(home: Path) -> None:
    _assign(home / "data", {"A": 20})
    result = launch("report", "xiaolan-sales", bots=home / "bots", data=home / "data", lang="zh")
    assert result.returncode == 0, result.stderr
    assert "B        还没有数据（人数 0）" in result.stdout
    assert "B 还没有数据（还没有分到客户）" in result.stdout  # the verdict says so too
    as_json = launch(
        "report", "xiaolan-sales", "--json", bots=home / "bots", data=home / "data", lang="en"
    )
    import json

    b = json.loads(as_json.stdout)["variants"][1]
    assert b["no_data"] and b["chance_to_win"] is None and "diff" not in b


# --- the leads CSV ----------------------------------------------------------------------


def _leads(data: Path) -> None:
    store = LeadStore(Journal(data / "botstudio.sqlite3"))
    now = time.time()
    phone = {"value": "13812345678", "at": now, "message": "13812345678"}
    store.save(
        Lead(
            "xiaolan-sales",
            "studio:tester",
            "studio:tester",
            "A",
            {"phone": phone},
            converted=True,
            converted_at=now,
        )
    )
    store.save(Lead("xiaolan-sales", "李雷", "李雷", "B", {}))


def test_leads_csv_speaks_the_chosen_language(home: Path) -> None:
    _leads(home / "data")
    out = home / "leads.csv"
    result = launch(
        "leads",
        "xiaolan-sales",
        "--csv",
        str(out),
        bots=home / "bots",
        data=home / "data",
        lang="zh",
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0] == [
        "客户",
        "来源",
        "变体",
        "已转化",
        "首次采集时间",
        "公司名称（company）",
        "手机号码（phone）",
        "关注产品（product）",
    ]
    studio_test, customer = rows[1], rows[2]
    assert studio_test[0] == "tester（试聊）" and studio_test[3] == "是"  # not studio:tester, yes
    assert customer[0] == "李雷" and customer[3] == "否"
    assert "T" not in studio_test[4]  # 2026-12-01 09:30, not an ISO stamp
    english = launch("leads", "xiaolan-sales", bots=home / "bots", data=home / "data", lang="en")
    assert english.stdout.splitlines()[0].split("\t")[:5] == [
        "Customer",
        "Source",
        "Variant",
        "Converted",
        "First captured",
    ]
    assert "tester (studio test)\t\tA\tyes" in english.stdout


# --- values out of range: refused by the spec, with the range, in words -------------------


def test_check_refuses_out_of_range_numbers_with_the_range_and_plain_labels(home: Path) -> None:
    bad = home / "bots" / "bad.yaml"
    bad.write_text(
        "id: bad\nname: 坏\nmodel: {temperature: 5, context: 100, top_p: 0}\n"
        "safety: {history_turns: 500}\n",
        encoding="utf-8",
    )
    result = launch("check", str(bad), bots=home / "bots", data=home / "data", lang="zh")
    assert result.returncode == 1
    assert "“创造性（温度）（model.temperature）” 应在 0 到 2 之间，现在是 5" in result.stdout
    assert "“上下文长度（model.context）” 应在 512 到 131072 之间，现在是 100" in result.stdout
    assert "“用词范围（model.top_p）” 应大于 0 且不超过 1，现在是 0" in result.stdout
    assert "“记住最近几轮对话（safety.history_turns）” 应在 0 到 200 之间" in result.stdout
    assert "“model." not in result.stdout  # never a bare key


def test_a_wrong_field_type_lists_the_types_in_words(tmp_path: Path, gguf_dir: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: bad\nname: B\nlead_capture:\n  fields:\n"
        "    - {key: phone, label: 手机, type: mobile}\n",
        encoding="utf-8",
    )
    problems = BotRepository(tmp_path, ModelCatalog(gguf_dir), "zh").check([bad])[0][1]
    assert "线索字段第 1 项的类型（lead_capture.fields[0].type）" in problems[0].message
    assert "手机号（phone_cn）" in problems[0].message and "'phone_cn'" not in problems[0].message


# --- errors said in the reader's language, whatever the server's ---------------------------


def test_a_bot_operation_error_is_said_in_the_studio_language(tmp_path: Path) -> None:
    repo = BotRepository(tmp_path, ModelCatalog(tmp_path), "en")  # an English server
    with pytest.raises(ops.BotOperationError) as caught:
        ops.create(repo, "Bad_ID", "x", None)
    assert "is invalid" in str(caught.value)  # the terminal's language
    assert "ID “Bad_ID” 无效" in caught.value.text("zh")  # the Chinese studio's


def test_a_prompt_too_long_names_the_setting_plainly() -> None:
    from runtime.prompt import PromptTooLong, build_prompt
    from runtime.spec.model import BotSpec

    spec = BotSpec.model_validate(
        {"id": "b", "name": "B", "language": "en", "model": {"context": 512, "max_tokens": 256}}
    )
    with pytest.raises(PromptTooLong) as caught:
        build_prompt(spec.resolve(), [], "hi", count_tokens=lambda messages: 10_000)
    said = caught.value.text("zh")  # raised for an English bot, read in the Chinese studio
    assert "上下文长度（model.context）" in said and "调大 model.context" not in said


def test_a_schedule_run_error_is_kept_as_words_for_each_reader(home: Path, gguf_dir) -> None:
    from runtime.outbox import Outbox
    from runtime.schedules.runner import Scheduler
    from runtime.workspace import Workspace

    workspace = Workspace(home / "bots", home / "data", gguf_dir, "en")
    outbox = Outbox(workspace.journal, workspace.bindings)
    scheduler = Scheduler(workspace.bots, workspace.journal, outbox, lang="en")
    record = scheduler.run_now("ops-helper", "weekly-report-reminder", lang="zh")
    assert record.state == "failed" and "还没有绑定" in record.error  # nothing bound
    later = scheduler.history("ops-helper", lang="en")[0]
    assert "has no" in later.error and "还没有" not in later.error


def test_delivery_errors_in_words_with_wecom_code_beside() -> None:
    from runtime.i18n import shown
    from runtime.wecom.reasons import delivery_error

    said = delivery_error("errcode 93000: invalid webhook url", "zh")
    assert said == "企业微信拒绝了这条消息（错误码 93000：invalid webhook url）"
    assert (
        delivery_error("network: ConnectTimeout", "zh")
        == "连不上企业微信（网络错误 ConnectTimeout）"
    )
    assert delivery_error("HTTP 502", "en") == "WeCom's server failed (HTTP 502)"
    assert shown("plain text", "zh") == "plain text"


def test_a_gguf_error_is_said_in_either_language() -> None:
    from runtime.models.gguf_info import GGUFError

    error = GGUFError("gguf.bad_magic")
    assert error.text("zh") == "不是 GGUF 文件（开头的标识不对）"
    assert error.text("en") == "not a GGUF file (wrong magic bytes)"


# --- what the studio shows ---------------------------------------------------------------


def test_schedule_times_in_words_a_cron_line_only_beside_them() -> None:
    assert cron.describe("0 9,18 * * *", "zh") == "每天 9:00、18:00"
    assert cron.describe("*/15 * * * *", "zh") == "每 15 分钟"
    assert cron.describe("0 9 1-7 * 1", "zh") == "自定义时间（cron：0 9 1-7 * 1）"
    assert cron.describe("0 9 1-7 * 1", "en") == "Custom times (cron: 0 9 1-7 * 1)"


def test_lead_field_types_show_in_words_and_read_back_as_keys(gguf_dir: Path) -> None:
    from studio.forms import form_to_data, spec_to_form

    repo = BotRepository(ROOT / "bots", ModelCatalog(gguf_dir), "zh")
    spec = repo.load("xiaolan-sales")
    form = spec_to_form(spec, "zh")
    assert [row[2] for row in form["lead_capture.fields"]] == [
        "文字（text）",
        "手机号（phone_cn）",
        "单选（choice）",
    ]
    form["lead_capture.fields"][0][2] = "邮箱"  # typed in words, no key
    data = form_to_data(form, spec.model_dump(mode="json", exclude_unset=True))
    assert [f["type"] for f in data["lead_capture"]["fields"]] == ["email", "phone_cn", "choice"]


def test_number_ranges_come_from_the_spec() -> None:
    from runtime.spec.errors import range_text
    from runtime.spec.model import ModelSettings, Safety

    assert range_text(ModelSettings, "temperature", "zh") == "在 0 到 2 之间"
    assert range_text(ModelSettings, "top_p", "zh") == "大于 0 且不超过 1"
    assert range_text(ModelSettings, "gpu_layers", "zh") == "不小于 -1"
    assert range_text(Safety, "history_turns", "en") == "between 0 and 200"
