"""The 微信客服 (kf) channel: WeChat customers writing to a WeCom kf account
(shared/wecom/KF.md).

`GET /wecom/kf/{bot}` answers WeCom's URL check. `POST /wecom/kf/{bot}` is a doorbell, not
a message: its signature is checked (constant time, within five minutes of our clock), it
is decrypted and read, answered 200 at once, and the account it names is drained in the
background (`kf_drain`): `sync_msg` page by page, each page journaled with its cursor
(`kf_intake`). Customers' texts go the durable path of every channel: inbox, responder,
dialogue, outbox; the outbox sends them with `send_msg` (`kf_send`). A slow periodic ring
drains every bound account without a doorbell, so that one WeCom never rang (or that came
while the server was down) is read all the same.
"""

from __future__ import annotations

import logging
import threading
import time

from fastapi import APIRouter, Request
from fastapi.responses import Response

from runtime.channels.adapter import Adapter, Parts
from runtime.channels.intake import Intake
from runtime.channels.wecom.callback import callback_router, read_encrypted_xml, refused
from runtime.channels.wecom.kf_accounts import (
    BoundAccount,
    account_for,
    bound_account,
    bound_accounts,
    owner_of,
)
from runtime.channels.wecom.kf_drain import Drains, Key, KfReader
from runtime.channels.wecom.kf_handover import kf_deliverers
from runtime.channels.wecom.kf_intake import Journaled, KfIntake
from runtime.channels.wecom.kf_send import CHANNEL, HeldBack, KfSender
from runtime.dialogue import Dialogue
from runtime.i18n import language_from_env, t
from runtime.inbox import Inbox
from runtime.outbox import Outbox, Sender
from runtime.responder import Deliver, Responder
from runtime.wecom.bindings import Bindings
from runtime.wecom.crypto import WeComCrypto
from runtime.wecom.kf import Doorbell, read_doorbell
from runtime.wecom.kf_cursors import KfCursors
from runtime.wecom.kf_sessions import KfSessions

log = logging.getLogger(__name__)
HEAL_EVERY = 300.0  # seconds between rings without a doorbell (sync_msg is throttled then)


class KfChannel(Adapter):
    name = "kf"

    def __init__(
        self,
        bindings: Bindings,
        dialogue: Dialogue,
        inbox: Inbox,
        outbox: Outbox,
        responder: Responder,
        intake: Intake,
    ):
        self.bindings, self.inbox, self.outbox, self.responder = bindings, inbox, outbox, responder
        self.intake = intake
        self.clock = time.time  # callbacks' timestamps are checked against it
        self.heal_every = HEAL_EVERY
        self.held = HeldBack()
        self.sessions = KfSessions(inbox.journal)
        self.sender = KfSender(bindings, self.held, self.sessions, outbox, dialogue.log_salt)
        cursors = KfCursors(inbox.journal)
        journaling = KfIntake(inbox, outbox, dialogue, cursors)
        reader = KfReader(bindings, cursors, journaling, self._owner, self._taken)
        self.drains = Drains(reader.drain)
        self._stop = threading.Event()
        self._healer: threading.Thread | None = None

    @classmethod
    def build(cls, parts: Parts) -> KfChannel:
        return cls(
            parts.bindings, parts.dialogue, parts.inbox, parts.outbox, parts.responder, parts.intake
        )

    @staticmethod
    def deliverers(outbox: Outbox, bindings: Bindings, dialogue: Dialogue) -> dict[str, Deliver]:
        return kf_deliverers(outbox, bindings, dialogue)

    def routes(self) -> list[APIRouter]:
        return [kf_routes(self)]

    def senders(self) -> dict[str, Sender]:
        return {CHANNEL: self.sender}

    def start(self) -> None:
        self._healer = threading.Thread(target=self._heal, name="kf-heal", daemon=True)
        self._healer.start()

    def connect(self, bot_id: str) -> None:
        account = bound_account(self.bindings, bot_id)
        if account is not None:  # bound anew: read what waits
            self.drains.ring(account.key)

    def stop(self) -> None:
        self._stop.set()
        if self._healer is not None:
            self._healer.join(timeout=10)
        self.drains.close()

    def crypto(self, bot_id: str) -> WeComCrypto | None:
        account = self.bindings.get(bot_id, CHANNEL)
        if account is None:
            return None
        return WeComCrypto(account["token"], account["aes_key"], account["corp_id"])

    # --- doorbells and drains --------------------------------------------------------------

    def doorbell(self, bot_id: str, bell: Doorbell) -> None:
        """A doorbell at `bot_id`'s URL: drain the account it names (no waiting here)."""
        account = account_for(self.bindings, bot_id, bell.open_kfid)
        if account is None:
            words = t("kf.unknown_account", language_from_env(), account=bell.open_kfid)
            log.warning("bot %s: %s", bot_id, words)
            return
        self.drains.ring(account.key, bell.token)

    def ring_all(self) -> None:
        """Drain every bound account without a doorbell token."""
        for account in bound_accounts(self.bindings):
            self.drains.ring(account.key)

    def _heal(self) -> None:
        # at start (what came while the server was down), then every `heal_every` seconds
        while True:
            try:
                self.ring_all()
            except Exception:  # the settings file being replaced, say: try at the next turn
                log.exception("微信客服 periodic drain failed")
            if self._stop.wait(self.heal_every):
                return

    def _owner(self, key: Key) -> BoundAccount | None:
        return owner_of(self.bindings, key)

    def _taken(self, account: BoundAccount, taken: Journaled) -> None:
        for customer in taken.wrote:  # a customer who writes opens a new allowance
            self.held.release(account.bot_id, customer)
        self.outbox.wake()  # greetings, handovers, polite replies queued with the page
        try:
            for inbox_id in taken.answer:
                self.responder.submit(inbox_id)
        except RuntimeError:  # the server is stopping: journaled, answered after the restart
            log.info("微信客服 messages journaled while stopping: answered at the next start")


def kf_routes(channel: KfChannel) -> APIRouter:
    router = callback_router(CHANNEL, channel.crypto, lambda: channel.clock())

    @router.post("/wecom/kf/{bot_id}")
    async def doorbell(
        bot_id: str, request: Request, msg_signature: str = "", timestamp: str = "", nonce: str = ""
    ) -> Response:
        crypto = channel.crypto(bot_id)
        fields = await read_encrypted_xml(
            CHANNEL, crypto, bot_id, request, channel.clock(), msg_signature, timestamp, nonce
        )
        if isinstance(fields, Response):
            return fields
        assert crypto is not None  # refused above for a bot without the binding
        try:
            bell = read_doorbell(fields, crypto.receive_id)
        except ValueError as exc:
            return refused(CHANNEL, 400, bot_id, f"not a doorbell WeCom sends: {exc}")
        if bell is None:  # kf_account_auth_change and the like: kept for the record
            event = fields.get("Event", "event")
            record = channel.inbox.record_event
            await channel.intake.run(record, bot_id, f"kf.{event}", None, fields)
            return Response(status_code=200)
        # hands the drain to a worker: WeCom's answer waits for no sync_msg
        await channel.intake.run(channel.doorbell, bot_id, bell)
        return Response(status_code=200)

    return router
