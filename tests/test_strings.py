"""The one string table: every message the code names exists, in Chinese and English."""

from __future__ import annotations

import re
from pathlib import Path

from runtime.i18n import STRINGS

ROOT = Path(__file__).resolve().parent.parent
LITERAL = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]+)["']""")


def test_every_message_has_both_languages() -> None:
    incomplete = [
        key for key, entry in STRINGS.items() if not entry.get("zh") or not entry.get("en")
    ]
    assert incomplete == []


def test_every_message_the_code_names_exists() -> None:
    named = set()
    for path in [*ROOT.glob("runtime/**/*.py"), *ROOT.glob("studio/**/*.py")]:
        named |= set(LITERAL.findall(path.read_text(encoding="utf-8")))
    assert len(named) > 100
    assert sorted(named - set(STRINGS)) == []
