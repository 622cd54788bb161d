"""The channels of a running server, started and stopped together: the durable path
(inbox, responder, outbox), the scheduler, and every adapter of runtime/channels/registry.py,
none of them known here by name.

Starting: the outbox worker begins delivering (and re-sends what a crash left
mid-send) and the responder answers what was journaled but never answered.
Stopping: answers in progress finish into the outbox before the process exits.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter

from runtime.channels.adapter import Adapter, Parts
from runtime.channels.intake import Intake
from runtime.channels.registry import ADAPTERS
from runtime.inbox import Inbox
from runtime.outbox import Outbox, Sender, http_sender
from runtime.responder import Deliver, Responder, StreamBoard
from runtime.schedules.runner import Scheduler, write_with
from runtime.wecom.webhook import SendResult
from runtime.workspace import Workspace


class ChannelHub:
    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.inbox = Inbox(workspace.journal)
        self.senders: dict[str, Sender] = {}  # outbox channel -> its adapter's sender

        def send(channel: str, target: str, body: dict[str, Any], bot_id: str) -> SendResult:
            return self.senders.get(channel, http_sender)(channel, target, body, bot_id)

        self.outbox = Outbox(workspace.journal, workspace.bindings, sender=send)
        self.streams = StreamBoard()
        deliverers: dict[str, Deliver] = {}  # reply mode -> how an answer leaves
        for kind in ADAPTERS:
            deliverers.update(kind.deliverers(self.outbox, workspace.bindings, workspace.dialogue))
        # enough workers to fill a model's batch, and some for FAQ answers and deliveries
        self.responder = Responder(
            workspace.dialogue,
            self.inbox,
            self.outbox,
            self.streams,
            deliverers,
            workers=workspace.pool.slots + 2,
            arrivals=workspace.pool.arrivals,
        )
        self.intake = Intake(workspace.journal)
        self.channels: dict[str, Adapter] = {}  # adapter name -> adapter, in the registry's order
        for kind in ADAPTERS:
            parts = Parts(
                workspace.bindings,
                workspace.dialogue,
                self.inbox,
                self.outbox,
                self.responder,
                self.streams,
                self.intake,
                built=dict(self.channels),
            )
            self.channels[kind.name] = kind.build(parts)
            self.senders.update(self.channels[kind.name].senders())
        self.scheduler = Scheduler(
            workspace.bots,
            workspace.journal,
            self.outbox,
            write=write_with(workspace),
            lang=workspace.lang,
        )
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        outbox = threading.Thread(
            target=self.outbox.run, args=(self._stop,), name="outbox", daemon=True
        )
        outbox.start()
        self._threads.append(outbox)
        self.intake.start()
        self.responder.start()
        for channel in self.channels.values():
            channel.start()
        self.responder.recover()
        self.scheduler.start()

    def routes(self) -> list[APIRouter]:
        """The adapters' web routes (WeCom's callbacks), for the server's app."""
        return [router for channel in self.channels.values() for router in channel.routes()]

    def connect(self, bot_id: str) -> None:
        """A binding of this bot changed: its long connection opens, reopens or closes."""
        for channel in self.channels.values():
            channel.connect(bot_id)

    def stop(self) -> None:
        self.scheduler.stop()  # a push being written finishes into the outbox first
        self.responder.drain()
        self.outbox.deliver_due()  # one last pass for what the drain queued
        for channel in self.channels.values():
            channel.stop()
        self.intake.stop()
        self._stop.set()
        self.outbox.wake()
        for thread in self._threads:
            thread.join(timeout=10)
