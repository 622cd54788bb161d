"""How a 微信客服 answer leaves: into the outbox first (`queue_reply`, the responder's
deliverer for reply mode "kf"), then out to WeCom (`KfSender`, the outbox's sender for its
"kf" rows): `send_msg`, or `send_msg_on_event` for a greeting that carries its welcome code,
or `service_state/trans` for a handover's move of the session (`action: trans`, kf_handover).

Every message has a msgid of our own, made from the customer's message it answers (or the
event it greets) and its place in the answer: WeCom refuses a msgid it has seen, so a send
repeated after a lost answer or a crash is never shown twice.

WeCom allows five messages after a customer's message, so an answer is at most five pieces
of at most 2,048 bytes. When WeCom refuses for good (five sent already, 48 hours passed,
session ended: `stop_customer`), what is still queued for that customer is held back without
asking WeCom again, until the customer writes again (`HeldBack`). A session a person owns
(95018) is left to them. Each refusal is logged in words and never retried blindly.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from typing import Any

from runtime.i18n import language_from_env, said, t
from runtime.logmask import mask_user
from runtime.outbox import Outbox
from runtime.wecom.bindings import Bindings
from runtime.wecom.kf import KfClient, KfError, make_msgid
from runtime.wecom.kf_messages import HUMAN
from runtime.wecom.kf_sessions import KfSessions
from runtime.wecom.split import TEXT_LIMIT, split_message
from runtime.wecom.webhook import SendResult

log = logging.getLogger(__name__)
CHANNEL = "kf"  # the outbox rows of this channel, and the reply mode of its inbox rows
MAX_PIECES = 5  # messages WeCom allows after one customer message (KF.md §4)


def target_of(open_kfid: str, customer: str) -> str:
    """The outbox target: what keeps one customer's messages in order."""
    return f"kf:{open_kfid}:{customer}"


def queue_reply(
    outbox: Outbox,
    bot_id: str,
    open_kfid: str,
    customer: str,
    text: str,
    answers: str,
    db: sqlite3.Connection,
    *,
    inbox_id: int | None = None,
    welcome_code: str = "",
) -> list[int]:
    """Queue `text` to `customer`, in the caller's transaction. `answers`: the msgid of the
    message (or event) it answers, which our msgids are made from. With `welcome_code`, one
    message (the greeting) for send_msg_on_event."""
    pieces = split_message(text, TEXT_LIMIT)[: 1 if welcome_code else MAX_PIECES]
    bodies: list[dict[str, Any]] = [
        {
            "touser": customer,
            "open_kfid": open_kfid,
            "msgid": make_msgid(bot_id, answers, str(i)),
            "msgtype": "text",
            "text": {"content": piece},
            **({"code": welcome_code} if welcome_code else {}),
        }
        for i, piece in enumerate(pieces)
    ]
    target = target_of(open_kfid, customer)
    return outbox.enqueue(bot_id, CHANNEL, target, bodies, inbox_id=inbox_id, db=db)


class HeldBack:
    """Customers WeCom will take nothing more for until they write again, with why."""

    def __init__(self) -> None:
        self._held: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def hold(self, bot_id: str, customer: str, why: str) -> None:
        with self._lock:
            self._held[(bot_id, customer)] = why

    def why(self, bot_id: str, customer: str) -> str | None:
        with self._lock:
            return self._held.get((bot_id, customer))

    def release(self, bot_id: str, customer: str) -> None:
        """The customer wrote again: WeCom opens a new allowance."""
        with self._lock:
            self._held.pop((bot_id, customer), None)


class KfSender:
    """Sends one outbox row of channel "kf" (an outbox `Sender`)."""

    def __init__(
        self,
        bindings: Bindings,
        held: HeldBack,
        sessions: KfSessions,
        outbox: Outbox,
        log_salt: str,
    ):
        self.bindings, self.held, self.log_salt = bindings, held, log_salt
        self.sessions, self.outbox = sessions, outbox
        # msgids whose send may have reached WeCom though no answer came back (network): a
        # refusal of such a msgid on a later try means WeCom has it already
        self._unsure: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, channel: str, target: str, body: dict[str, Any], bot_id: str) -> SendResult:
        customer, msgid = str(body.get("touser", "")), str(body.get("msgid", ""))
        code = str(body.get("code", ""))
        text = str((body.get("text") or {}).get("content", ""))
        binding = self.bindings.get(bot_id, CHANNEL)
        if binding is None:
            return SendResult(False, error=said("kf.unbound"))
        why = self.held.why(bot_id, customer)
        if why is not None and not code:
            return SendResult(False, error=said("kf.held_back", why=why))
        client = KfClient(str(binding["corp_id"]), str(binding["secret"]))
        if body.get("action") == "trans":
            return self._move(bot_id, client, body)
        try:
            if code:
                client.send_msg_on_event(code, text, msgid=msgid)
            else:
                client.send_msg(str(body.get("open_kfid", "")), customer, text, msgid=msgid)
        except KfError as exc:
            return self._refused(bot_id, customer, msgid, exc, welcome=bool(code))
        except ValueError as exc:  # a body our own checks refuse: never worth a retry
            log.warning("bot %s: 微信客服 message not sent: %s", bot_id, exc)
            return SendResult(False, error=str(exc))
        with self._lock:
            self._unsure.discard(msgid)
        self.bindings.succeeded(bot_id, CHANNEL)
        return SendResult(True)

    def _move(self, bot_id: str, client: KfClient, body: dict[str, Any]) -> SendResult:
        """A handover: move the session to WeCom's queue or to one servicer."""
        customer, open_kfid = str(body.get("touser", "")), str(body.get("open_kfid", ""))
        try:
            client.service_state_trans(
                open_kfid,
                customer,
                int(body.get("service_state", 0)),
                str(body.get("servicer_userid", "")),
            )
        except (KfError, ValueError) as exc:
            lang = language_from_env()
            why = exc.text(lang) if isinstance(exc, KfError) else str(exc)
            retry = isinstance(exc, KfError) and exc.retry_later
            log.warning("bot %s: %s", bot_id, t("kf.handover_failed", lang, why=why))
            if not retry:  # for good: the customer is not left with nobody answering
                self.sessions.back_to_bot(client.corp_id, open_kfid, customer, "failed", None)
            words = said(exc.message_id, **exc.params) if isinstance(exc, KfError) else str(exc)
            return SendResult(False, retry=retry, error=said("kf.handover_failed", why=words))
        self.bindings.succeeded(bot_id, CHANNEL)
        return SendResult(True)

    def _refused(
        self, bot_id: str, customer: str, msgid: str, exc: KfError, *, welcome: bool
    ) -> SendResult:
        with self._lock:
            unsure = msgid in self._unsure
            if exc.errcode is None:
                self._unsure.add(msgid)
        # a send a crash interrupted (in an earlier run of the server) is as unsure
        unsure = unsure or self.outbox.interrupted(CHANNEL, "msgid", msgid)
        words = said(exc.message_id, **exc.params)
        person = mask_user(customer, self.log_salt)
        lang = language_from_env()
        log.warning(
            "bot %s, customer %s: %s", bot_id, person, t("kf.not_sent", lang, why=exc.text(lang))
        )
        if unsure and not (exc.retry_later or exc.broken or exc.stop_customer or exc.human_owns):
            # the earlier try got through but its answer was lost: WeCom refuses the msgid now
            log.info("bot %s: msgid %s was most likely delivered by an earlier try", bot_id, msgid)
            return SendResult(True)
        if exc.stop_customer:
            self.held.hold(bot_id, customer, words)
        if exc.human_owns and not welcome:  # a person took the session in WeCom: stay silent
            binding = self.bindings.get(bot_id, CHANNEL) or {}
            corp_id, open_kfid = str(binding.get("corp_id", "")), str(binding.get("open_kfid", ""))
            if not self.sessions.person_has(corp_id, open_kfid, customer):
                self.sessions.set(corp_id, open_kfid, customer, HUMAN, why="wecom")
        if exc.broken or exc.retry_later:  # the binding's or WeCom's trouble, not the customer's
            self.bindings.failed(bot_id, CHANNEL, words, broken=exc.broken)
        # a welcome code works once: only a network failure (no answer at all) is tried again
        retry = exc.errcode is None if welcome else exc.retry_later
        return SendResult(False, retry=retry, broken=exc.broken, error=words)
