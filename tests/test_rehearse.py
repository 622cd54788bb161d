"""Rehearsal: the real model plays scripted customers against each variant, through the
command line, in a journal of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOP = """\
id: shop
name: Shop
language: en
persona: You are the assistant of a phone shop.
model: {temperature: 0, max_tokens: 40, context: 2048}
lead_capture:
  converted_when: [phone]
  fields:
    - {key: phone, label: phone number, type: phone_cn, ask: "May I have your phone number?"}
variants:
  - {id: A, weight: 50}
  - {id: B, weight: 50, greeting: Hi! Leave your number and we call you back.}
"""
CUSTOMERS = """\
max_turns: 3
customers:
  - name: Asked
    who: a busy shop owner
    wants: a new phone for the shop
    shares: {phone: "13812345678"}
    after_turn: 2
  - name: Eager
    who: a student
    wants: a cheap phone
    opening: Hello, I want a cheap phone.
    shares: {phone: "13912345678"}
    only_if_asked: false
  - name: Browser
    who: someone just looking
    wants: nothing in particular
"""


def rehearse(tmp_path: Path, customers: str, *args: str) -> subprocess.CompletedProcess:
    bots = tmp_path / "bots"
    if not bots.exists():
        bots.mkdir()
        (bots / "shop.yaml").write_text(SHOP, encoding="utf-8")
    (tmp_path / "customers.yaml").write_text(customers, encoding="utf-8")
    data, plan = tmp_path / "data", tmp_path / "customers.yaml"
    command = [
        sys.executable,
        "launch.py",
        "--bots",
        str(bots),
        "--data",
        str(data),
        "rehearse",
        "shop",
        "--customers",
        str(plan),
        *args,
    ]
    env = {**os.environ, "BOTSTUDIO_LANG": "en", "BOTSTUDIO_THREADS": "2"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.model
def test_each_variant_meets_each_customer_and_the_report_counts_conversions(
    tmp_path: Path,
) -> None:
    result = rehearse(tmp_path, CUSTOMERS, "--runs", "1", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    a, b = report["variants"]
    for variant in (a, b):
        assert (variant["runs"], variant["conversions"]) == (3, 2)  # Asked and Eager, not Browser
        assert variant["capture_rates"] == {"phone": 2 / 3}
        assert variant["ci_low"] < variant["rate"] < variant["ci_high"]
    runs = {(r["variant"], r["customer"]): r for r in report["rehearsal"]["results"]}
    assert len(runs) == 6
    assert runs["A", "Eager"]["turns"] == 1  # volunteered it in the first message
    assert runs["A", "Asked"]["turns"] == 2  # gave it once asked, from the second message on
    assert not runs["B", "Browser"]["converted"] and len(runs["B", "Browser"]["transcript"]) == 7
    assert runs["B", "Asked"]["transcript"][0] == [
        "assistant",
        "Hi! Leave your number and we call you back.",
    ]
    assert "Rehearsal 6/6" in result.stderr  # progress, as it goes
    # nothing reached the real journal: no leads, no assignments, no events
    journal = tmp_path / "data" / "botstudio.sqlite3"
    if journal.exists():
        import sqlite3

        db = sqlite3.connect(journal)
        for table in ("leads", "assignments", "events", "messages"):
            assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table


def test_a_bad_customers_file_names_the_line(tmp_path: Path) -> None:
    bad = CUSTOMERS.replace("    after_turn: 2\n", "    after_turns: 2\n")
    result = rehearse(tmp_path, bad)
    assert result.returncode == 1
    assert "customers.yaml:7:" in result.stderr and "after_turn" in result.stderr
    unknown = CUSTOMERS.replace('shares: {phone: "13812345678"}', 'shares: {email: "a@b.c"}')
    result = rehearse(tmp_path, unknown)
    assert result.returncode == 1
    assert "customers.yaml:6:" in result.stderr and "email" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.model
def test_a_long_rehearsal_outgrows_no_context(tmp_path: Path) -> None:
    """The customer's side keeps the latest turns that fit, as the bot's side does."""
    small = SHOP.replace("context: 2048", "context: 512").replace(
        "max_tokens: 40", "max_tokens: 32"
    )
    talker = "max_turns: 8\ncustomers:\n  - {name: Talker, who: a chatty man, wants: small talk}\n"
    bots = tmp_path / "bots"
    bots.mkdir()
    (bots / "shop.yaml").write_text(small, encoding="utf-8")
    result = rehearse(tmp_path, talker, "--runs", "1", "--json")
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)["rehearsal"]["results"]
    assert [len(r["transcript"]) for r in runs] == [16, 17]  # 8 turns each; B greets first
