"""The inbox: every message from a channel is journaled before the channel hears back.

The (channel, bot, msgid) key is unique, so WeCom delivering the same message
twice, or three times at once, journals it once: the database decides, not a
race between requests.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from typing import Any, cast

from runtime.store.db import Journal
from runtime.store.events import EventLog

# The channels as a marketer tells them apart: WeCom's three ways in are one.
CHANNEL_FAMILIES: dict[str, tuple[str, ...]] = {
    "wecom": ("aibot", "app", "longconn"),
    "kf": ("kf",),
    "web": ("web",),
    "api": ("api",),
}


def family_of(channel: str) -> str:
    return next((f for f, members in CHANNEL_FAMILIES.items() if channel in members), channel)


# (speaker, channel) of each person who wrote to the bot (the parameter), with the channel
# of their first message: a customer counts under the channel they came in by, as under
# their first campaign and their first variant.
FIRST_CHANNELS = (
    "(SELECT speaker, channel FROM inbox WHERE id IN"
    " (SELECT MIN(id) FROM inbox WHERE bot_id = ? GROUP BY speaker))"
)


def people_on(family: str, column: str = "user") -> tuple[str, tuple[str, ...]]:
    """An SQL condition, `column` is a person who first wrote on a channel of `family`, and
    its parameters after the bot id's."""
    members = CHANNEL_FAMILIES.get(family, (family,))
    marks = ",".join("?" * len(members))
    return f"{column} IN (SELECT speaker FROM {FIRST_CHANNELS} WHERE channel IN ({marks}))", members


@dataclass(frozen=True)
class ReplyRoute:
    """Where the answer to a message goes. `mode` picks the responder's deliverer:
    stream (WeCom polls the stream board), response_url (the outbox posts to it),
    longconn (the outbox sends on the socket, by req_id), app (message/send), kf (微信客服
    send_msg), asked (a caller on the line reads the stream board: the API, the web
    chat), none."""

    mode: str = "none"
    stream_id: str | None = None  # a streamed reply's id on the stream board
    response_url: str | None = None
    req_id: str | None = None  # the long connection's request being answered
    # a caller on the line (runtime/channels/asking.py): the conversation it sends, the
    # checked sampling settings, its own instructions; None/"": the bot's own
    history: list[dict[str, str]] | None = None
    settings: dict[str, Any] | None = None
    note: str = ""

    def to_json(self) -> str:  # the inbox's `reply` column
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ReplyRoute:
        known = {k: v for k, v in json.loads(text or "{}").items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class Inbound:
    channel: str  # aibot | app | longconn | kf
    bot_id: str
    msgid: str
    conversation: str  # group chat id, or the user in a 1:1 chat
    speaker: str
    text: str
    route: ReplyRoute = field(default_factory=ReplyRoute)  # how to answer


@dataclass(frozen=True)
class InboxMessage:
    """A journaled message: one row of the inbox."""

    id: int
    channel: str
    bot_id: str
    msgid: str
    conversation: str
    speaker: str
    text: str
    route: ReplyRoute
    state: str  # received | answered | ignored | context (kept, never answered)
    answer: str | None
    received_at: float
    answered_at: float | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> InboxMessage:
        return cls(
            id=row["id"],
            channel=row["channel"],
            bot_id=row["bot_id"],
            msgid=row["msgid"],
            conversation=row["conversation"],
            speaker=row["speaker"],
            text=row["text"],
            route=ReplyRoute.from_json(row["reply"]),
            state=row["state"],
            answer=row["answer"],
            received_at=row["received_at"],
            answered_at=row["answered_at"],
        )


class Inbox:
    def __init__(self, journal: Journal):
        self.journal = journal

    def accept(
        self,
        message: Inbound,
        *,
        state: str = "received",
        db: sqlite3.Connection | None = None,
    ) -> tuple[int, bool]:
        """Journal a message: (its row id, True) the first time; (the first's id, False) after.
        `state`: "context" for what is kept but never answered (a 微信客服 servicer's words, a
        system event). `db`: within the caller's transaction (a 微信客服 page is journaled with
        its cursor), else in one of its own."""
        if db is None:
            with self.journal.transaction() as tx:
                return self._accept(message, state, tx)
        return self._accept(message, state, db)

    def _accept(self, message: Inbound, state: str, db: sqlite3.Connection) -> tuple[int, bool]:
        cursor = db.execute(
            "INSERT OR IGNORE INTO inbox (channel, bot_id, msgid, conversation, speaker, text,"
            " reply, state, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                message.channel,
                message.bot_id,
                message.msgid,
                message.conversation,
                message.speaker,
                message.text,
                message.route.to_json(),
                state,
                time.time(),
            ),
        )
        if cursor.rowcount:
            return cast(int, cursor.lastrowid), True  # set: the INSERT added a row
        row = db.execute(
            "SELECT id FROM inbox WHERE channel = ? AND bot_id = ? AND msgid = ?",
            (message.channel, message.bot_id, message.msgid),
        ).fetchone()
        return row[0], False

    def seen(self, channel: str, bot_id: str, msgid: str) -> bool:
        """Whether this message is journaled already."""
        row = (
            self.journal.connection()
            .execute(
                "SELECT 1 FROM inbox WHERE channel = ? AND bot_id = ? AND msgid = ?",
                (channel, bot_id, msgid),
            )
            .fetchone()
        )
        return row is not None

    def heard_from(self, channel: str, bot_id: str, speaker: str) -> bool:
        """Whether `speaker` ever wrote to the bot through `channel`."""
        row = (
            self.journal.connection()
            .execute(
                "SELECT 1 FROM inbox WHERE bot_id = ? AND speaker = ? AND channel = ? LIMIT 1",
                (bot_id, speaker, channel),
            )
            .fetchone()
        )
        return row is not None

    def get(self, inbox_id: int) -> InboxMessage | None:
        row = (
            self.journal.connection()
            .execute("SELECT * FROM inbox WHERE id = ?", (inbox_id,))
            .fetchone()
        )
        return None if row is None else InboxMessage.from_row(row)

    def by_stream(self, bot_id: str, stream_id: str) -> InboxMessage | None:
        """The message a streamed reply answers (WeCom polls for it by the stream's id)."""
        row = (
            self.journal.connection()
            .execute(
                "SELECT * FROM inbox WHERE bot_id = ? AND json_extract(reply, '$.stream_id') = ?",
                (bot_id, stream_id),
            )
            .fetchone()
        )
        return None if row is None else InboxMessage.from_row(row)

    def count_since(self, bot_id: str, speaker: str, since: float, until: float) -> int:
        """How many messages this person sent the bot in (since, until]: for the rate limit,
        which judges a message by what came before it (and itself), never after."""
        count: int = (
            self.journal.connection()
            .execute(
                "SELECT COUNT(*) FROM inbox WHERE bot_id = ? AND speaker = ?"
                " AND received_at > ? AND received_at <= ?",
                (bot_id, speaker, since, until),
            )
            .fetchone()[0]
        )
        return count

    def by_channel(self, bot_id: str) -> dict[str, tuple[int, int]]:
        """channel family -> (people who first wrote on it, messages answered on it)."""
        found: dict[str, list[int]] = {}
        people = self.journal.connection().execute(
            f"SELECT channel, COUNT(*) FROM {FIRST_CHANNELS} GROUP BY channel", (bot_id,)
        )
        for channel, n in people:
            found.setdefault(family_of(channel), [0, 0])[0] += n
        answered = self.journal.connection().execute(
            "SELECT channel, COUNT(*) FROM inbox WHERE bot_id = ? AND state = 'answered'"
            " GROUP BY channel",
            (bot_id,),
        )
        for channel, n in answered:
            found.setdefault(family_of(channel), [0, 0])[1] += n
        return {family: (people_n, replies) for family, (people_n, replies) in found.items()}

    def unanswered(self) -> list[int]:
        rows = self.journal.connection().execute(
            "SELECT id FROM inbox WHERE state = 'received' ORDER BY id"
        )
        return [r[0] for r in rows]

    def waiting(self) -> int:
        """How many messages wait for an answer."""
        count: int = (
            self.journal.connection()
            .execute("SELECT COUNT(*) FROM inbox WHERE state = 'received'")
            .fetchone()[0]
        )
        return count

    def ignored_since(
        self, since: float, bot_id: str | None = None
    ) -> list[tuple[float, str, str]]:
        """(received at, bot, text) of each message left unanswered (its bot could not
        answer) received after `since`: for one bot, or (None) for all."""
        mine = "" if bot_id is None else " AND bot_id = ?"
        args = (since,) if bot_id is None else (since, bot_id)
        rows = self.journal.connection().execute(
            "SELECT received_at, bot_id, text FROM inbox WHERE state = 'ignored'"
            " AND received_at > ?" + mine,
            args,
        )
        return [(at, bot, text) for at, bot, text in rows]

    def forget_speaker(self, bot_id: str, speaker: str, db: sqlite3.Connection) -> None:
        """Erase what one person wrote to a bot and what was answered (the rows stay, so
        that a redelivery is still recognised), in the caller's transaction."""
        db.execute(
            "UPDATE inbox SET text = '', answer = NULL WHERE bot_id = ? AND speaker = ?",
            (bot_id, speaker),
        )

    def finish(
        self, inbox_id: int, state: str, answer: str | None, db: sqlite3.Connection | None = None
    ) -> None:
        sql = "UPDATE inbox SET state = ?, answer = ?, answered_at = ? WHERE id = ?"
        args = (state, answer, time.time(), inbox_id)
        if db is not None:
            db.execute(sql, args)
        else:
            with self.journal.transaction() as tx:
                tx.execute(sql, args)

    def record_event(
        self, bot_id: str, kind: str, user: str | None, payload: dict[str, Any]
    ) -> None:
        """A WeCom event as it came (enter_chat, template card clicks...), for the record."""
        EventLog(self.journal).record(bot_id, kind, user, payload)
