"""Who has each 微信客服 session, as far as we know: the journal's kf_sessions table, whose
SQL is all here.

A session is one customer with one kf account (KF.md §6). While a person has it (queued,
or taken by a servicer) the bot is silent: what the customer writes is the person's to
answer. We learn of a change from our own handovers (set when the handover is queued, so
that the customer's next words already wait for the person) and from WeCom's
`session_status_change` events (a servicer taking, moving or ending a session in the WeCom
client). A session WeCom ends by itself (48 quiet hours) sends no event, so a person's hold
older than that no longer silences the bot.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from runtime.store.db import Journal
from runtime.wecom.kf_messages import BOT, ENDED, HUMAN, QUEUED

HOLD_FOR = 48 * 3600  # a session ends by itself after 48 quiet hours
PERSON = (QUEUED, HUMAN)

# session_status_change's change_type -> the state it leaves (KF.md §3): 1 taken from the
# queue, 2 moved to another servicer, 3 ended, 4 an ended or moved session taken again
CHANGES = {1: HUMAN, 2: HUMAN, 3: ENDED, 4: HUMAN}


@dataclass(frozen=True)
class KfSession:
    customer: str
    state: int
    servicer: str | None
    why: str | None  # words | rule | studio | wecom
    updated_at: float


class KfSessions:
    def __init__(self, journal: Journal):
        self.journal = journal

    def get(
        self, corp_id: str, open_kfid: str, customer: str, db: sqlite3.Connection | None = None
    ) -> KfSession | None:
        row = (
            (db or self.journal.connection())
            .execute(
                "SELECT * FROM kf_sessions WHERE corp_id = ? AND open_kfid = ? AND customer = ?",
                (corp_id, open_kfid, customer),
            )
            .fetchone()
        )
        return None if row is None else _session(row)

    def person_has(
        self,
        corp_id: str,
        open_kfid: str,
        customer: str,
        db: sqlite3.Connection | None = None,
        now: float | None = None,
    ) -> bool:
        """Whether a person has (or is about to have) this customer's session: the bot is
        silent then."""
        session = self.get(corp_id, open_kfid, customer, db)
        if session is None or session.state not in PERSON:
            return False
        return (time.time() if now is None else now) - session.updated_at < HOLD_FOR

    def set(
        self,
        corp_id: str,
        open_kfid: str,
        customer: str,
        state: int,
        *,
        servicer: str | None = None,
        why: str,
        db: sqlite3.Connection | None = None,
        at: float | None = None,
    ) -> None:
        (db or self.journal.connection()).execute(
            "INSERT INTO kf_sessions (corp_id, open_kfid, customer, state, servicer, why,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (corp_id, open_kfid, customer) DO UPDATE SET state = excluded.state,"
            " servicer = excluded.servicer, why = excluded.why, updated_at = excluded.updated_at",
            (
                corp_id,
                open_kfid,
                customer,
                state,
                servicer or None,
                why,
                time.time() if at is None else at,
            ),
        )

    def changed(
        self,
        corp_id: str,
        open_kfid: str,
        customer: str,
        change_type: int | None,
        servicer: str,
        db: sqlite3.Connection,
        at: float,
    ) -> None:
        """A session_status_change event: a person in WeCom moved the session."""
        state = CHANGES.get(change_type or 0)
        if state is not None and customer:
            self.set(
                corp_id, open_kfid, customer, state, servicer=servicer, why="wecom", db=db, at=at
            )

    def back_to_bot(
        self, corp_id: str, open_kfid: str, customer: str, why: str, db: sqlite3.Connection | None
    ) -> None:
        """A handover that did not happen: the bot answers this customer again."""
        self.set(corp_id, open_kfid, customer, BOT, why=why, db=db)

    def of_account(self, corp_id: str, open_kfid: str) -> dict[str, KfSession]:
        """customer -> their session, for the studio."""
        rows = self.journal.connection().execute(
            "SELECT * FROM kf_sessions WHERE corp_id = ? AND open_kfid = ?", (corp_id, open_kfid)
        )
        return {row["customer"]: _session(row) for row in rows}


def _session(row: sqlite3.Row) -> KfSession:
    return KfSession(row["customer"], row["state"], row["servicer"], row["why"], row["updated_at"])
