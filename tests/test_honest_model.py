"""Honest about the model (issue 13): a reply that loops is stopped, the prompt's hidden
note is never shown, stored or sent, a bot on the demo model is recognised, a template's
brand left in a copy is found, the compare tab runs two models at once, a rehearsal
reports each turn. With the real bundled model where the behaviour is the model's."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from runtime.engine import Generation, GenerationStats, ModelPool
from runtime.engine.repetition import cut_repetition, stop_repeating
from runtime.experiments.rehearse import Rehearsal, parse_customers
from runtime.i18n import t
from runtime.models.catalog import DEFAULT_MODEL_FILE, is_demo_model
from runtime.prompt.hidden import HiddenTextGuard
from runtime.spec import catalog_ops as ops
from runtime.spec.template_review import brand_words, leftovers
from runtime.workspace import Workspace
from studio.context import StudioContext

NOTE_WORDS = ("给你的提示", "不要复述", "已知客户信息", "先回答客户的问题", "这次只回答问题")


def _parrot() -> str:
    """A bot made to say its hidden note back: its examples echo whole messages, note too."""
    asked = t("lead.note_ask", "zh", known="暂无", question="方便留一个手机号吗？", why="")
    examples = ["你好\n\n" + t("lead.note_no_ask", "zh", known="暂无"), "在吗\n\n" + asked]
    said = [json.dumps(e, ensure_ascii=False) for e in examples]
    return (
        "id: parrot\nname: 复读机\nlanguage: zh\n"
        "model: {temperature: 0, max_tokens: 60, context: 2048, seed: 1}\n"
        "persona: 你是复读机。把客户发来的整段消息原样复述一遍，一个字都不要改。\n"
        "few_shot:\n"
        + "".join(f"  - user: {e}\n    assistant: {e}\n" for e in said)
        + "lead_capture:\n  fields:\n"
        "    - {key: phone, label: 手机号码, type: phone_cn, ask: 方便留一个手机号吗？}\n"
    )


# A bot whose example teaches a loop: the small model goes round it until stopped.
LOOP = """id: loop
name: 复读
language: zh
model: {temperature: 0, max_tokens: 300, context: 2048, repeat_penalty: 1.0}
persona: 你是复读机。
few_shot:
  - user: 你好
    assistant: "欢迎光临！欢迎光临！欢迎光临！欢迎光临！欢迎光临！欢迎光临！欢迎光临！欢迎光临！"
"""


def _fixed(text: str, size: int = 2, stopped_by: str = "end") -> Generation:
    """A generation that streams `text` in pieces of `size` characters."""
    stats = GenerationStats(stopped_by=stopped_by)
    return Generation(iter([text[i : i + size] for i in range(0, len(text), size)]), stats, "")


def _ctx(workspace: Workspace) -> StudioContext:
    from runtime.server.hub import ChannelHub
    from runtime.web.limits import Limits

    return StudioContext(workspace, "zh", ChannelHub(workspace), limits=Limits())


# --- a reply that repeats itself ----------------------------------------------------------


def test_a_looping_stream_is_ended_where_the_loop_shows_and_the_model_let_go() -> None:
    closed, stopped = [], []

    def model():
        try:
            for _ in range(200):
                yield "请问您的公司名称是什么？"
        finally:
            closed.append(True)  # the engine's generator ends: its lock is released

    shown = "".join(stop_repeating(model(), lambda: stopped.append(True)))
    assert stopped and closed
    assert shown.count("请问您的公司名称是什么？") <= 3  # not 200
    assert cut_repetition(shown, stopped=True) == "请问您的公司名称是什么？"


def test_replies_that_only_look_repetitive_are_left_whole() -> None:
    whole = [
        "哈哈哈，好的。我们的 SDK 支持 iOS、Android、Web、小程序。",
        "- 单张面额 ≤ 50 元由运营负责人审批。\n- 单张面额 > 50 元由市场总监审批。\n"
        "- 总预算 > 2 万元由市场总监审批。",
        "| 方案 | 价格 |\n|---|---|\n| 基础版 | 免费 |\n| 专业版 | 按日活 |",
        "版本一（温暖）：加班的傍晚，来一杯桂花拿铁 ☕\n版本二（福利）：新品桂花拿铁上线！\n"
        "版本三（故事）：今天第一位尝鲜的客人说，这杯有小时候的味道 🌼",
        "Yes. Yes. We open at 9 and close at 6, every day but Sunday.",
    ]
    for text in whole:
        assert cut_repetition(text) == text


@pytest.mark.model
def test_the_real_model_caught_in_a_loop_is_stopped_long_before_its_cap(
    workspace: Workspace,
) -> None:
    (workspace.bots_dir / "loop.yaml").write_text(LOOP, encoding="utf-8")
    reply = workspace.dialogue.reply("loop", "u1", "你好")
    streamed = "".join(reply)
    stats = reply.generation.stats
    assert stats.stopped_by == "repeat"
    assert stats.generated_tokens < 100  # of 300: seconds, not the whole cap
    assert streamed.count("你好！") <= 4
    assert reply.text.count("你好") == 1  # the customer is told it once
    stored = workspace.conversations.history("loop", "u1")
    assert stored[-1].content == reply.text


# --- the hidden note ----------------------------------------------------------------------


def test_a_reply_that_says_the_hidden_note_is_stripped_in_the_stream_and_the_text(
    workspace: Workspace,
) -> None:
    from runtime.prompt import BuiltPrompt
    from runtime.reply import Reply

    note = t(
        "lead.note_ask",
        "zh",
        known="暂无",
        question="方便留一个手机号吗？",
        why="销售同事会给出准确报价。",
    )
    said = f"您好！{note}\n我们的 SDK 支持 iOS 和 Android。方便留一个手机号吗？"
    bot = workspace.dialogue.resolve("xiaolan-sales", "A")
    for size in (1, 2, 3, 7, len(said)):
        hidden = HiddenTextGuard(note, "zh")
        reply = Reply(
            bot,
            BuiltPrompt([], 0, 0, 0, 0, 0),
            _fixed(said, size),
            f"c{size}",
            "你好",
            workspace.conversations,
            hidden=hidden,
        )
        streamed = "".join(reply)  # what the studio shows and WeCom's stream receives
        stored = workspace.conversations.history("xiaolan-sales", f"c{size}")[-1].content
        for seen in (streamed, reply.text, stored):
            assert not any(word in seen for word in NOTE_WORDS), seen
        assert reply.text == "您好！我们的 SDK 支持 iOS 和 Android。方便留一个手机号吗？"


def test_a_reply_that_is_nothing_but_the_note_becomes_a_polite_line(
    workspace: Workspace,
) -> None:
    from runtime.prompt import BuiltPrompt
    from runtime.reply import Reply

    note = t("lead.note_no_ask", "zh", known="暂无")
    bot = workspace.dialogue.resolve("xiaolan-sales", "A")
    reply = Reply(
        bot,
        BuiltPrompt([], 0, 0, 0, 0, 0),
        _fixed(note),
        "c",
        "你好",
        workspace.conversations,
        hidden=HiddenTextGuard(note, "zh"),
    )
    assert reply.read() == t("reply.empty", "zh")


@pytest.mark.model
def test_the_real_model_saying_its_hidden_note_never_shows_it(workspace: Workspace) -> None:
    (workspace.bots_dir / "parrot.yaml").write_text(_parrot(), encoding="utf-8")
    reply = workspace.dialogue.reply("parrot", "u1", "请问价格")
    assert any(word in reply.prompt.messages[-1]["content"] for word in NOTE_WORDS)
    streamed = "".join(reply)  # what the studio shows and a WeCom stream receives
    assert reply.hidden is not None and reply.hidden.stripped  # the model did say it
    stored = workspace.conversations.history("parrot", "u1")[-1]
    assert stored.role == "assistant" and stored.content == reply.text
    for seen in (streamed, reply.text):  # reply.text: what every channel sends
        assert not any(word in seen for word in NOTE_WORDS), seen


# --- the demo model -----------------------------------------------------------------------


def test_the_demo_model_is_told_apart_from_a_real_one(workspace: Workspace) -> None:
    from studio.demo_model import notice, uses_demo_model

    assert is_demo_model("default") and is_demo_model(DEFAULT_MODEL_FILE)
    assert not is_demo_model("qwen2.5-1.5b-instruct-q4_k_m.gguf") and not is_demo_model("")
    ctx = _ctx(workspace)
    assert uses_demo_model(ctx, "xiaolan-sales")
    shown = notice(ctx, "xiaolan-sales")
    assert shown["visible"] and "演示模型" in shown["value"] and "Qwen2.5" in shown["value"]
    assert "🧠 模型" in shown["value"]
    assert not notice(ctx, None)["visible"]


# --- a copy of a template -----------------------------------------------------------------


def test_a_copy_of_a_template_names_every_place_still_in_its_brand(
    workspace: Workspace,
) -> None:
    from studio.copy_review import review_text

    repo = workspace.bots
    ops.create(repo, "my-sales", "我的销售助手", "xiaolan-sales")
    template, copy = repo.load("xiaolan-sales"), repo.load("my-sales")
    assert {"小蓝", "蓝莺IM"} <= set(brand_words(template))
    places = {(item.part, item.variant): item.words for item in leftovers(template, copy)}
    assert "小蓝" in places[("greeting", "B")]  # "我是小蓝 🎁 …30 天专业版试用"
    assert "小蓝" in places[("greeting", None)] and "蓝莺IM" in places[("persona", None)]
    text = review_text(_ctx(workspace), template, copy)
    assert "我的销售助手" in text
    assert "变体 B 的开场白" in text and "我是小蓝 🎁 留下联系方式即可领取 30 天专业版试用" in text
    assert "✏️ 编辑" in text


# --- compare: two models at once, one model at once or in turn ---------------------------


@pytest.mark.model
def test_compare_runs_two_models_at_once_and_one_model_in_turn(
    tmp_path: Path, bots_dir: Path, gguf_dir: Path, pool
) -> None:
    from studio.tabs.compare import compare_frames

    models = tmp_path / "gguf"
    models.mkdir()
    for name in (DEFAULT_MODEL_FILE, "second.gguf"):  # the same weights under two names
        os.link(gguf_dir / DEFAULT_MODEL_FILE, models / name)
    workspace = Workspace(bots_dir, tmp_path / "data", models, "zh", pool)
    (bots_dir / "cafe.yaml").write_text(
        "id: cafe\nname: Cafe\nlanguage: en\n"
        "persona: You are the friendly assistant of Bean There, a coffee shop.\n"
        "model: {temperature: 0, max_tokens: 60, context: 2048}\n",
        encoding="utf-8",
    )
    ctx = _ctx(workspace)
    ask = "Describe your three best coffee drinks in detail."

    def done(stats: str) -> bool:  # the stats line comes once a side has finished
        return "每秒" in stats

    sides = {"left": (None, ""), "right": (None, "second.gguf")}
    apart = list(compare_frames(ctx, "cafe", ask, sides))
    assert not any(t("compare.waiting", "zh") in frame[3] for frame in apart)
    both_writing = [f for f in apart if f[0] and f[2] and not done(f[1]) and not done(f[3])]
    assert both_writing, "the two models did not write at the same time"
    assert done(apart[-1][1]) and done(apart[-1][3])

    # one model with room for several replies (batching) writes both sides at once
    one_model = {"left": (None, ""), "right": (None, "")}
    same = list(compare_frames(ctx, "cafe", ask, one_model))
    assert not any(t("compare.waiting", "zh") in frame[3] for frame in same)
    assert [f for f in same if f[0] and f[2] and not done(f[1]) and not done(f[3])]
    assert done(same[-1][1]) and done(same[-1][3])

    # set to one reply at a time, the model takes turns, and the right side says so
    serial = ModelPool(threads=2, slots=1)
    try:
        ctx = _ctx(Workspace(bots_dir, tmp_path / "data", models, "zh", serial))
        same = list(compare_frames(ctx, "cafe", ask, one_model))
    finally:
        serial.close()
    assert same[0][3] == t("compare.waiting", "zh")
    assert all(not f[2] for f in same if not done(f[1]))  # the right waits for the left
    assert done(same[-1][1]) and done(same[-1][3])


# --- a rehearsal reports each turn --------------------------------------------------------


@pytest.mark.model
def test_a_rehearsal_reports_each_turn_as_it_goes(workspace: Workspace) -> None:
    from tests.test_rehearse import SHOP

    (workspace.bots_dir / "shop.yaml").write_text(SHOP, encoding="utf-8")
    spec = workspace.dialogue.spec("shop")
    plan = parse_customers(
        b"max_turns: 1\ncustomers:\n  - {name: Idle, who: a visitor, wants: nothing,"
        b" opening: Hello.}\n",
        "customers.yaml",
        spec,
        "en",
    )
    turns = []
    Rehearsal(workspace.dialogue, "en").run(spec, plan, 1, on_turn=lambda *a: turns.append(a))
    # (conversation, of how many, customer, variant, turn, of how many)
    assert turns == [(1, 2, "Idle", "A", 1, 1), (2, 2, "Idle", "B", 1, 1)]
