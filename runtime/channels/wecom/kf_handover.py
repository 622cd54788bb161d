"""Handing a 微信客服 customer to a person: when they ask for one (the bot's handover words,
"转人工"), when a rule of the bot says so (a lead converted), or from the studio.

All of it is queued in one transaction, so that it happens whole or not at all and
survives a crash: the bot's handover words to the customer, then the move of the session
(`service_state/trans` to WeCom's queue or to one servicer, an outbox row sent after the
words, since a session a person has takes no bot message), and an alert with the lead to
the team's alert group. The session is marked the person's at once: from the customer's
next message on, the bot is silent (kf_sessions) until a person ends the session or WeCom
does, or the move fails.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Any

from runtime.channels.wecom.kf_accounts import BoundAccount, bound_account
from runtime.channels.wecom.kf_send import CHANNEL, queue_reply, target_of
from runtime.dialogue import Dialogue, UnknownBot
from runtime.i18n import language_from_env, t
from runtime.inbox import Inbox, InboxMessage
from runtime.leads.export import lead_lines
from runtime.leads.store import Lead, LeadStore
from runtime.outbox import Outbox
from runtime.responder import Deliver
from runtime.spec import BotSpec, SpecError
from runtime.wecom.bindings import Bindings
from runtime.wecom.kf_messages import HUMAN, QUEUED
from runtime.wecom.kf_sessions import KfSessions

log = logging.getLogger(__name__)
TRANS = "trans"  # the `action` of an outbox row that moves a session, not a message
WHY = ("words", "rule", "studio")
SPACES = str.maketrans("", "", " \t\r\n，。,.!！?？~～")


def asks_for_person(spec: BotSpec, text: str) -> bool:
    """Whether a customer's message asks for a person: it is one of the bot's handover
    words, or a short message holding one ("转人工吧", "我要人工客服")."""
    said = text.translate(SPACES).lower()
    words = [w.translate(SPACES).lower() for w in spec.kf.handover_words]
    return any(w and (said == w or (w in said and len(said) <= len(w) + 8)) for w in words)


def hand_over(
    outbox: Outbox,
    sessions: KfSessions,
    account: BoundAccount,
    spec: BotSpec,
    customer: str,
    why: str,
    answers: str,
    db: sqlite3.Connection,
    *,
    lead: Lead | None = None,
    said: str = "",
    inbox_id: int | None = None,
) -> str | None:
    """Queue the handover of `customer` (in the caller's transaction); the words said to
    them, or None when a person already has the session (nothing is queued twice).
    `answers`: the msgid of what the handover answers, which our msgids are made from."""
    assert why in WHY
    if sessions.person_has(account.corp_id, account.open_kfid, customer, db):
        return None
    lang = spec.language
    words = spec.kf.handover_reply or t("kf.handover_reply", lang)
    queue_reply(
        outbox,
        spec.id,
        account.open_kfid,
        customer,
        words,
        f"{answers}:handover",
        db,
        inbox_id=inbox_id,
    )
    state, servicer = QUEUED, ""
    if spec.kf.handover_to == "servicer" and spec.kf.servicer:
        state, servicer = HUMAN, spec.kf.servicer
    move: dict[str, Any] = {
        "action": TRANS,
        "touser": customer,
        "open_kfid": account.open_kfid,
        "service_state": state,
        **({"servicer_userid": servicer} if servicer else {}),
    }
    target = target_of(account.open_kfid, customer)  # after the words, in order
    outbox.enqueue(spec.id, CHANNEL, target, [move], inbox_id=inbox_id, db=db)
    sessions.set(
        account.corp_id, account.open_kfid, customer, state, servicer=servicer, why=why, db=db
    )
    _alert(outbox, spec, customer, why, said, lead, db)
    return words


def hand_over_from_studio(outbox: Outbox, bindings: Bindings, spec: BotSpec, customer: str) -> str:
    """The studio's 转人工 for one customer: "handed", "already" (a person has them), or
    "not_kf" (not a 微信客服 customer of this bot: there is nobody to move)."""
    account = bound_account(bindings, spec.id)
    journal = outbox.journal
    if account is None or not Inbox(journal).heard_from(CHANNEL, spec.id, customer):
        return "not_kf"
    lead = LeadStore(journal).get(spec.id, customer)
    with journal.transaction() as db:
        # one msgid per click: WeCom would refuse a second handover word with the same
        answers = f"studio-{int(time.time() * 1000)}"
        words = hand_over(
            outbox, KfSessions(journal), account, spec, customer, "studio", answers, db, lead=lead
        )
    outbox.wake()  # committed: the words and the move can go
    return "already" if words is None else "handed"


def _alert(
    outbox: Outbox,
    spec: BotSpec,
    customer: str,
    why: str,
    said: str,
    lead: Lead | None,
    db: sqlite3.Connection,
) -> None:
    """Tell the team's alert group who waits, and why, with their lead."""
    if outbox.bindings.get(spec.id, "alert_webhook") is None:
        return  # no alert group bound: the handover shows in the studio all the same
    lang = spec.language
    reason = t(f"kf.handover_why.{why}", lang, text=said[:60])
    lines = [t("kf.handover_alert", lang, bot=spec.name, customer=customer[-8:], why=reason)]
    if lead is not None:
        lines += lead_lines(spec, lead)
    outbox.push(spec.id, "\n".join(lines), markdown=True, kind="alert_webhook", db=db)


def kf_deliverers(outbox: Outbox, bindings: Bindings, dialogue: Dialogue) -> dict[str, Deliver]:
    """How answers to 微信客服 customers leave, for the responder: by the bot's kf account;
    and, when the answer converted the customer's lead and the bot says so
    (kf.handover_on_conversion), the customer goes to a person right after it."""
    sessions = KfSessions(outbox.journal)
    leads = LeadStore(outbox.journal)

    def to_kf(message: InboxMessage, answer: str, db: sqlite3.Connection) -> None:
        account = bound_account(bindings, message.bot_id)
        if account is None:  # unbound since: the answer is kept, nothing is sent
            log.warning("bot %s: %s", message.bot_id, t("kf.unbound", language_from_env()))
            return
        customer = message.speaker
        queue_reply(
            outbox,
            message.bot_id,
            account.open_kfid,
            customer,
            answer,
            message.msgid,
            db,
            inbox_id=message.id,
        )
        try:
            spec = dialogue.spec(message.bot_id)
        except (UnknownBot, SpecError):
            return
        if not spec.kf.handover_on_conversion:
            return
        lead = leads.get(spec.id, customer)
        if lead is None or not lead.converted or (lead.converted_at or 0) < message.received_at:
            return  # converted by this very message, not before
        hand_over(
            outbox,
            sessions,
            account,
            spec,
            customer,
            "rule",
            message.msgid,
            db,
            lead=lead,
            inbox_id=message.id,
        )

    return {CHANNEL: to_kf}
