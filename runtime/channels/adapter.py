"""What a channel adapter is to the server. runtime/server/hub.py builds, routes, starts
and stops every adapter that runtime/channels/registry.py lists, and knows none by name.

An adapter turns its channel's messages into an `Inbound` for the inbox and says how
the answers leave: `deliverers` (for the responder, by reply mode) write them into the
outbox; `senders` send the outbox rows of its own channels (the rest go by plain HTTP).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from fastapi import APIRouter

    from runtime.channels.intake import Intake
    from runtime.dialogue import Dialogue
    from runtime.inbox import Inbox
    from runtime.outbox import Outbox, Sender
    from runtime.responder import Deliver, Responder, StreamBoard
    from runtime.wecom.bindings import Bindings


@dataclass(frozen=True)
class Parts:
    """The durable path of one running server, which every adapter is built on."""

    bindings: Bindings
    dialogue: Dialogue
    inbox: Inbox
    outbox: Outbox
    responder: Responder
    streams: StreamBoard
    intake: Intake  # threads for the blocking part of acknowledging a message
    built: Mapping[str, Adapter]  # the adapters listed before this one, by name


class Adapter:
    """One channel's adapter. The defaults: no answers of its own to deliver, no routes,
    no senders, nothing to start, reconnect or stop."""

    name: ClassVar[str]  # unique among the adapters; `Parts.built` is keyed by it

    @classmethod
    def build(cls, parts: Parts) -> Adapter:
        raise NotImplementedError

    @staticmethod
    def deliverers(outbox: Outbox, bindings: Bindings, dialogue: Dialogue) -> dict[str, Deliver]:
        """How answers to its messages leave, by reply mode: asked before the responder
        exists, since the responder is built with them."""
        return {}

    def routes(self) -> list[APIRouter]:
        """Its web routes (WeCom's callbacks), added to the server's app."""
        return []

    def senders(self) -> dict[str, Sender]:
        """Outbox channel -> how a row of it is sent."""
        return {}

    def start(self) -> None:
        """The server starts (after the outbox worker, before the responder recovers)."""

    def connect(self, bot_id: str) -> None:
        """A binding of this bot changed: open, reopen or close what it keeps open."""

    def stop(self) -> None:
        """The server stops (after answers in progress went into the outbox)."""
