"""The channels of a running server, started and stopped together.

Starting: the outbox worker begins delivering (and re-sends what a crash left
mid-send) and the responder answers what was journaled but never answered.
Stopping: answers in progress finish into the outbox before the process exits.
"""

from __future__ import annotations

import threading

from runtime.channels.wecom.aibot import AIBotChannel
from runtime.channels.wecom.app import AppChannel, AppTokens, send_app_message
from runtime.inbox import Inbox
from runtime.outbox import Outbox, http_sender
from runtime.responder import Responder, StreamBoard
from runtime.workspace import Workspace


class ChannelHub:
    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.inbox = Inbox(workspace.journal)
        self.app_tokens = AppTokens()

        def send(channel: str, target: str, body: dict, bot_id: str):
            if channel == "app":
                return send_app_message(workspace.bindings, self.app_tokens, bot_id, body)
            return http_sender(channel, target, body, bot_id)

        self.outbox = Outbox(workspace.journal, workspace.bindings, sender=send)
        self.streams = StreamBoard()
        self.responder = Responder(workspace.dialogue, self.inbox, self.outbox, self.streams)
        self.aibot = AIBotChannel(
            workspace.bindings, workspace.dialogue, self.inbox, self.responder, self.streams
        )
        self.app = AppChannel(workspace.bindings, workspace.dialogue, self.inbox, self.responder)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        outbox = threading.Thread(
            target=self.outbox.run, args=(self._stop,), name="outbox", daemon=True
        )
        outbox.start()
        self._threads.append(outbox)
        self.responder.recover()

    def stop(self) -> None:
        self.responder.drain()
        self.outbox.deliver_due()  # one last pass for what the drain queued
        self._stop.set()
        self.outbox._wake.set()
        for thread in self._threads:
            thread.join(timeout=10)
