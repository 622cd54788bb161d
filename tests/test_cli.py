"""The command line as a user runs it: real subprocesses, real files, real HTTP."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def launch(*args: str, data: Path, bots: Path, lang: str = "en", timeout: int = 120):
    env = {**os.environ, "BOTSTUDIO_LANG": lang, "BOTSTUDIO_THREADS": "2"}
    command = [sys.executable, str(ROOT / "launch.py"), "--bots", str(bots), "--data", str(data)]
    return subprocess.run(
        [*command, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_check_accepts_the_shipped_bots(tmp_path: Path, bots_dir: Path) -> None:
    result = launch("check", data=tmp_path, bots=bots_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": OK") == 3


def test_check_reports_each_problem_with_its_line_and_exits_1(
    tmp_path: Path, bots_dir: Path
) -> None:
    bad = bots_dir / "broken.yaml"
    bad.write_text("id: broken\nname: B\nmodel:\n  temprature: 1\nwecom:\n  trigger: never\n")
    result = launch("check", data=tmp_path, bots=bots_dir)
    assert result.returncode == 1
    assert f"{bad}:4: unknown key 'model.temprature'; did you mean 'temperature'?" in result.stdout
    assert f"{bad}:6: 'When to answer in groups (wecom.trigger)' must be one of" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    only = launch("check", str(bots_dir / "ops-helper.yaml"), data=tmp_path, bots=bots_dir)
    assert only.returncode == 0 and only.stdout.count(": OK") == 1


def test_check_of_a_missing_file_is_a_message(tmp_path: Path, bots_dir: Path) -> None:
    result = launch("check", str(tmp_path / "nope.yaml"), data=tmp_path, bots=bots_dir)
    assert result.returncode == 1
    assert "nope.yaml:1: file not found" in result.stdout


def test_check_speaks_chinese(tmp_path: Path, bots_dir: Path) -> None:
    (bots_dir / "bad.yaml").write_text("id: bad\n")
    result = launch("check", data=tmp_path, bots=bots_dir, lang="zh")
    assert "bad.yaml:1: 缺少必填项 “名称（name）”" in result.stdout


@pytest.mark.model
def test_chat_answers_and_the_same_user_continues_one_conversation(
    tmp_path: Path, bots_dir: Path
) -> None:
    (bots_dir / "helper.yaml").write_text(
        "id: helper\nname: Helper\nlanguage: en\npersona: You are a helpful assistant.\n"
        "model: {temperature: 0, max_tokens: 32, context: 2048}\n"
    )
    first = launch(
        "chat", "helper", "-m", "My name is Alice.", "--user", "alice", data=tmp_path, bots=bots_dir
    )
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip()
    second = launch(
        "chat", "helper", "-m", "What is my name?", "--user", "alice", data=tmp_path, bots=bots_dir
    )
    assert second.returncode == 0, second.stderr
    db = sqlite3.connect(tmp_path / "botstudio.sqlite3")
    rows = db.execute(
        "SELECT role, content FROM messages"
        " WHERE bot_id = 'helper' AND conversation = 'alice' ORDER BY id"
    ).fetchall()
    assert [r[0] for r in rows] == ["user", "assistant", "user", "assistant"]
    assert rows[1][1] == first.stdout.strip() and rows[3][1] == second.stdout.strip()


@pytest.mark.model
def test_interactive_chat_greets_resets_and_quits(tmp_path: Path, bots_dir: Path) -> None:
    env = {**os.environ, "BOTSTUDIO_LANG": "en", "BOTSTUDIO_THREADS": "2"}
    (bots_dir / "helper.yaml").write_text(
        "id: helper\nname: Helper\nlanguage: en\ngreeting: Hello there!\n"
        "model: {temperature: 0, max_tokens: 16, context: 2048}\n"
    )
    command = [sys.executable, "launch.py", "--bots", str(bots_dir), "--data", str(tmp_path)]
    result = subprocess.run(
        [*command, "chat", "helper"],
        cwd=ROOT,
        env=env,
        input="hi\n/reset\n/quit\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Hello there!\n")
    assert "(conversation forgotten)" in result.stderr


def test_chat_with_an_unknown_bot_or_variant_lists_what_exists(
    tmp_path: Path, bots_dir: Path
) -> None:
    result = launch("chat", "nobody", "-m", "hi", data=tmp_path, bots=bots_dir)
    assert result.returncode == 1
    assert (
        "there is no bot 'nobody' (bots: ad-copywriter, ops-helper, xiaolan-sales)" in result.stderr
    )
    result = launch(
        "chat", "xiaolan-sales", "--variant", "C", "-m", "hi", data=tmp_path, bots=bots_dir
    )
    assert result.returncode == 1
    assert "bot 'xiaolan-sales' has no variant 'C' (variants: A, B)" in result.stderr
    assert "Traceback" not in result.stderr


def test_chat_with_an_invalid_bot_shows_its_problems(tmp_path: Path, bots_dir: Path) -> None:
    (bots_dir / "broken.yaml").write_text("id: broken\nname: B\nmodel: {context: 10}\n")
    result = launch("chat", "broken", "-m", "hi", data=tmp_path, bots=bots_dir)
    assert result.returncode == 1
    assert "broken.yaml:3: 'Context size (model.context)' must be between 512" in result.stderr


def test_models_lists_what_is_inside_each_file(tmp_path: Path, bots_dir: Path) -> None:
    result = launch("models", data=tmp_path, bots=bots_dir)
    assert result.returncode == 0, result.stderr
    header, row = result.stdout.splitlines()[:2]
    assert header.split() == [
        "file",
        "architecture",
        "parameters",
        "quantization",
        "context",
        "size",
    ]
    assert row.split()[:5] == ["SmolLM2-135M-Instruct.Q4_1.gguf", "llama", "135M", "Q4_1", "8192"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_server_starts_and_reports_health(tmp_path: Path, bots_dir: Path) -> None:
    from runtime.workspace import Workspace

    bindings = Workspace(data_dir=tmp_path).bindings  # as `launch.py bind` does
    bindings.bind("ops-helper", "webhook", {"key": "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"})
    bindings.failed("ops-helper", "webhook", "93000 invalid webhook url", broken=True)
    port = _free_port()
    env = {**os.environ, "BOTSTUDIO_LANG": "en"}
    command = [sys.executable, "launch.py", "--bots", str(bots_dir), "--data", str(tmp_path)]
    server = subprocess.Popen([*command, "--port", str(port)], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    health = json.load(r)
                break
            except OSError:
                assert server.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server did not answer in 60 s"
                time.sleep(0.3)
        assert health["status"] == "attention"
        assert health["bindings"]["ops-helper"]["webhook"]["broken"] is True
        # WeCom's own words beside ours
        assert "ops-helper's Group webhook is broken: WeCom said: 93000" in health["problems"][0]
        assert (health["outbox_backlog"], health["inbox_waiting"]) == (0, 0)
        assert health["bots"] == ["ad-copywriter", "ops-helper", "xiaolan-sales"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            assert "BotStudio" in r.read().decode()
        status = launch("--port", str(port), "status", data=tmp_path, bots=bots_dir)
        assert status.returncode == 1  # something needs attention
        assert "Needs attention" in status.stdout and "93000" in status.stdout
        assert "not running" not in status.stdout
    finally:
        server.terminate()
        server.wait(timeout=20)
    status = launch("--port", str(port), "status", data=tmp_path, bots=bots_dir)
    assert status.returncode == 1 and "not running" in status.stdout


def test_server_refuses_a_public_address_without_a_password(tmp_path: Path, bots_dir: Path) -> None:
    result = launch("--host", "0.0.0.0", data=tmp_path, bots=bots_dir)
    assert result.returncode == 1
    assert "refusing to listen on 0.0.0.0" in result.stderr
