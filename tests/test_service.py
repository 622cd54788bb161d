"""Running as a service: the systemd unit `launch.py service` writes is valid, and the
command it runs starts the server and stops cleanly on SIGTERM, as systemd stops it."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.fake_wecom import free_port
from tests.test_cli import launch


def test_the_unit_is_valid_and_what_it_runs_serves_and_stops(
    tmp_path: Path, bots_dir: Path
) -> None:
    port = free_port()
    result = launch("--port", str(port), "service", data=tmp_path / "data", bots=bots_dir)
    assert result.returncode == 0, result.stderr
    unit = result.stdout
    assert "Restart=on-failure" in unit and "KillSignal=SIGTERM" in unit
    path = tmp_path / "botstudio.service"
    path.write_text(unit, encoding="utf-8")
    if shutil.which("systemd-analyze"):
        verified = subprocess.run(
            ["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60
        )
        assert verified.returncode == 0, verified.stderr
    start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    command = shlex.split(start.removeprefix("ExecStart="))
    assert str(bots_dir.resolve()) in command and f"{port}" in command
    server = subprocess.Popen(command, cwd="/", env={**os.environ, "BOTSTUDIO_LANG": "en"})
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()
                break
            except httpx.TransportError:
                assert server.poll() is None, "the service's command exited"
                assert time.monotonic() < deadline
                time.sleep(0.3)
        assert health["status"] == "ok"
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=60)
    assert code in (0, -signal.SIGTERM)  # a clean stop, as systemd counts it


@pytest.mark.parametrize("lang, words", [("en", "enable-linger"), ("zh", "退出登录后也保持运行")])
def test_install_writes_the_user_unit_and_says_what_next(
    tmp_path: Path, bots_dir: Path, lang: str, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    result = launch("service", "--install", data=tmp_path / "data", bots=bots_dir, lang=lang)
    assert result.returncode == 0, result.stderr
    written = tmp_path / "config" / "systemd" / "user" / "botstudio.service"
    assert "ExecStart=" in written.read_text(encoding="utf-8")
    assert words in result.stdout and "systemctl --user enable --now botstudio" in result.stdout


def test_the_unit_serves_the_same_host_names_and_limits(tmp_path: Path, bots_dir: Path) -> None:
    result = launch(
        "--allowed-host",
        "bots.example.com",
        "--upload-limit",
        "50MB",
        "service",
        data=tmp_path / "data",
        bots=bots_dir,
    )
    assert result.returncode == 0, result.stderr
    start = next(line for line in result.stdout.splitlines() if line.startswith("ExecStart="))
    command = shlex.split(start.removeprefix("ExecStart="))
    assert command[command.index("--allowed-host") + 1] == "bots.example.com"
    assert command[command.index("--upload-limit") + 1] == str(50 * 1024 * 1024)
    assert "--model-upload-limit" not in command  # the default needs no option
