"""One page of 微信客服 messages into the journal, in one transaction with the cursor after it.

Every item becomes an inbox row (the inbox's unique key is the dedupe set KF.md asks for:
an item that comes twice, in one drain or across drains, is journaled once and acted on
once). What each item is:

- a customer's text, or the text of a menu item they tapped: "received", for the responder
  (dialogue, then `send_msg` through the outbox); or, when it asks for a person (the bot's
  handover words), the handover (`kf_handover`), queued in the same transaction;
- a customer's words while a person has their session: "context", never answered by the
  bot; they join the conversation, so that the bot knows them when it speaks again;
- a customer's picture, voice, file, location…: answered at once with the bot's polite
  "I can read text only" line (its own, or the string table's), queued in the same
  transaction;
- a servicer's words (origin 5): "context", never answered; its text joins the customer's
  conversation, so that the bot knows what a person said when it speaks again;
- an event (origin 4): "context", and an event row for reports. `enter_session` records the
  customer's source (`scene`, `scene_param`: runtime/store/sources) and, with a
  `welcome_code` still fresh, queues the bot's greeting (the customer's variant's) for
  `send_msg_on_event`; `session_status_change` records who has the session now.

Customer messages older than WeCom lets us answer (48 hours), or, on an account read for
the first time, older than a few minutes (the first read returns three days, and answering
them all at once is how one project hit the five-message limit), are kept as context.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from runtime.channels.wecom.kf_accounts import BoundAccount
from runtime.channels.wecom.kf_handover import asks_for_person, hand_over
from runtime.channels.wecom.kf_send import CHANNEL, queue_reply
from runtime.dialogue import Dialogue, UnknownBot
from runtime.i18n import STRINGS, language_from_env, t
from runtime.inbox import Inbound, Inbox, ReplyRoute
from runtime.leads.store import LeadStore
from runtime.outbox import Outbox
from runtime.spec import BotSpec, SpecError
from runtime.store import Turn
from runtime.store.events import EventLog
from runtime.store.sources import Sources
from runtime.wecom.kf import KfMessage
from runtime.wecom.kf_cursors import KfCursors
from runtime.wecom.kf_messages import CUSTOMER, SERVICER
from runtime.wecom.kf_sessions import KfSessions

log = logging.getLogger(__name__)
ANSWER_WITHIN = 48 * 3600 - 600  # WeCom refuses replies 48 h after the customer wrote
FIRST_READ_WITHIN = 600  # an account read for the first time: only the last ten minutes
WELCOME_WITHIN = 20  # seconds a welcome_code lives
SOURCE_EVENT = "kf.enter_session"  # where a customer came from: {scene, scene_param, …}


@dataclass
class Journaled:
    """What one page left to do once it is committed."""

    answer: list[int] = field(default_factory=list)  # inbox rows for the responder
    wrote: set[str] = field(default_factory=set)  # customers who wrote: a new allowance


class KfIntake:
    def __init__(
        self,
        inbox: Inbox,
        outbox: Outbox,
        dialogue: Dialogue,
        cursors: KfCursors,
    ):
        self.inbox, self.outbox, self.dialogue, self.cursors = inbox, outbox, dialogue, cursors
        self.events = EventLog(inbox.journal)
        self.sources = Sources(inbox.journal)
        self.sessions = KfSessions(inbox.journal)
        self.leads = LeadStore(inbox.journal)

    def take(
        self,
        account: BoundAccount,
        messages: Sequence[KfMessage],
        cursor: str,
        *,
        since: float,
        now: float,
    ) -> Journaled:
        """Journal `messages` (a page, oldest first) and move the account's cursor to `cursor`,
        all in one transaction. Customer messages sent before `since` are kept as context."""
        mine = [m for m in messages if not m.open_kfid or m.open_kfid == account.open_kfid]
        spec = self._spec(account.bot_id)
        greetings = self._greetings(account.bot_id, mine, now)  # the dialogue writes its own
        done = Journaled()
        with self.inbox.journal.transaction() as db:
            for message in mine:
                if message.event is not None:
                    self._event(db, account, message, greetings.get(message.msgid, ""))
                elif message.origin == CUSTOMER:
                    self._customer(db, account, message, message.send_time >= since, spec, done)
                else:
                    self._context(db, account, message)
            self.cursors.keep(account.corp_id, account.open_kfid, cursor, db)
        return done

    # --- each kind of item -----------------------------------------------------------------

    def _customer(
        self,
        db: sqlite3.Connection,
        account: BoundAccount,
        message: KfMessage,
        fresh: bool,
        spec: BotSpec | None,
        done: Journaled,
    ) -> None:
        customer = message.external_userid
        words = message.text.strip() if message.msgtype == "text" else ""
        key = (account.corp_id, account.open_kfid, customer)
        if self.sessions.person_has(*key, db, now=message.send_time):
            self._for_person(db, account, message, words)
            return
        inbound = _inbound(account, message, customer, words, ReplyRoute(CHANNEL))
        blank = message.msgtype == "text" and not words  # only spaces: nothing to answer
        answerable = fresh and not blank and spec is not None
        inbox_id, first = self.inbox.accept(
            inbound, state="received" if answerable else "context", db=db
        )
        if spec is None or not (first and answerable):
            return
        done.wrote.add(customer)
        if words and asks_for_person(spec, words):
            self._hand_over(db, account, spec, message, words, inbox_id)
            return
        if words:
            done.answer.append(inbox_id)
            return
        # a picture, a voice message, a file…
        polite = spec.kf.text_only_reply or t("reply.text_only", spec.language)
        queue_reply(
            self.outbox,
            account.bot_id,
            account.open_kfid,
            customer,
            polite,
            message.msgid,
            db,
            inbox_id=inbox_id,
        )
        self.inbox.finish(inbox_id, "answered", polite, db=db)

    def _hand_over(
        self,
        db: sqlite3.Connection,
        account: BoundAccount,
        spec: BotSpec,
        message: KfMessage,
        words: str,
        inbox_id: int,
    ) -> None:
        customer = message.external_userid
        lead = self.leads.get(spec.id, customer)
        said = hand_over(
            self.outbox,
            self.sessions,
            account,
            spec,
            customer,
            "words",
            message.msgid,
            db,
            lead=lead,
            said=words,
            inbox_id=inbox_id,
        )
        self.dialogue.conversations.append(
            spec.id, customer, [Turn("user", words)], speaker=customer, db=db
        )
        self.inbox.finish(inbox_id, "answered", said or "", db=db)

    def _for_person(
        self, db: sqlite3.Connection, account: BoundAccount, message: KfMessage, words: str
    ) -> None:
        """A customer's message while a person has the session: theirs to answer."""
        customer = message.external_userid
        inbound = _inbound(account, message, customer, words)
        _, first = self.inbox.accept(inbound, state="context", db=db)
        if first and words:
            self.dialogue.conversations.append(
                account.bot_id, customer, [Turn("user", words)], speaker=customer, db=db
            )

    def _context(self, db: sqlite3.Connection, account: BoundAccount, message: KfMessage) -> None:
        customer = message.external_userid
        inbound = _inbound(account, message, message.servicer_userid or customer, message.text)
        _, first = self.inbox.accept(inbound, state="context", db=db)
        if first and message.origin == SERVICER and message.text.strip() and customer:
            self.dialogue.conversations.append(
                account.bot_id,
                customer,
                [Turn("assistant", message.text.strip())],
                speaker=message.servicer_userid or None,
                db=db,
            )

    def _event(
        self, db: sqlite3.Connection, account: BoundAccount, message: KfMessage, greeting: str
    ) -> None:
        event, customer = message.event, message.external_userid
        assert event is not None  # the caller checked
        inbound = _inbound(account, message, customer, "", text="")
        _, first = self.inbox.accept(inbound, state="context", db=db)
        if not first:
            return
        # the welcome code is spent below or useless later: it is not kept
        payload = {
            k: v for k, v in asdict(event).items() if v not in ("", None) and k != "welcome_code"
        }
        payload["open_kfid"] = account.open_kfid
        kind = f"kf.{event.event_type or 'event'}"
        self.events.record(account.bot_id, kind, customer or None, payload, db=db)
        if event.event_type == "enter_session" and event.scene and customer:
            self.sources.record(
                account.bot_id,
                customer,
                CHANNEL,
                event.scene,
                event.scene_param,
                at=message.send_time,
                db=db,
            )
            self.leads.learn_source(account.bot_id, customer, db)
        if event.event_type == "session_status_change":
            self.sessions.changed(
                account.corp_id,
                account.open_kfid,
                customer,
                event.change_type,
                event.new_servicer_userid,
                db,
                at=message.send_time,
            )
        if event.event_type == "msg_send_fail":
            known = f"kf.fail_type.{event.fail_type}"
            known = known if known in STRINGS else "kf.fail_type.other"
            words = t(known, language_from_env(), fail_type=event.fail_type)
            log.warning("bot %s: 微信客服 message %s: %s", account.bot_id, event.fail_msgid, words)
        if greeting and event.welcome_code:
            queue_reply(
                self.outbox,
                account.bot_id,
                account.open_kfid,
                customer,
                greeting,
                message.msgid,
                db,
                welcome_code=event.welcome_code,
            )

    # --- outside the transaction -----------------------------------------------------------

    def _spec(self, bot_id: str) -> BotSpec | None:
        """The bot; None when it cannot answer (its file is gone or broken)."""
        try:
            return self.dialogue.spec(bot_id)
        except (UnknownBot, SpecError) as exc:
            log.warning("bot %s cannot answer 微信客服 customers: %s", bot_id, exc)
            return None

    def _greetings(self, bot_id: str, messages: Sequence[KfMessage], now: float) -> dict[str, str]:
        """The greeting for each new enter_session with a welcome code still fresh, by msgid:
        the customer's variant's, remembered as the conversation's start when it is one."""
        greetings: dict[str, str] = {}
        for message in messages:
            event = message.event
            if event is None or event.event_type != "enter_session" or not event.welcome_code:
                continue
            if self.inbox.seen(CHANNEL, bot_id, message.msgid):
                continue
            if now - message.send_time > WELCOME_WITHIN:
                log.info("bot %s: %s", bot_id, t("kf.welcome_late", language_from_env()))
                continue
            customer = message.external_userid
            try:
                text = self.dialogue.greet(bot_id, customer) or self._greeting(bot_id, customer)
            except (UnknownBot, SpecError) as exc:
                log.warning("bot %s cannot greet: %s", bot_id, exc)
                continue
            if text.strip():
                greetings[message.msgid] = text
        return greetings

    def _greeting(self, bot_id: str, customer: str) -> str:
        """The greeting of a customer who has talked with the bot before (a new welcome code
        comes after 48 quiet hours): their variant's, not remembered a second time."""
        spec = self.dialogue.spec(bot_id)
        assignments = self.dialogue.assignments
        variant = assignments.variant_for(spec, customer) if assignments is not None else None
        return self.dialogue.resolve(bot_id, variant, spec=spec).greeting


def _inbound(
    account: BoundAccount,
    message: KfMessage,
    speaker: str,
    words: str,
    route: ReplyRoute | None = None,
    *,
    text: str | None = None,
) -> Inbound:
    """One kf item as the inbox keeps it, in the customer's conversation; `words` empty
    (a picture, a voice message…) is kept as what it was: "[image]"."""
    return Inbound(
        channel=CHANNEL,
        bot_id=account.bot_id,
        msgid=message.msgid,
        conversation=message.external_userid,
        speaker=speaker,
        text=(words or f"[{message.msgtype}]") if text is None else text,
        route=route or ReplyRoute(),
    )
