"""Where reading each 微信客服 account's messages has got to: `sync_msg`'s cursor per (corp
id, open_kfid), in the journal's kf_cursors table, whose SQL is all here.

A cursor is kept (`keep`) in the transaction that journals the messages of the page it
follows: committed together, a crash leaves either both or neither, so a message is never
lost (cursor moved, rows gone) nor journaled twice (rows kept, cursor behind; the inbox's
unique key would catch that too). No cursor means the account was never read: `sync_msg`
then starts at the oldest message of the last three days.
"""

from __future__ import annotations

import sqlite3
import time

from runtime.store.db import Journal


class KfCursors:
    def __init__(self, journal: Journal):
        self.journal = journal

    def get(self, corp_id: str, open_kfid: str) -> str | None:
        """The cursor after the last page journaled; None for an account never read."""
        row = (
            self.journal.connection()
            .execute(
                "SELECT cursor FROM kf_cursors WHERE corp_id = ? AND open_kfid = ?",
                (corp_id, open_kfid),
            )
            .fetchone()
        )
        return None if row is None else str(row[0])

    def keep(self, corp_id: str, open_kfid: str, cursor: str, db: sqlite3.Connection) -> None:
        """Move the account's cursor, in the caller's transaction (the one holding the rows
        its page produced)."""
        db.execute(
            "INSERT INTO kf_cursors (corp_id, open_kfid, cursor, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (corp_id, open_kfid) DO UPDATE SET cursor = excluded.cursor,"
            " updated_at = excluded.updated_at",
            (corp_id, open_kfid, cursor, time.time()),
        )
