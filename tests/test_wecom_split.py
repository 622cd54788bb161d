"""Splitting long replies for WeCom's byte limits."""

from __future__ import annotations

from runtime.wecom.split import MARKDOWN_LIMIT, TEXT_LIMIT, split_message


def test_a_5000_byte_chinese_reply_splits_into_ordered_pieces_under_the_limit() -> None:
    paragraph = "蓝莺IM支持iOS、Android和Web。我们的客服机器人可以接入企业微信。" * 16
    text = "\n\n".join(f"第{i}段：{paragraph}" for i in range(4))
    assert len(text.encode()) > 5000
    pieces = split_message(text, TEXT_LIMIT)
    assert len(pieces) >= 3
    assert all(len(p.encode()) <= TEXT_LIMIT for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")  # nothing lost, in order
    assert all(p.endswith("。") for p in pieces)  # cut at sentence or paragraph ends


def test_never_cuts_inside_a_character() -> None:
    text = "😀" * 1000  # 4 bytes each, no separators at all
    pieces = split_message(text, TEXT_LIMIT)
    assert all(p.encode().decode() == p for p in pieces)
    assert "".join(pieces) == text and all(len(p.encode()) <= TEXT_LIMIT for p in pieces)


def test_prefers_paragraphs_then_lines() -> None:
    first = "a" * 1500
    text = f"{first}\n\n{'b' * 1000}"
    assert split_message(text, TEXT_LIMIT) == [first, "b" * 1000]
    lines = "\n".join("c" * 1000 for _ in range(5))
    assert split_message(lines, MARKDOWN_LIMIT) == ["\n".join(["c" * 1000] * 4), "c" * 1000]


def test_short_text_is_one_piece() -> None:
    assert split_message("  你好  ", TEXT_LIMIT) == ["你好"]
    assert split_message("", TEXT_LIMIT) == []
