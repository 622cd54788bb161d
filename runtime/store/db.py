"""The journal: one SQLite file (WAL) under the data directory, migrated in order.

Each thread gets its own connection; SQLite in WAL mode lets readers run while
one writer commits. Migrations are an ordered list, applied once each, as in
simonw/llm: never edit one that has shipped, append a new one.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from runtime.store.damaged import DamagedState
from runtime.store.private import create_private, private_dir, private_file

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_messages(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            bot_id TEXT NOT NULL,
            conversation TEXT NOT NULL,   -- user id, or group chat id
            speaker TEXT,                 -- who spoke, in a group; NULL otherwise
            role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
            content TEXT NOT NULL,
            variant TEXT,
            created_at REAL NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX messages_by_conversation ON messages (bot_id, conversation, id)")


@migration
def m002_inbox_outbox(db: sqlite3.Connection) -> None:
    # Every message from WeCom lands here before WeCom gets its answer; the unique key
    # makes a second delivery of the same msgid a no-op, also when both arrive at once.
    db.execute(
        """
        CREATE TABLE inbox (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,        -- aibot | app | longconn
            bot_id TEXT NOT NULL,
            msgid TEXT NOT NULL,
            conversation TEXT NOT NULL,   -- the group chat id, or the user id in a 1:1 chat
            speaker TEXT NOT NULL,        -- the user who wrote it
            text TEXT NOT NULL,
            reply TEXT NOT NULL,          -- JSON: how to answer (format, response_url, stream id)
            state TEXT NOT NULL DEFAULT 'received',  -- received | answered | ignored
            answer TEXT,                  -- the reply, once there is one
            received_at REAL NOT NULL,
            answered_at REAL,
            UNIQUE (channel, bot_id, msgid)
        )
        """
    )
    db.execute("CREATE INDEX inbox_pending ON inbox (state, id)")
    # Every reply is written here before it is sent; a worker delivers, paces and retries.
    db.execute(
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            bot_id TEXT NOT NULL,
            channel TEXT NOT NULL,        -- webhook | alert_webhook | response_url | app
            target TEXT NOT NULL,         -- what pacing counts per: a webhook, a url, a user
            body TEXT NOT NULL,           -- JSON to POST
            state TEXT NOT NULL DEFAULT 'pending',  -- pending | sending | sent | failed
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL,
            last_error TEXT,
            inbox_id INTEGER REFERENCES inbox (id),
            created_at REAL NOT NULL,
            sent_at REAL
        )
        """
    )
    db.execute("CREATE INDEX outbox_due ON outbox (state, next_attempt_at, id)")
    db.execute("CREATE INDEX outbox_sent ON outbox (target, sent_at)")
    # What happened, for reports (runtime/store/events.py).
    db.execute(
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            bot_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            user TEXT,
            payload TEXT NOT NULL,        -- JSON
            created_at REAL NOT NULL
        )
        """
    )


@migration
def m003_leads(db: sqlite3.Connection) -> None:
    # One person, one lead per bot: later conversations update it. `fields` holds each
    # captured value with the message it came from and when; `declined` the fields the
    # person would rather not give, which are never asked again.
    db.execute(
        """
        CREATE TABLE leads (
            id INTEGER PRIMARY KEY,
            bot_id TEXT NOT NULL,
            user TEXT NOT NULL,
            conversation TEXT NOT NULL,
            variant TEXT,
            fields TEXT NOT NULL DEFAULT '{}',     -- JSON: key -> {value, message, at, where}
            declined TEXT NOT NULL DEFAULT '[]',   -- JSON: field keys
            asked TEXT NOT NULL DEFAULT '{}',      -- JSON: key -> times asked
            last_asked TEXT,                       -- the field the last reply asked for
            converted INTEGER NOT NULL DEFAULT 0,
            converted_at REAL,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            UNIQUE (bot_id, user)
        )
        """
    )


@migration
def m004_assignments(db: sqlite3.Connection) -> None:
    # Who sees which variant, fixed at first contact: changing weights later moves nobody.
    db.execute(
        """
        CREATE TABLE assignments (
            bot_id TEXT NOT NULL,
            seed TEXT NOT NULL,
            user TEXT NOT NULL,
            variant TEXT NOT NULL,
            assigned_at REAL NOT NULL,
            PRIMARY KEY (bot_id, seed, user)
        )
        """
    )


@migration
def m005_event_variant(db: sqlite3.Connection) -> None:
    # Which variant answered, so reports and the overview need no second lookup.
    db.execute("ALTER TABLE events ADD COLUMN variant TEXT")
    db.execute("CREATE INDEX events_by_bot ON events (bot_id, kind, created_at)")


@migration
def m006_schedules(db: sqlite3.Connection) -> None:
    # Every run of a scheduled push: when it was due, what was sent, and how it went. The
    # unique key lets only one process run a given due time, also when two are running.
    db.execute(
        """
        CREATE TABLE schedule_runs (
            id INTEGER PRIMARY KEY,
            bot_id TEXT NOT NULL,
            schedule_id TEXT NOT NULL,
            trigger TEXT NOT NULL,        -- cron | manual
            due_at REAL NOT NULL,
            started_at REAL NOT NULL,
            finished_at REAL,
            state TEXT NOT NULL,          -- running | queued | failed | missed
            missed INTEGER NOT NULL DEFAULT 0,  -- earlier due times coalesced into this run
            text TEXT,                    -- what was sent
            error TEXT,
            outbox_ids TEXT NOT NULL DEFAULT '[]',  -- JSON: the messages that carry it
            UNIQUE (bot_id, schedule_id, trigger, due_at)
        )
        """
    )
    db.execute("CREATE INDEX schedule_runs_latest ON schedule_runs (bot_id, schedule_id, id)")
    # Since when a schedule (with this cron and time zone) has been known: a new or edited
    # schedule starts from then, and never "catches up" on times before it existed.
    db.execute(
        """
        CREATE TABLE schedule_state (
            bot_id TEXT NOT NULL,
            schedule_id TEXT NOT NULL,
            cron_key TEXT NOT NULL,
            since REAL NOT NULL,
            PRIMARY KEY (bot_id, schedule_id)
        )
        """
    )


@migration
def m007_inbox_by_speaker(db: sqlite3.Connection) -> None:
    # The rate limit counts one person's recent messages on every message: 9.6 ms with
    # 100,000 rows without this index (bench/operation.py).
    db.execute("CREATE INDEX inbox_by_speaker ON inbox (bot_id, speaker, received_at)")


@migration
def m008_binding_health(db: sqlite3.Connection) -> None:
    # Each WeCom binding's health (runtime/wecom/bindings.py): it changes on every
    # delivery, so it lives here with the outbox, not in the settings file. Versions
    # before this one kept it in settings.json; Bindings carries it over once from there.
    db.execute(
        """
        CREATE TABLE binding_health (
            bot_id TEXT NOT NULL,
            kind TEXT NOT NULL,           -- webhook | alert_webhook | aibot | longconn | app
            last_success REAL,
            last_error TEXT,              -- what went wrong last, as stored (reasons.py)
            last_error_at REAL,
            broken INTEGER,               -- 1: a bad key or secret; retrying will not help
            PRIMARY KEY (bot_id, kind)
        )
        """
    )


@migration
def m009_kf_cursors(db: sqlite3.Connection) -> None:
    # Where reading each 微信客服 account's messages (sync_msg) has got to
    # (runtime/wecom/kf_cursors.py). It is written in the same transaction as the inbox rows
    # its page produced, so a crash can neither lose a message nor journal one twice; losing
    # it would replay three days of messages.
    db.execute(
        """
        CREATE TABLE kf_cursors (
            corp_id TEXT NOT NULL,
            open_kfid TEXT NOT NULL,
            cursor TEXT NOT NULL,         -- sync_msg's next_cursor after the last page journaled
            updated_at REAL NOT NULL,
            PRIMARY KEY (corp_id, open_kfid)
        )
        """
    )


@migration
def m010_sources_and_kf_sessions(db: sqlite3.Connection) -> None:
    # Where each customer came from (runtime/store/sources.py): the first campaign is
    # theirs for reports, as a variant is (first touch); the latest is kept beside it.
    db.execute(
        """
        CREATE TABLE sources (
            bot_id TEXT NOT NULL,
            user TEXT NOT NULL,
            channel TEXT NOT NULL,        -- kf | web | api …
            source TEXT NOT NULL,         -- the first campaign (a contact link's scene)
            detail TEXT,                  -- its scene_param, when the link carried one
            last_source TEXT NOT NULL,
            first_at REAL NOT NULL,
            last_at REAL NOT NULL,
            PRIMARY KEY (bot_id, user)
        )
        """
    )
    # A lead's source, copied from the person's when the lead is made (or learnt later).
    db.execute("ALTER TABLE leads ADD COLUMN source TEXT")
    # Who has each 微信客服 session (runtime/wecom/kf_sessions.py): while a person has it
    # (queued or taken), the bot is silent. Changed by our handovers and by WeCom's
    # session_status_change events (a servicer's own moves).
    db.execute(
        """
        CREATE TABLE kf_sessions (
            corp_id TEXT NOT NULL,
            open_kfid TEXT NOT NULL,
            customer TEXT NOT NULL,
            state INTEGER NOT NULL,       -- KF.md §6: 0 new, 1 bot, 2 queued, 3 human, 4 ended
            servicer TEXT,
            why TEXT,                     -- words | rule | studio | wecom
            updated_at REAL NOT NULL,
            PRIMARY KEY (corp_id, open_kfid, customer)
        )
        """
    )
    # 微信客服 customers' nicknames (customer/batchget), for the studio's lead view only;
    # nothing else WeCom knows of them is kept.
    db.execute(
        """
        CREATE TABLE kf_customers (
            corp_id TEXT NOT NULL,
            customer TEXT NOT NULL,
            nickname TEXT NOT NULL,
            fetched_at REAL NOT NULL,
            PRIMARY KEY (corp_id, customer)
        )
        """
    )


@migration
def m011_kf_links(db: sqlite3.Connection) -> None:
    # The contact links made for each campaign (runtime/wecom/kf_links.py): WeCom gives a
    # URL once per add_contact_way call; keeping it lets the studio list and re-show them.
    db.execute(
        """
        CREATE TABLE kf_links (
            id INTEGER PRIMARY KEY,
            bot_id TEXT NOT NULL,
            open_kfid TEXT NOT NULL,
            scene TEXT NOT NULL,          -- the campaign's key: comes back in enter_session
            label TEXT NOT NULL,          -- the marketer's name for the campaign
            url TEXT NOT NULL,
            created_at REAL NOT NULL,
            UNIQUE (bot_id, open_kfid, scene)
        )
        """
    )


# What SQLite says when a file is not a database it can use: not a database at all
# (SQLITE_NOTADB), a damaged one (SQLITE_CORRUPT), or one it cannot open
# (SQLITE_CANTOPEN). Anything else (a busy database, a full disk) is not the file's fault.
DAMAGED = {26: "not_sqlite", 11: "not_sqlite", 14: "unreadable"}
DAMAGED_TEXT = {
    "file is not a database": 26,
    "database disk image is malformed": 11,
    "unable to open database file": 14,
}  # Python 3.10 has no error codes


class Journal:
    def __init__(self, path: Path):
        self.path = path
        private_dir(path.parent)
        # SQLite creates -wal and -shm with the main file's mode: 0600 from the start
        if not create_private(path):
            if path.is_file() and path.stat().st_size == 0:
                # a journal in WAL mode is never empty: its header is written at once
                raise DamagedState("journal", path, "empty")
            for existing in (path, _beside(path, "-wal"), _beside(path, "-shm")):
                private_file(existing)  # also files an older version left readable
        self._local = threading.local()
        # Writers in this process queue here and are woken the moment the one before
        # commits; waiting in SQLite's busy handler instead sleeps 1, 2, 5, 10… ms, which
        # under a burst of callbacks put tens of milliseconds into acknowledgements.
        # (Other processes, such as the CLI, still meet the busy timeout.)
        self._writer = threading.RLock()
        try:
            self._migrate()
        except sqlite3.DatabaseError as exc:
            code = getattr(exc, "sqlite_errorcode", None) or DAMAGED_TEXT.get(str(exc), 0)
            problem = DAMAGED.get(code & 0xFF)  # extended codes carry the primary one below
            if problem is None:
                raise
            self.close()
            raise DamagedState("journal", path, problem) from None

    def connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            try:
                db.row_factory = sqlite3.Row
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes
                db.execute("PRAGMA foreign_keys=ON")
            except BaseException:
                db.close()
                raise
            self._local.db = db
        return db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.connection()
        with self._writer:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _migrate(self) -> None:
        with self.transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY)")
            done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
            for name, apply in MIGRATIONS:
                if name not in done:
                    apply(db)
                    db.execute("INSERT INTO _migrations (name) VALUES (?)", (name,))

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


def _beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)
