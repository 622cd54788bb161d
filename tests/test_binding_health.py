"""A binding's health (last success, last error, broken) is kept in the journal: it
survives a restart, an older install's health moves there from settings.json once, and
settings.json keeps settings and secrets only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runtime.health import health
from runtime.outbox import Outbox
from runtime.store import Journal
from runtime.store.settings import Settings
from runtime.wecom.bindings import Bindings
from runtime.workspace import Workspace
from tests.fake_wecom import FakeWeCom, Served

KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
BAD_KEY = "0000dead-beef-0000-0000-000000000000"


@pytest.fixture
def wecom(monkeypatch: pytest.MonkeyPatch):
    fake = FakeWeCom(keys={KEY}, now=1_000_000.0)
    with Served(fake.app()) as served:
        monkeypatch.setenv("BOTSTUDIO_WECOM_API", served.url)
        yield fake


def _settings_text(data: Path) -> str:
    return (data / "settings.json").read_text(encoding="utf-8")


def test_a_broken_binding_is_still_broken_after_a_restart(tmp_path: Path, wecom) -> None:
    journal = Journal(tmp_path / "botstudio.sqlite3")
    bindings = Bindings(Settings(tmp_path / "settings.json"), journal)
    bindings.bind("sales", "webhook", {"key": BAD_KEY})
    outbox = Outbox(journal, bindings, clock=wecom.clock)
    outbox.push("sales", "早上好")
    outbox.deliver_due(wecom.now)
    journal.close()  # the process ends

    again = Bindings(Settings(tmp_path / "settings.json"), Journal(tmp_path / "botstudio.sqlite3"))
    health_now = again.health("sales", "webhook")
    assert health_now["broken"] is True and "93000" in health_now["last_error"]
    assert "binding-health" not in _settings_text(tmp_path)  # settings and secrets only
    assert BAD_KEY in json.dumps(again.get("sales", "webhook"))


def test_a_new_key_starts_healthy_and_success_mends_a_binding(tmp_path: Path, wecom) -> None:
    journal = Journal(tmp_path / "botstudio.sqlite3")
    bindings = Bindings(Settings(tmp_path / "settings.json"), journal)
    bindings.bind("sales", "webhook", {"key": KEY})
    bindings.failed("sales", "webhook", "errcode 93000: invalid webhook url", broken=True)
    bindings.bind("sales", "webhook", {"key": KEY})  # bound again: a clean slate
    assert bindings.health("sales", "webhook") == {}
    wecom.fail_next = [45009]
    outbox = Outbox(journal, bindings, clock=wecom.clock)
    outbox.push("sales", "hello")
    outbox.deliver_due(wecom.now)
    failed = bindings.health("sales", "webhook")
    assert failed["broken"] is False and "45009" in failed["last_error"]
    outbox.deliver_due(wecom.now + 10)
    mended = bindings.health("sales", "webhook")
    assert mended["last_success"] and mended["last_error_at"] < mended["last_success"]
    bindings.unbind("sales")
    assert bindings.health("sales", "webhook") == {}


def test_an_older_installs_health_moves_from_settings_to_the_journal_once(
    tmp_path: Path, bots_dir: Path
) -> None:
    data = tmp_path / "data"
    old = Settings(data / "settings.json")  # as a version before this one left it
    old.set("binding:ops-helper", {"webhook": {"key": KEY}})
    old.set(
        "binding-health:ops-helper:webhook",
        {"last_error": "errcode 93000: invalid webhook url", "last_error_at": 5.0, "broken": True},
    )
    old.set("binding-health:ops-helper:alert_webhook", {"last_success": 7.0, "broken": False})

    workspace = Workspace(bots_dir, data, lang="en")
    report = health(workspace)  # what /healthz and `launch.py status` say
    assert report["status"] == "attention"
    assert "ops-helper's Group webhook is broken" in report["problems"][0]
    assert report["bindings"]["ops-helper"]["webhook"] == {
        "last_error": "errcode 93000: invalid webhook url",
        "last_error_at": 5.0,
        "broken": True,
    }
    assert workspace.bindings.health("ops-helper", "alert_webhook") == {
        "last_success": 7.0,
        "broken": False,
    }
    assert "binding-health" not in _settings_text(data)  # removed from there
    assert KEY in _settings_text(data)  # the credentials stay where they were

    workspace.bindings.succeeded("ops-helper", "webhook")  # later news wins over the old
    workspace.journal.close()
    reopened = Workspace(bots_dir, data, lang="en")
    mended = reopened.bindings.health("ops-helper", "webhook")
    assert mended["broken"] is False and mended["last_success"] > 5.0
    assert health(reopened)["status"] == "ok"
