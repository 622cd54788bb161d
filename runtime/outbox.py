"""The outbox: every reply and push is written to the journal first, then delivered.

A worker delivers due messages in order per target, paced (20 per minute per
group webhook, WeCom's limit), retrying network and frequency errors with
backoff. A message is claimed atomically before sending, so two processes (the
server and `launch.py push`) never send the same one. A process killed while
sending leaves the message 'sending'; on restart it goes out again: at least
once, and the window is the length of one HTTP request.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from runtime.i18n import said
from runtime.store.db import Journal
from runtime.wecom import webhook
from runtime.wecom.bindings import Bindings
from runtime.wecom.split import MARKDOWN_LIMIT, TEXT_LIMIT, split_message

log = logging.getLogger(__name__)
INTERRUPTED = said("outbox.interrupted")  # last_error of a row a crash caught mid-send

PER_MINUTE = {"webhook": 20, "alert_webhook": 20, "app": 30}
MAX_ATTEMPTS = 12
Sender = Callable[[str, str, dict[str, Any], str], webhook.SendResult]


def http_sender(channel: str, target: str, body: dict[str, Any], bot_id: str) -> webhook.SendResult:
    """Deliver one message: webhooks by key, response URLs as they are."""
    url = webhook.webhook_url(target) if channel in ("webhook", "alert_webhook") else target
    return webhook.post_json(url, body)


def backoff(attempts: int) -> float:
    return min(300.0, 2.0**attempts)


@dataclass(frozen=True)
class Progress:
    """Where one queued message stands."""

    state: str  # pending | sending | sent | failed
    last_error: str | None  # why the last attempt failed (kept while it is retried)
    attempts: int


@dataclass(frozen=True)
class Delivered:
    """How waiting for messages ended: all "sent", one "failed" (with why), or still
    "waiting" when the time ran out."""

    state: str
    error: str = ""


class Outbox:
    def __init__(
        self,
        journal: Journal,
        bindings: Bindings,
        sender: Sender = http_sender,
        clock: Callable[[], float] = time.time,
    ):
        self.journal = journal
        self.bindings = bindings
        self.sender = sender
        self.clock = clock
        self._wake = threading.Event()

    # --- writing ----------------------------------------------------------------

    def push(
        self,
        bot_id: str,
        text: str,
        *,
        markdown: bool = False,
        kind: str = "webhook",
        inbox_id: int | None = None,
        db: sqlite3.Connection | None = None,
    ) -> list[int]:
        """Queue a message to a bound group webhook, split to fit, in order (in the
        caller's transaction with `db`)."""
        binding = self.bindings.get(bot_id, kind)
        if binding is None:
            raise LookupError(kind)
        limit = MARKDOWN_LIMIT if markdown else TEXT_LIMIT
        bodies = [webhook.message_body(p, markdown) for p in split_message(text, limit)]
        return self.enqueue(bot_id, kind, binding["key"], bodies, inbox_id=inbox_id, db=db)

    def enqueue(
        self,
        bot_id: str,
        channel: str,
        target: str,
        bodies: list[dict[str, Any]],
        *,
        inbox_id: int | None = None,
        db: sqlite3.Connection | None = None,
    ) -> list[int]:
        now = self.clock()
        rows = [
            (bot_id, channel, target, json.dumps(b, ensure_ascii=False), now, inbox_id, now)
            for b in bodies
        ]
        sql = (
            "INSERT INTO outbox (bot_id, channel, target, body, next_attempt_at, inbox_id,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        if db is not None:
            # inside the caller's transaction: the caller wakes the worker once it commits
            # (woken now, the worker would find nothing yet and sleep its idle second)
            ids = [db.execute(sql, row).lastrowid for row in rows]
        else:
            with self.journal.transaction() as tx:
                ids = [tx.execute(sql, row).lastrowid for row in rows]
            self.wake()
        return cast(list[int], ids)  # each INSERT added a row: none is None

    # --- delivering ---------------------------------------------------------------

    def recover(self) -> int:
        """After a crash: messages caught mid-send go out again, marked as interrupted (the
        send may have reached its receiver: `interrupted` tells its sender so)."""
        with self.journal.transaction() as db:
            return db.execute(
                "UPDATE outbox SET state = 'pending', last_error = ? WHERE state = 'sending'",
                (INTERRUPTED,),
            ).rowcount

    def interrupted(self, channel: str, key: str, value: str) -> bool:
        """Whether the message of `channel` whose body has `value` at `key` (a msgid) was
        caught mid-send by a crash: a refusal of it now may mean it got through then."""
        row = (
            self.journal.connection()
            .execute(
                "SELECT 1 FROM outbox WHERE channel = ? AND last_error = ?"
                " AND json_extract(body, '$.' || ?) = ? LIMIT 1",
                (channel, INTERRUPTED, key, value),
            )
            .fetchone()
        )
        return row is not None

    def _sent_recently(self, db: sqlite3.Connection, target: str, now: float) -> list[float]:
        rows = db.execute(
            "SELECT sent_at FROM outbox WHERE target = ? AND state = 'sent' AND sent_at > ?"
            " ORDER BY sent_at",
            (target, now - 60),
        )
        return [r[0] for r in rows]

    def deliver_due(self, now: float | None = None) -> int:
        """Send what is due now, oldest first per target, within each target's pace."""
        now = self.clock() if now is None else now
        db = self.journal.connection()
        rows = db.execute(
            "SELECT id, bot_id, channel, target, body, attempts, next_attempt_at FROM outbox"
            " WHERE state = 'pending' ORDER BY id"
        ).fetchall()
        blocked: set[str] = set()  # a target whose oldest message waits holds back the rest
        sent = 0
        for row in rows:
            target = row["target"]
            if target in blocked:
                continue
            if row["next_attempt_at"] > now:
                blocked.add(target)
                continue
            limit = PER_MINUTE.get(row["channel"])
            if limit is not None:
                recent = self._sent_recently(db, target, now)
                if len(recent) >= limit:
                    blocked.add(target)
                    continue
            claimed = db.execute(
                "UPDATE outbox SET state = 'sending', attempts = attempts + 1"
                " WHERE id = ? AND state = 'pending'",
                (row["id"],),
            ).rowcount
            if not claimed:  # another process took it
                continue
            result = self.sender(row["channel"], target, json.loads(row["body"]), row["bot_id"])
            kind = row["channel"] if row["channel"] in ("webhook", "alert_webhook") else None
            if result.ok:
                db.execute(
                    "UPDATE outbox SET state = 'sent', sent_at = ?, last_error = NULL WHERE id = ?",
                    (now, row["id"]),
                )
                sent += 1
                if kind:
                    self.bindings.succeeded(row["bot_id"], kind)
                continue
            attempts = row["attempts"] + 1
            final = not result.retry or attempts >= MAX_ATTEMPTS
            db.execute(
                "UPDATE outbox SET state = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
                (
                    "failed" if final else "pending",
                    now + backoff(attempts),
                    result.error,
                    row["id"],
                ),
            )
            log.warning("outbox %s to %s: %s", row["id"], row["channel"], result.error)
            if kind:
                self.bindings.failed(row["bot_id"], kind, result.error, broken=result.broken)
            blocked.add(target)
        return sent

    def next_due(self) -> float | None:
        row = (
            self.journal.connection()
            .execute("SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending'")
            .fetchone()
        )
        due: float | None = row[0]  # NULL when nothing is pending
        return due

    def backlog(self) -> int:
        """How many messages are waiting to be sent (being sent included)."""
        row = (
            self.journal.connection()
            .execute("SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')")
            .fetchone()
        )
        count: int = row[0]
        return count

    def progress(self, ids: list[int]) -> list[Progress]:
        """Where each of these messages stands, in the order of their ids."""
        marks = ",".join("?" * len(ids))
        rows = self.journal.connection().execute(
            f"SELECT state, last_error, attempts FROM outbox WHERE id IN ({marks}) ORDER BY id",
            ids,
        )
        return [Progress(r["state"], r["last_error"], r["attempts"]) for r in rows]

    def wait_delivered(
        self,
        ids: list[int],
        *,
        deliver: bool = False,
        timeout: float | None = None,
        retries: bool = True,
    ) -> Delivered:
        """Wait until these messages are all sent or one has failed.
        `deliver`: send them from here (the command line), or (False) let the running
        server's worker do it (the studio). `retries`: wait while a failed attempt is
        retried; False takes the first error as the answer (a test message, whose sender
        wants to know at once). `timeout`: seconds, after which it is "waiting"."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if deliver:
                self.deliver_due()
            states = self.progress(ids)
            if all(p.state == "sent" for p in states):
                return Delivered("sent")
            for p in states:
                if p.state == "failed" or (not retries and p.last_error):
                    return Delivered("failed", p.last_error or "")
            pause = 0.2
            if deliver:  # wait out the pace when a long message needs it
                due = self.next_due() or self.clock() + 1
                pause = min(max(due - self.clock(), 0.2), 5)
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return Delivered("waiting")
                pause = min(pause, left)
            time.sleep(pause)

    def wake(self) -> None:
        """Deliver now rather than at the next idle tick (new rows, or shutting down)."""
        self._wake.set()

    def run(self, stop: threading.Event, idle: float = 1.0) -> None:
        """The delivery loop of a running server."""
        self.recover()
        while not stop.is_set():
            try:
                self.deliver_due()
            except Exception:  # keep delivering: one bad row must not stop the others
                log.exception("outbox delivery failed")
            self._wake.wait(idle)
            self._wake.clear()


def failed_since(
    journal: Journal, since: float, bot_id: str | None = None
) -> list[tuple[float, str, str]]:
    """(queued at, bot, why) of each message given up on that was queued after `since`:
    for one bot, or (None) for all. For reports, which have the journal and no outbox."""
    mine = "" if bot_id is None else " AND bot_id = ?"
    args = (since,) if bot_id is None else (since, bot_id)
    rows = journal.connection().execute(
        "SELECT created_at, bot_id, last_error FROM outbox WHERE state = 'failed'"
        " AND created_at > ?" + mine,
        args,
    )
    return [(at, bot, error or "") for at, bot, error in rows]
