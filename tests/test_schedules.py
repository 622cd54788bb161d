"""Scheduled pushes on a clock the tests move: due times, misfires, coalescing, pausing,
editing without a restart, failures retried and recorded, against the fake WeCom."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from runtime.models.catalog import ModelCatalog
from runtime.outbox import Outbox
from runtime.schedules import cron
from runtime.schedules.runner import Scheduler
from runtime.spec import BotRepository
from runtime.store import Journal
from runtime.store.settings import Settings
from runtime.wecom.bindings import Bindings
from tests.fake_wecom import FakeWeCom, Served

KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
SHANGHAI = ZoneInfo("Asia/Shanghai")
BOT = """\
id: ops
name: Ops
schedules:
  - id: morning
    cron: "0 9 * * 1-5"   # every weekday at 9:00
    text: 早上好！今天是 {date}，昨天新增线索 {new_leads} 条。
"""


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).timestamp()


@pytest.fixture
def wecom(monkeypatch: pytest.MonkeyPatch):
    fake = FakeWeCom(keys={KEY}, now=at("2026-11-23 08:59"))  # a Monday
    with Served(fake.app()) as served:
        monkeypatch.setenv("BOTSTUDIO_WECOM_API", served.url)
        yield fake


@pytest.fixture
def setup(tmp_path: Path, wecom: FakeWeCom):
    bots = tmp_path / "bots"
    bots.mkdir()
    (bots / "ops.yaml").write_text(BOT, encoding="utf-8")
    journal = Journal(tmp_path / "journal.sqlite3")
    bindings = Bindings(Settings(tmp_path / "settings.json"), journal)
    bindings.bind("ops", "webhook", {"key": KEY})
    outbox = Outbox(journal, bindings, clock=wecom.clock)
    repo = BotRepository(bots, ModelCatalog(tmp_path / "gguf"), "zh")
    scheduler = Scheduler(repo, journal, outbox, clock=wecom.clock, lang="zh")
    return scheduler, outbox, bots


def test_weekday_numbers_mean_what_cron_means() -> None:
    # APScheduler 3's from_crontab reads 1-5 as Tuesday-Saturday; ours reads Monday-Friday
    runs = cron.next_runs("0 9 * * 1-5", "Asia/Shanghai", at("2026-11-22 12:00"), n=6)
    assert [r.strftime("%a") for r in runs] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Mon"]
    assert cron.describe("0 9 * * 1-5", "zh") == "每个工作日 9:00"
    assert cron.describe("30 8 * * 0", "en") == "Every Sunday at 8:30"


def test_a_weekday_report_arrives_at_nine_once(setup, wecom: FakeWeCom) -> None:
    scheduler, outbox, _ = setup
    assert scheduler.tick() == []  # 8:59: first sight of the schedule, nothing due
    wecom.now = at("2026-11-23 09:00:20")
    assert len(scheduler.tick()) == 1
    outbox.deliver_due(wecom.now)
    assert wecom.texts(KEY) == ["早上好！今天是 2026-11-23，昨天新增线索 0 条。"]
    wecom.now = at("2026-11-23 09:10")
    assert scheduler.tick() == []  # never twice for the same 9:00
    (run,) = scheduler.history("ops")
    assert (run.state, run.trigger, run.missed) == ("sent", "cron", 0)
    assert run.due_at == at("2026-11-23 09:00")
    wecom.now = at("2026-11-28 09:30")  # Saturday: no run on the weekend...
    scheduler.tick()
    outbox.deliver_due(wecom.now)
    assert len(wecom.texts(KEY)) == 1  # and Friday's 9:00, 24 h late, is past its grace:
    # recorded as missed, not sent
    assert scheduler.history("ops")[0].state == "missed"
    assert "补发期限" in scheduler.history("ops")[0].error


def test_missed_runs_within_the_grace_period_run_once(setup, wecom: FakeWeCom) -> None:
    scheduler, outbox, _ = setup
    scheduler.tick()
    wecom.now = at("2026-11-25 09:40")  # off since Monday 8:59: Mon, Tue and Wed 9:00 missed
    assert len(scheduler.tick()) == 1  # coalesced into one run, for Wednesday's 9:00
    outbox.deliver_due(wecom.now)
    assert len(wecom.texts(KEY)) == 1
    (run,) = scheduler.history("ops")
    assert (run.due_at, run.missed, run.state) == (at("2026-11-25 09:00"), 2, "sent")


def test_pausing_stops_it_and_editing_takes_effect_without_restart(setup, wecom) -> None:
    scheduler, outbox, bots = setup
    scheduler.tick()
    paused = BOT.replace("    text:", "    paused: true\n    text:")
    (bots / "ops.yaml").write_text(paused, encoding="utf-8")
    wecom.now = at("2026-11-23 09:01")
    assert scheduler.tick() == []
    (bots / "ops.yaml").write_text(BOT, encoding="utf-8")  # resumed at 9:02
    wecom.now = at("2026-11-23 09:02")
    assert scheduler.tick() == []  # the 9:00 it was paused over is not sent late
    (bots / "ops.yaml").write_text(BOT.replace("0 9 * * 1-5", "30 9 * * *"), encoding="utf-8")
    scheduler.tick()  # the edited schedule counts from now: no catching up on 9:00
    wecom.now = at("2026-11-23 09:30:05")
    assert len(scheduler.tick()) == 1
    outbox.deliver_due(wecom.now)
    assert len(wecom.texts(KEY)) == 1


def test_a_failed_push_is_retried_and_the_run_says_so(setup, wecom: FakeWeCom) -> None:
    scheduler, outbox, _ = setup
    wecom.fail_next = [-1]  # WeCom is busy once
    run = scheduler.run_now("ops", "morning")
    outbox.deliver_due(wecom.now)
    run = scheduler.history("ops")[0]
    assert run.state == "queued" and run.error  # being retried, and why
    wecom.now += 120
    outbox.deliver_due(wecom.now)
    run = scheduler.history("ops")[0]
    assert (run.state, run.trigger) == ("sent", "manual")
    assert len(wecom.texts(KEY)) == 1


def test_an_unbound_bot_records_a_failure_in_words(setup, wecom: FakeWeCom) -> None:
    scheduler, _, bots = setup
    (bots / "ops.yaml").write_text(BOT.replace("    text:", "    to: alert\n    text:"), "utf-8")
    run = scheduler.run_now("ops", "morning")
    assert run.state == "failed" and "提醒" in run.error and run.text


@pytest.mark.model
def test_the_bot_writes_the_message_from_live_figures(workspace, wecom: FakeWeCom) -> None:
    from runtime.schedules.runner import write_with

    (workspace.bots_dir / "ops.yaml").write_text(
        "id: ops\nname: Ops\nlanguage: en\npersona: You write short morning reports.\n"
        "model: {temperature: 0, max_tokens: 40, context: 2048}\n"
        "schedules:\n  - id: morning\n    cron: '0 9 * * 1-5'\n"
        "    prompt: 'Write one sentence: yesterday we got {new_leads} new leads.'\n",
        encoding="utf-8",
    )
    workspace.bindings.bind("ops", "webhook", {"key": KEY})
    with workspace.journal.transaction() as db:  # one lead yesterday, one the day before
        for when in ("2026-11-22 15:00", "2026-11-21 15:00"):
            db.execute(
                "INSERT INTO leads (bot_id, user, conversation, created_at, updated_at)"
                " VALUES ('ops', ?, 'c', ?, ?)",
                (when, at(when), at(when)),
            )
    prompts: list[str] = []

    def write(spec, prompt: str) -> str:
        prompts.append(prompt)
        return write_with(workspace)(spec, prompt)

    outbox = Outbox(workspace.journal, workspace.bindings, clock=wecom.clock)
    scheduler = Scheduler(
        workspace.bots, workspace.journal, outbox, write=write, clock=wecom.clock, lang="en"
    )
    run = scheduler.run_now("ops", "morning")
    assert prompts == ["Write one sentence: yesterday we got 1 new leads."]
    assert run.state == "queued" and run.text
    outbox.deliver_due(wecom.now)
    assert wecom.texts(KEY) == [run.text]
