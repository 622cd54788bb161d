"""The channels of a running server, started and stopped together.

Starting: the outbox worker begins delivering (and re-sends what a crash left
mid-send) and the responder answers what was journaled but never answered.
Stopping: answers in progress finish into the outbox before the process exits.
"""

from __future__ import annotations

import json
import threading

from runtime.channels.wecom.aibot import AIBotChannel
from runtime.channels.wecom.app import AppChannel, AppTokens, send_app_message
from runtime.channels.wecom.longconn import LongConnection
from runtime.channels.wecom.webhook import SendResult
from runtime.inbox import Inbox
from runtime.outbox import Outbox, http_sender
from runtime.responder import Responder, StreamBoard
from runtime.schedules.runner import Scheduler, write_with
from runtime.workspace import Workspace


class ChannelHub:
    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.inbox = Inbox(workspace.journal)
        self.app_tokens = AppTokens()

        def send(channel: str, target: str, body: dict, bot_id: str):
            if channel == "app":
                return send_app_message(workspace.bindings, self.app_tokens, bot_id, body)
            if channel == "longconn":
                connection = self.long_connections.get(bot_id)
                if connection is None:
                    return SendResult(False, retry=True, error="no long connection")
                return connection.send(json.dumps(body, ensure_ascii=False))
            return http_sender(channel, target, body, bot_id)

        self.outbox = Outbox(workspace.journal, workspace.bindings, sender=send)
        self.streams = StreamBoard()
        self.responder = Responder(workspace.dialogue, self.inbox, self.outbox, self.streams)
        self.aibot = AIBotChannel(
            workspace.bindings, workspace.dialogue, self.inbox, self.responder, self.streams
        )
        self.app = AppChannel(workspace.bindings, workspace.dialogue, self.inbox, self.responder)
        self.long_connections: dict[str, LongConnection] = {}
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
        for bot_id in self.workspace.bindings.bots_with("longconn"):
            self.connect(bot_id)
        self.responder.recover()
        self.scheduler.start()

    def connect(self, bot_id: str) -> None:
        """Open (or reopen, after a new binding) a bot's long connection."""
        old = self.long_connections.pop(bot_id, None)
        if old is not None:
            old.stop()
        if self.workspace.bindings.get(bot_id, "longconn") is None:
            return
        connection = LongConnection(bot_id, self.workspace.bindings, self.aibot, self.streams)
        self.long_connections[bot_id] = connection
        connection.start()

    def stop(self) -> None:
        self.scheduler.stop()  # a push being written finishes into the outbox first
        self.responder.drain()
        self.outbox.deliver_due()  # one last pass for what the drain queued
        for connection in self.long_connections.values():
            connection.stop()
        self._stop.set()
        self.outbox.wake()
        for thread in self._threads:
            thread.join(timeout=10)
