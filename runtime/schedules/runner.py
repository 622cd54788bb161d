"""Runs each bot's schedules on time and records every run.

A tick looks at every bot file as it is now (an edit takes effect at the next tick,
no restart), finds the latest due time of each schedule that has not run, and runs
it once: earlier due times missed while the machine was off are coalesced into that
run, and a run later than the schedule's grace period is recorded as missed
instead. Messages go through the outbox, which paces, retries and records delivery.

The clock is a parameter, so tests move time forward instead of waiting.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from runtime.i18n import Explained, said
from runtime.outbox import Outbox
from runtime.schedules import cron
from runtime.schedules.figures import figures, fill
from runtime.spec import BotRepository, BotSpec, SpecError
from runtime.spec.schedule import Schedule
from runtime.store.db import Journal
from runtime.store.schedule_runs import ScheduleRuns
from runtime.wecom.reasons import delivery_error

if TYPE_CHECKING:
    from runtime.dialogue import Dialogue

log = logging.getLogger(__name__)
TICK_SECONDS = 15.0


@dataclass
class RunRecord:
    id: int
    bot_id: str
    schedule_id: str
    trigger: str
    due_at: float
    started_at: float
    finished_at: float | None
    state: str  # running | queued | sent | failed | missed
    missed: int
    text: str | None
    error: str | None


class Scheduler:
    def __init__(
        self,
        bots: BotRepository,
        journal: Journal,
        outbox: Outbox,
        write: Callable[[BotSpec, str], str] | None = None,
        clock: Callable[[], float] = time.time,
        lang: str = "zh",
    ):
        self.bots = bots
        self.journal = journal
        self.runs = ScheduleRuns(journal)
        self.outbox = outbox
        self.write = write  # the bot writes a message from a prompt
        self.clock = clock
        self.lang = lang
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # --- the loop ---------------------------------------------------------------

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        """Look again now (a bot was saved)."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # one bad tick must not end scheduling for good
                log.exception("scheduler tick failed")
            self._wake.wait(TICK_SECONDS)
            self._wake.clear()

    def tick(self) -> list[int]:
        """Run what is due now; the ids of the runs recorded."""
        now = self.clock()
        runs = []
        for spec in self._specs():
            for schedule in spec.schedules:
                due = self._due(spec, schedule, now)
                if due is None:
                    continue
                at, count = due
                run_id = self.runs.claim(spec.id, schedule.id, "cron", at, now, missed=count - 1)
                if run_id is None:
                    continue  # another process has it
                runs.append(run_id)
                if now - at > schedule.grace_minutes * 60:
                    late = round((now - at) / 60)
                    self._finish(
                        run_id,
                        "missed",
                        error=said("schedule.too_late", minutes=late, grace=schedule.grace_minutes),
                    )
                    log.warning("schedule %s/%s missed by %d min", spec.id, schedule.id, late)
                    continue
                self._execute(run_id, spec, schedule)
        return runs

    def run_now(self, bot_id: str, schedule_id: str, lang: str | None = None) -> RunRecord:
        """The studio's "run now": right away, whatever the cron says, also when paused; the
        record says what went wrong in `lang`."""
        spec = self.bots.load(bot_id)
        schedule = next(s for s in spec.schedules if s.id == schedule_id)
        now = self.clock()
        run_id = self.runs.claim(spec.id, schedule.id, "manual", now, now)
        assert run_id is not None
        self._execute(run_id, spec, schedule)
        return self.history(bot_id, schedule_id, limit=1, lang=lang)[0]

    # --- deciding -----------------------------------------------------------------

    def _specs(self) -> list[BotSpec]:
        specs = []
        for bot_id in self.bots.ids():
            try:
                specs.append(self.bots.load(bot_id))
            except (KeyError, SpecError):
                continue  # a broken file runs nothing until fixed; `check` says why
        return specs

    def _due(self, spec: BotSpec, schedule: Schedule, now: float) -> tuple[float, int] | None:
        # Pausing is part of the key: resumed, a schedule counts from then, no catching up.
        key = _state_key(schedule)
        state = self.runs.known_since(spec.id, schedule.id)
        if state is None or state[0] != key:
            # new, edited, paused or resumed: from now on
            self.runs.restart(spec.id, schedule.id, key, now)
            return None
        if schedule.paused:
            return None
        last = self.runs.last_due(spec.id, schedule.id)
        return cron.latest_due(schedule.cron, schedule.timezone, max(state[1], last or 0), now)

    # --- running -----------------------------------------------------------------

    def _execute(self, run_id: int, spec: BotSpec, schedule: Schedule) -> None:
        kind = "webhook" if schedule.to == "webhook" else "alert_webhook"
        text = None
        try:
            values = figures(self.journal, spec, self.clock())
            if schedule.text is not None:
                text = fill(schedule.text, values)
            else:
                if self.write is None:
                    raise Explained("schedule.no_model")
                text = self.write(spec, fill(schedule.prompt or "", values)).strip()
                if not text:
                    raise Explained("schedule.empty")
            ids = self.outbox.push(spec.id, text, kind=kind)
        except LookupError:
            what = said(f"wecom.mode.{kind}")
            self._finish(run_id, "failed", text, said("schedule.unbound", kind=what))
            return
        except Exception as exc:  # recorded and shown; the next due time runs as usual
            log.warning("schedule %s/%s failed: %s", spec.id, schedule.id, exc)
            if isinstance(exc, Explained):  # kept as words to show in each reader's language
                error = said(exc.message_id, **{k: str(v) for k, v in exc.params.items()})
            else:
                error = str(exc) or type(exc).__name__
            self._finish(run_id, "failed", text, error)
            return
        self._finish(run_id, "queued", text, outbox_ids=ids)
        log.info("schedule %s/%s queued %d message(s)", spec.id, schedule.id, len(ids))

    def _finish(
        self,
        run_id: int,
        state: str,
        text: str | None = None,
        error: str | None = None,
        outbox_ids: list[int] | None = None,
    ) -> None:
        self.runs.finish(run_id, state, text, error, outbox_ids or [], self.clock())

    # --- reading -----------------------------------------------------------------

    def history(
        self,
        bot_id: str,
        schedule_id: str | None = None,
        limit: int = 20,
        lang: str | None = None,
    ) -> list[RunRecord]:
        """Latest first. A queued run shows how its delivery went: sent, failed, or pending;
        why a run failed is in `lang` (the scheduler's own by default)."""
        rows = self.runs.latest(bot_id, schedule_id, limit)
        return [self._record(row, lang or self.lang) for row in rows]

    def _record(self, row: sqlite3.Row, lang: str) -> RunRecord:
        state, error = row["state"], row["error"]
        ids = json.loads(row["outbox_ids"])
        if state == "queued" and ids:
            sent = self.outbox.progress(ids)
            states = {p.state for p in sent}
            if states == {"sent"}:
                state = "sent"
            elif "failed" in states:
                state = "failed"
                error = next(p.last_error for p in sent if p.state == "failed")
            elif any(p.last_error for p in sent):  # being retried
                error = next(p.last_error for p in sent if p.last_error)
        error = delivery_error(error, lang) if error else error
        return RunRecord(
            row["id"],
            row["bot_id"],
            row["schedule_id"],
            row["trigger"],
            row["due_at"],
            row["started_at"],
            row["finished_at"],
            state,
            row["missed"],
            row["text"],
            error,
        )

    def next_run(self, spec: BotSpec, schedule: Schedule) -> float | None:
        if schedule.paused:
            return None
        return cron.first_at_or_after(schedule.cron, schedule.timezone, self.clock())


def _state_key(schedule: Schedule) -> str:
    """What, when changed, makes a schedule count afresh from that moment."""
    return f"{schedule.cron}|{schedule.timezone}|{'paused' if schedule.paused else 'on'}"


class Speaking(Protocol):
    """What writing needs of the workspace (runtime/workspace.py, a layer above)."""

    @property
    def dialogue(self) -> Dialogue: ...


def write_with(workspace: Speaking) -> Callable[[BotSpec, str], str]:
    """The bot writes a scheduled message from its prompt, as itself (persona and rules)."""

    def write(spec: BotSpec, prompt: str) -> str:
        _, _, generation = workspace.dialogue.preview(spec.id, prompt)
        return generation.read_all()

    return write
