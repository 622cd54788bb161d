"""The responder: a journaled message is answered with its bot file read once, and the
answer leaves through the deliverer the responder was built with, for its route."""

from __future__ import annotations

import sqlite3

import pytest

from runtime.inbox import Inbound, Inbox, InboxMessage, ReplyRoute
from runtime.outbox import Outbox
from runtime.responder import Responder, StreamBoard
from runtime.workspace import Workspace


def _answer(workspace: Workspace, text: str, monkeypatch: pytest.MonkeyPatch):
    loads: list[str] = []
    load = workspace.bots.load

    def counted(bot_id: str):
        loads.append(bot_id)
        return load(bot_id)

    monkeypatch.setattr(workspace.bots, "load", counted)
    delivered: list[tuple[InboxMessage, str]] = []

    def to_app(message: InboxMessage, answer: str, db: sqlite3.Connection) -> None:
        delivered.append((message, answer))

    inbox = Inbox(workspace.journal)
    outbox = Outbox(workspace.journal, workspace.bindings)
    responder = Responder(workspace.dialogue, inbox, outbox, StreamBoard(), {"app": to_app})
    message = Inbound("app", "xiaolan-sales", "m1", "wang", "wang", text, ReplyRoute("app"))
    inbox_id, _ = inbox.accept(message)
    responder.handle(inbox_id)
    answered = inbox.get(inbox_id)
    assert answered is not None and answered.state == "answered"
    return loads, delivered, answered


def test_a_command_is_answered_with_the_bot_file_read_once(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads, delivered, answered = _answer(workspace, "/status", monkeypatch)
    assert loads == ["xiaolan-sales"]
    [(message, answer)] = delivered
    assert message.route == ReplyRoute("app") and message.speaker == "wang"
    assert answer == answered.answer and "小蓝" in answer
    # whoever asks may be a customer: neither the model nor their A/B variant is said
    assert "gguf" not in answer.lower() and "smollm" not in answer.lower()
    assert "变体" not in answer and "模型" not in answer


@pytest.mark.model
def test_a_reply_from_the_model_reads_the_bot_file_once(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads, delivered, answered = _answer(workspace, "你们的产品多少钱？", monkeypatch)
    assert loads == ["xiaolan-sales"]  # not once each for responder, variant, lead, prompt
    assert [answer for _, answer in delivered] == [answered.answer] and answered.answer


def test_a_reader_of_the_stream_board_wakes_when_the_answer_grows() -> None:
    """A caller on the line is woken by the words themselves, not by a poll: the wait
    ends with the new text there, and a wait on a stream that does not change ends at
    its timeout with nothing new."""
    import asyncio
    import threading

    board = StreamBoard()

    async def read() -> list[tuple[str, bool] | None]:
        seen: list[tuple[str, bool] | None] = [board.get("s1")]
        writer = threading.Timer(0.05, board.update, args=("s1", "你好"))
        writer.start()
        # far longer than the writer takes: woken by it, or the outer wait fails
        await asyncio.wait_for(board.changed("s1", seen[-1], timeout=120), timeout=30)
        seen.append(board.get("s1"))
        board.update("s1", "你好，欢迎", finished=True)  # before the wait: no wait at all
        await asyncio.wait_for(board.changed("s1", seen[-1], timeout=120), timeout=30)
        seen.append(board.get("s1"))
        await board.changed("s1", seen[-1], timeout=0.05)  # nothing new: the timeout
        seen.append(board.get("s1"))
        return seen

    welcome = ("你好，欢迎", True)
    assert asyncio.run(read()) == [None, ("你好", False), welcome, welcome]
    assert board._waiting == {}  # no reader left behind
