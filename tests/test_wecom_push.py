"""Pushing to a group webhook through the durable outbox, against the fake WeCom over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.outbox import Outbox
from runtime.store import Journal
from runtime.store.settings import Settings
from runtime.wecom.bindings import BindingError, Bindings, webhook_key
from tests.fake_wecom import FakeWeCom, Served

KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def wecom(monkeypatch: pytest.MonkeyPatch):
    fake = FakeWeCom(keys={KEY}, now=1_000_000.0)
    with Served(fake.app()) as served:
        monkeypatch.setenv("BOTSTUDIO_WECOM_API", served.url)
        yield fake


@pytest.fixture
def outbox(tmp_path: Path, wecom: FakeWeCom) -> Outbox:
    journal = Journal(tmp_path / "journal.sqlite3")
    bindings = Bindings(Settings(tmp_path / "settings.json"), journal)
    bindings.bind("sales", "webhook", {"key": KEY})
    return Outbox(journal, bindings, clock=wecom.clock)


def test_a_pasted_url_or_a_bare_key_both_bind() -> None:
    url = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"
    assert webhook_key(url) == KEY == webhook_key(f"  {KEY} ")
    with pytest.raises(BindingError):
        webhook_key("https://example.com/no-key-here")


def test_30_pushes_in_a_burst_arrive_over_two_minutes_in_order(outbox: Outbox, wecom) -> None:
    for i in range(30):
        outbox.push("sales", f"消息 {i}")
    start = wecom.now
    assert outbox.deliver_due(start) == 20  # the minute's allowance
    wecom.now = start + 30
    assert outbox.deliver_due(wecom.now) == 0  # paced, not dropped
    wecom.now = start + 61
    assert outbox.deliver_due(wecom.now) == 10
    assert wecom.texts(KEY) == [f"消息 {i}" for i in range(30)]
    assert wecom.rejected == [] and outbox.backlog() == 0


def test_a_long_chinese_message_arrives_as_ordered_pieces(outbox: Outbox, wecom) -> None:
    text = "\n\n".join(f"第{i}段。" + "企业微信机器人可以推送营销早报。" * 30 for i in range(4))
    assert len(text.encode()) > 5000
    outbox.push("sales", text)
    outbox.deliver_due(wecom.now)
    pieces = wecom.texts(KEY)
    assert len(pieces) > 1 and all(len(p.encode()) <= 2048 for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")


def test_a_frequency_error_is_retried_with_backoff_and_recorded(outbox: Outbox, wecom) -> None:
    wecom.fail_next = [45009]
    outbox.push("sales", "早上好")
    assert outbox.deliver_due(wecom.now) == 0
    health = outbox.bindings.health("sales", "webhook")
    assert "45009" in health["last_error"] and not health["broken"]
    assert outbox.deliver_due(wecom.now + 1) == 0  # backing off
    assert outbox.deliver_due(wecom.now + 3) == 1
    assert wecom.texts(KEY) == ["早上好"]
    assert outbox.bindings.health("sales", "webhook")["last_success"]


def test_a_network_error_is_retried(outbox: Outbox, wecom, monkeypatch) -> None:
    monkeypatch.setenv("BOTSTUDIO_WECOM_API", "http://127.0.0.1:9")  # nothing listens there
    outbox.push("sales", "hello")
    assert outbox.deliver_due(wecom.now) == 0
    assert "network" in outbox.bindings.health("sales", "webhook")["last_error"]
    assert outbox.backlog() == 1


def test_a_bad_key_marks_the_binding_broken_and_stops(tmp_path: Path, wecom) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    bindings = Bindings(Settings(tmp_path / "settings.json"), journal)
    bindings.bind("sales", "webhook", {"key": "0000dead-beef-0000-0000-000000000000"})
    outbox = Outbox(journal, bindings, clock=wecom.clock)
    outbox.push("sales", "hello")
    outbox.deliver_due(wecom.now)
    health = bindings.health("sales", "webhook")
    assert health["broken"] and "93000" in health["last_error"]
    assert outbox.deliver_due(wecom.now + 3600) == 0 and outbox.backlog() == 0  # not retried


def test_unsent_messages_survive_a_restart_and_go_once(tmp_path: Path, wecom) -> None:
    bindings = Bindings(Settings(tmp_path / "settings.json"), Journal(tmp_path / "j.sqlite3"))
    bindings.bind("sales", "webhook", {"key": KEY})
    first = Outbox(Journal(tmp_path / "j.sqlite3"), bindings, clock=wecom.clock)
    first.push("sales", "one")
    first.push("sales", "two")
    first.journal.connection().execute("UPDATE outbox SET state = 'sending' WHERE id = 1")
    first.journal.close()  # the process dies here, 'one' caught mid-send
    again = Outbox(Journal(tmp_path / "j.sqlite3"), bindings, clock=wecom.clock)
    assert again.recover() == 1
    assert again.deliver_due(wecom.now) == 2
    assert again.deliver_due(wecom.now + 100) == 0
    assert wecom.texts(KEY) == ["one", "two"]


def test_two_workers_never_send_the_same_message(tmp_path: Path, wecom) -> None:
    import threading

    path = tmp_path / "j.sqlite3"
    bindings = Bindings(Settings(tmp_path / "settings.json"), Journal(path))
    bindings.bind("sales", "webhook", {"key": KEY})
    writer = Outbox(Journal(path), bindings, clock=wecom.clock)
    for i in range(15):
        writer.push("sales", f"m{i}")
    workers = [Outbox(Journal(path), bindings, clock=wecom.clock) for _ in range(3)]
    threads = [threading.Thread(target=w.deliver_due, args=(wecom.now,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wecom.texts(KEY)) == sorted(f"m{i}" for i in range(15))


def _launch(*args: str, data: Path, api: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "BOTSTUDIO_LANG": "en", "BOTSTUDIO_WECOM_API": api}
    return subprocess.run(
        [sys.executable, "launch.py", "--data", str(data), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_bind_push_and_unbind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeWeCom(keys={KEY})
    with Served(fake.app()) as served:
        url = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"
        bound = _launch("bind", "ops-helper", "--webhook", url, data=tmp_path, api=served.url)
        assert bound.returncode == 0 and KEY not in bound.stdout  # masked
        text = "周报提醒。" * 500  # 7,500 bytes
        pushed = _launch("push", "ops-helper", text, data=tmp_path, api=served.url)
        assert pushed.returncode == 0, pushed.stderr
        assert "".join(fake.texts(KEY)) == text and len(fake.texts(KEY)) == 4
        _launch("unbind", "ops-helper", "--webhook", data=tmp_path, api=served.url)
        again = _launch("push", "ops-helper", "hi", data=tmp_path, api=served.url)
        assert again.returncode == 1 and "no webhook binding" in again.stderr
    assert KEY not in "".join(p.read_text() for p in (ROOT / "bots").glob("*.yaml"))


def test_cli_push_with_a_bad_key_says_so(tmp_path: Path) -> None:
    fake = FakeWeCom(keys=set())
    with Served(fake.app()) as served:
        _launch("bind", "ops-helper", "--webhook", KEY, data=tmp_path, api=served.url)
        pushed = _launch("push", "ops-helper", "hi", data=tmp_path, api=served.url)
    assert pushed.returncode == 1 and "errcode 93000" in pushed.stderr


# --- waiting for a message to arrive: the studio's test message, `launch.py push` -----


def test_wait_delivered_returns_once_the_worker_has_sent_it(outbox: Outbox, wecom) -> None:
    import threading

    ids = outbox.push("sales", "测试消息")
    worker = threading.Timer(0.3, outbox.deliver_due)  # the server's worker, a moment later
    worker.start()
    delivered = outbox.wait_delivered(ids, timeout=10)
    worker.join()
    assert (delivered.state, delivered.error) == ("sent", "")
    assert wecom.texts(KEY) == ["测试消息"]


def test_wait_delivered_sends_a_long_message_itself_when_asked(outbox: Outbox, wecom) -> None:
    ids = outbox.push("sales", "周报提醒。" * 500)
    assert len(ids) > 1
    assert outbox.wait_delivered(ids, deliver=True).state == "sent"
    assert "".join(wecom.texts(KEY)) == "周报提醒。" * 500


def test_wait_delivered_says_why_a_message_failed(tmp_path: Path, wecom) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    bindings = Bindings(Settings(tmp_path / "settings.json"), journal)
    bindings.bind("sales", "webhook", {"key": "0000dead-beef-0000-0000-000000000000"})
    outbox = Outbox(journal, bindings, clock=wecom.clock)
    ids = outbox.push("sales", "hello")
    delivered = outbox.wait_delivered(ids, deliver=True)  # a bad key is not retried
    assert delivered.state == "failed" and "93000" in delivered.error


def test_wait_delivered_takes_the_first_error_or_waits_out_retries(outbox: Outbox, wecom) -> None:
    wecom.fail_next = [45009]  # WeCom's "too often": retried with backoff
    first = outbox.push("sales", "one")
    # the studio's test message: the first error is the answer, though it will be retried
    delivered = outbox.wait_delivered(first, deliver=True, retries=False)
    assert delivered.state == "failed" and "45009" in delivered.error
    # `launch.py push` waits for the retry; the clock here stands still, so it times out
    second = outbox.push("sales", "two")
    assert outbox.wait_delivered(second, deliver=True, timeout=0.5).state == "waiting"
    assert outbox.deliver_due(wecom.now + 600) == 2  # the retries go out, in order
    assert outbox.wait_delivered(first + second).state == "sent"
    assert wecom.texts(KEY) == ["one", "two"]


def test_wait_delivered_gives_up_waiting_at_its_timeout(outbox: Outbox) -> None:
    ids = outbox.push("sales", "nobody delivers this")  # no worker runs
    assert outbox.wait_delivered(ids, timeout=0.3).state == "waiting"
    assert outbox.backlog() == 1
