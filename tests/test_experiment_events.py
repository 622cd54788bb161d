"""What people did in an experiment, journaled as events by the real dialogue on the real
model, and read back per variant: replies, latency, turns to conversion, 👍 rate."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from runtime.assignments import pick
from runtime.experiments.report import report_for
from runtime.workspace import Workspace

pytestmark = pytest.mark.model


def person_in(workspace: Workspace, variant: str) -> str:
    spec = workspace.dialogue.spec("xiaolan-sales")
    return next(f"p{i}" for i in range(1000) if pick(spec, f"p{i}") == variant)


def test_the_report_reads_what_people_did_per_variant(workspace: Workspace) -> None:
    dialogue = workspace.dialogue
    alice, bob = person_in(workspace, "A"), person_in(workspace, "B")
    dialogue.reply("xiaolan-sales", alice, "What does the smart speaker cost?").read()
    dialogue.reply("xiaolan-sales", alice, "OK, call me: 13812345678").read()
    dialogue.reply("xiaolan-sales", bob, "Hello").read()
    dialogue.feedback("xiaolan-sales", alice, 1, "r1")
    dialogue.feedback("xiaolan-sales", bob, 1, "r2")
    dialogue.feedback("xiaolan-sales", bob, -1, "r2")  # changed their mind: the last one counts
    dialogue.feedback("xiaolan-sales", "studio:tester", 1, "0", "studio", variant="B")

    report = report_for(workspace.journal, dialogue.spec("xiaolan-sales"), "en")
    a, b = report["variants"]
    assert (a["users"], a["conversions"], b["users"], b["conversions"]) == (1, 1, 1, 0)
    assert (a["replies"], b["replies"]) == (2, 1)
    assert a["median_latency_ms"] > 0 and b["median_latency_ms"] > 0
    assert a["median_turns_to_conversion"] == 2  # the phone number came in the 2nd message
    assert b["median_turns_to_conversion"] is None
    assert (a["thumbs_up_rate"], a["feedback"]) == (1.0, 1)
    assert (b["thumbs_up_rate"], b["feedback"]) == (0.0, 1)
    assert (b["team_up"], a["team_up"]) == (1, 0)  # the team's rating is shown apart
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert report["conversions_by_day"] == [{"day": today, "A": 1, "B": 0}]

    kinds = [
        r[0]
        for r in workspace.journal.connection().execute(
            "SELECT kind FROM events WHERE user = ? ORDER BY id", (alice,)
        )
    ]
    # the first question is kept for 热门问题; the second gave a phone number: not a question
    assert kinds == [
        "started",
        "unanswered",
        "message",
        "field",
        "converted",
        "message",
        "feedback",
    ]
