"""Downloading a model as a user does, against a Hugging Face-compatible hub on 127.0.0.1
(tests/fake_hub.py) serving the real bundled GGUF: verified before it appears in gguf/,
resumed with Range after a dropped line or a killed process, refused when the disk is too
small, deleted when its bytes do not match, multi-part files whole, bots switched to it."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from runtime.models.catalog import ModelCatalog
from runtime.models.download import DOWNLOADS, Downloader, DownloadError
from runtime.models.download_progress import DownloadPaused
from runtime.models.hub import huggingface, modelscope
from runtime.spec import BotRepository
from runtime.spec.model_switch import switch_bots
from tests.fake_hub import FakeHub
from tests.gguf_split import split_gguf

ROOT = Path(__file__).resolve().parent.parent
SMOL = ROOT / "gguf" / "SmolLM2-135M-Instruct.Q4_1.gguf"
REPO, FILE = "Qwen/Test-GGUF", "smol-q4_1.gguf"
SPLIT_REPO, SPLIT_STEM = "Qwen/Split-GGUF", "smol-split-q4_1"
# a real catalog entry, served by the fake hub with the bundled model's bytes
QWEN_REPO, QWEN_FILE = "Qwen/Qwen2.5-1.5B-Instruct-GGUF", "qwen2.5-1.5b-instruct-q4_k_m.gguf"
MiB = 2**20


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, gguf_dir: Path):
    parts = split_gguf(SMOL, tmp_path_factory.mktemp("split"), SPLIT_STEM, parts=2)
    with FakeHub() as hub:
        hub.add(REPO, FILE, SMOL)
        hub.add(QWEN_REPO, QWEN_FILE, SMOL)
        for part in parts:
            hub.add(SPLIT_REPO, part.name, part)
        yield hub


@pytest.fixture
def hub(served: FakeHub) -> FakeHub:
    served.reset()
    yield served
    served.reset()


@pytest.fixture
def gguf(tmp_path: Path) -> Path:
    folder = tmp_path / "gguf"
    folder.mkdir()
    return folder


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def models_in(folder: Path) -> list[str]:
    return [p.name for p in ModelCatalog(folder).files()]


def launch(*args: str, tmp: Path, gguf: Path, lang: str = "en", **kw) -> subprocess.Popen:
    env = {**os.environ, "BOTSTUDIO_LANG": lang}
    command = [
        sys.executable,
        str(ROOT / "launch.py"),
        "--bots",
        str(tmp / "bots"),
        "--data",
        str(tmp / "data"),
        "--gguf",
        str(gguf),
        *args,
    ]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw
    )


def run(*args: str, tmp: Path, gguf: Path, lang: str = "en") -> subprocess.CompletedProcess:
    process = launch(*args, tmp=tmp, gguf=gguf, lang=lang)
    out, err = process.communicate(timeout=180)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


# --- the download ------------------------------------------------------------------


def test_a_download_is_verified_then_appears_in_gguf(hub: FakeHub, gguf: Path) -> None:
    seen = []
    path = Downloader(gguf).download(huggingface(hub.url), REPO, FILE, progress=seen.append)

    assert path == gguf / FILE and sha256(path) == sha256(SMOL)
    assert models_in(gguf) == [FILE]
    assert list((gguf / DOWNLOADS).glob("*.part")) == []
    # the hub's record came from X-Linked-Etag (its ETag is another value), and the bytes
    # from the CDN it redirected to
    head, get = hub.seen
    assert (head.method, head.status) == ("HEAD", 302) and "/resolve/main/" in head.path
    assert get.method == "GET" and get.path.startswith(f"/cdn/{sha256(SMOL)}")
    assert get.sent == SMOL.stat().st_size
    assert seen[-1].phase == "done" and seen[-1].done == seen[-1].total == SMOL.stat().st_size
    assert any(p.phase == "downloading" for p in seen)


def test_modelscope_is_asked_through_its_own_api(hub: FakeHub, gguf: Path) -> None:
    path = Downloader(gguf).download(modelscope(hub.url), REPO, FILE)

    assert sha256(path) == sha256(SMOL)
    listing, fetch = hub.seen
    assert listing.path.startswith(f"/api/v1/models/{REPO}/repo/files?Revision=master")
    assert fetch.path.startswith(f"/api/v1/models/{REPO}/repo?Revision=master&FilePath={FILE}")


def test_a_dropped_connection_resumes_with_range(hub: FakeHub, gguf: Path) -> None:
    hub.drops, hub.drop_after = 1, 30_000_000
    seen = []
    path = Downloader(gguf).download(huggingface(hub.url), REPO, FILE, progress=seen.append)

    assert sha256(path) == sha256(SMOL)
    first, second = hub.gets(FILE)
    assert first.range_start is None and first.sent == 30_000_000
    # resumed where the bytes on disk stopped: at most one read chunk short of the cut
    assert 30_000_000 - MiB <= second.range_start <= 30_000_000 and second.status == 206
    assert hub.body_bytes(FILE) < 2 * SMOL.stat().st_size
    assert any(p.phase == "retrying" for p in seen)  # said to the user, not an English log


def test_a_paused_download_resumes_in_a_new_downloader(hub: FakeHub, gguf: Path) -> None:
    hub.throttle = 40 * MiB
    stop = threading.Event()

    def pause_at_20mib(progress) -> None:
        if progress.done >= 20 * MiB:
            stop.set()

    with pytest.raises(DownloadPaused):
        Downloader(gguf).download(
            huggingface(hub.url), REPO, FILE, progress=pause_at_20mib, stop=stop
        )
    partial = gguf / DOWNLOADS / f"{FILE}.part"
    kept = partial.stat().st_size
    assert kept >= 20 * MiB and models_in(gguf) == []  # nothing half-done is offered

    hub.reset()
    path = Downloader(gguf).download(huggingface(hub.url), REPO, FILE)
    assert sha256(path) == sha256(SMOL)
    (resumed,) = hub.gets(FILE)
    assert resumed.range_start == kept and resumed.sent == SMOL.stat().st_size - kept


def test_a_killed_process_resumes_where_it_stopped(hub: FakeHub, gguf: Path, tmp_path: Path):
    hub.throttle = 20 * MiB
    first = launch(
        "models",
        "download",
        REPO,
        FILE,
        "--source",
        hub.url,
        tmp=tmp_path,
        gguf=gguf,
        start_new_session=True,
    )
    partial = gguf / DOWNLOADS / f"{FILE}.part"
    deadline = time.monotonic() + 60
    while not (partial.exists() and partial.stat().st_size >= 15 * MiB):
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline, "the download did not start"
        time.sleep(0.05)
    os.killpg(first.pid, signal.SIGKILL)  # a crash, a power cut: no chance to clean up
    first.communicate(timeout=30)
    kept = partial.stat().st_size
    assert models_in(gguf) == []
    listing = run("models", tmp=tmp_path, gguf=gguf)
    assert FILE not in listing.stdout + listing.stderr  # never offered as a model

    hub.reset()
    again = run("models", "download", REPO, FILE, "--source", hub.url, tmp=tmp_path, gguf=gguf)
    assert again.returncode == 0, again.stderr
    assert "Resuming" in again.stdout and f"✔ {FILE}" in again.stdout
    (resumed,) = hub.gets(FILE)
    assert resumed.range_start == kept  # the hub saw Range from exactly what was on disk
    assert sha256(gguf / FILE) == sha256(SMOL)
    assert models_in(gguf) == [FILE] and not partial.exists()


# --- what is refused --------------------------------------------------------------------


def test_corrupted_bytes_are_deleted_and_said_in_chinese(hub: FakeHub, gguf: Path, tmp_path):
    hub.corrupt = True
    result = run(
        "models", "download", REPO, FILE, "--source", hub.url, tmp=tmp_path, gguf=gguf, lang="zh"
    )

    assert result.returncode == 1
    assert f"{FILE} 下载完了，但校验没通过" in result.stderr
    assert "这个文件已经删除，没有放进 gguf/" in result.stderr
    assert f"应该是 {sha256(SMOL)}" in result.stderr
    assert "Traceback" not in result.stderr
    assert models_in(gguf) == [] and list((gguf / DOWNLOADS).glob("*.part*")) == []


def test_a_sha256_that_is_not_the_hubs_is_refused_before_downloading(hub, gguf, tmp_path):
    wrong = "0" * 64
    result = run(
        "models",
        "download",
        REPO,
        FILE,
        "--source",
        hub.url,
        "--sha256",
        wrong,
        tmp=tmp_path,
        gguf=gguf,
    )

    assert result.returncode == 1
    assert f"The SHA-256 you gave ({wrong}) differs from" in result.stderr
    assert hub.gets() == [] and models_in(gguf) == []


def test_a_given_sha256_must_match_the_bytes_too(hub: FakeHub, gguf: Path) -> None:
    hub.hide_sha256 = True  # a hub that keeps no SHA-256: the user's is the only record
    with pytest.raises(DownloadError) as refused:
        Downloader(gguf).download(huggingface(hub.url), REPO, FILE)
    assert refused.value.message_id == "dl.no_checksum" and hub.gets() == []

    with pytest.raises(DownloadError) as mismatch:
        Downloader(gguf).download(huggingface(hub.url), REPO, FILE, sha256="ab" * 32)
    assert mismatch.value.message_id == "dl.mismatch" and models_in(gguf) == []

    path = Downloader(gguf).download(huggingface(hub.url), REPO, FILE, sha256=sha256(SMOL))
    assert sha256(path) == sha256(SMOL)


def test_not_enough_disk_is_refused_before_downloading(hub: FakeHub, gguf: Path, tmp_path):
    hub.declared_size[FILE] = 10**16  # 10 PB: more than any disk this runs on
    result = run(
        "models", "download", REPO, FILE, "--source", hub.url, tmp=tmp_path, gguf=gguf, lang="zh"
    )

    assert result.returncode == 1
    assert "磁盘空间不够：下载需要 " in result.stderr and "什么都没有下载" in result.stderr
    assert hub.gets() == []  # not one byte asked for
    assert models_in(gguf) == [] and list((gguf / DOWNLOADS).glob("*.part")) == []


# --- multi-part models ------------------------------------------------------------------


def parts() -> list[str]:
    return [f"{SPLIT_STEM}-0000{i}-of-00002.gguf" for i in (1, 2)]


@pytest.mark.model
def test_a_multi_part_model_comes_whole_and_loads(hub, gguf: Path, pool) -> None:
    first, second = parts()
    path = Downloader(gguf).download(huggingface(hub.url), SPLIT_REPO, second)  # any part

    assert path == gguf / first and (gguf / second).is_file()
    assert models_in(gguf) == [first]  # the model is its first part; llama.cpp finds the rest
    assert [g.path.split("/cdn/")[0] for g in hub.gets()] == ["", ""]
    model = pool.get(path, context=256, gpu_layers=0)  # llama.cpp opens both parts
    assert model.info.layers == 30


def test_a_bad_part_keeps_the_whole_model_out(hub: FakeHub, gguf: Path) -> None:
    first, second = parts()
    hub.corrupt = second
    with pytest.raises(DownloadError) as failed:
        Downloader(gguf).download(huggingface(hub.url), SPLIT_REPO, first)
    assert failed.value.message_id == "dl.mismatch" and failed.value.params["file"] == second
    assert models_in(gguf) == [] and not (gguf / first).exists()
    assert (gguf / DOWNLOADS / f"{first}.part").is_file()  # checked, kept for the next try

    hub.reset()
    Downloader(gguf).download(huggingface(hub.url), SPLIT_REPO, first)
    assert [g.path.split("?")[-1] for g in hub.gets()] == [f"n={second}"]  # only the bad one
    assert models_in(gguf) == [first]


# --- the terminal ------------------------------------------------------------------------


def test_the_terminal_downloads_lists_and_shows_the_catalog(hub, gguf: Path, tmp_path: Path):
    done = run("models", "download", REPO, FILE, "--source", hub.url, tmp=tmp_path, gguf=gguf)
    assert done.returncode == 0, done.stderr
    assert f"Downloading {FILE} from {REPO} on {hub.url} (93.8 MiB)" in done.stdout
    assert f"✔ {FILE} is downloaded, its SHA-256 checked" in done.stdout
    assert "93.8 MiB of 93.8 MiB (100%)" in done.stderr  # progress, in bytes

    listing = run("models", tmp=tmp_path, gguf=gguf)
    assert listing.returncode == 0 and FILE in listing.stdout

    again = run("models", "download", REPO, FILE, "--source", hub.url, tmp=tmp_path, gguf=gguf)
    assert again.returncode == 0 and "is already in" in again.stdout

    shown = run("models", "catalog", "--source", hub.url, tmp=tmp_path, gguf=gguf, lang="zh")
    assert shown.returncode == 0, shown.stderr
    entry = shown.stdout.split("1. Qwen2.5-1.5B-Instruct")[1].split("\n2.")[0]
    # the size is the hub's record; the memory is computed from the header it served:
    # 98,362,432 B + KV cache 30 layers x 4096 x 3 heads x (64+64) x 2 B
    # + working buffer max(49152 vocab, 4096 x 9 heads) x 512 x 4 B = 279.8 MiB
    assert "下载 93.8 MiB" in entry and "运行约需 279.8 MiB（上下文 4096）" in entry
    assert "适合：最小最快" in entry
    assert "找不到" in shown.stdout.split("2. Qwen2.5-3B-Instruct")[1]  # not on this hub

    offline = run(
        "models", "catalog", "--source", "http://127.0.0.1:9", tmp=tmp_path, gguf=gguf, lang="zh"
    )
    assert offline.returncode == 0
    entry = offline.stdout.split("1. Qwen2.5-1.5B-Instruct")[1].split("\n2.")[0]
    assert "下载 93.8 MiB" in entry and "连不上下载源" in entry  # as the hub said last time


def test_the_terminal_says_plainly_what_is_wrong(hub, gguf: Path, tmp_path: Path) -> None:
    missing = run(
        "models",
        "download",
        REPO,
        "nope.gguf",
        "--source",
        hub.url,
        tmp=tmp_path,
        gguf=gguf,
        lang="zh",
    )
    assert missing.returncode == 1 and "上找不到 Qwen/Test-GGUF 里的 nope.gguf" in missing.stderr
    bad = run("models", "download", REPO, FILE, "--source", "ftp://x", tmp=tmp_path, gguf=gguf)
    assert bad.returncode == 1 and "Unknown source: ftp://x" in bad.stderr
    down = run(
        "models", "download", REPO, FILE, "--source", "http://127.0.0.1:9", tmp=tmp_path, gguf=gguf
    )
    assert down.returncode == 1 and "Cannot reach http://127.0.0.1:9" in down.stderr
    for result in (missing, bad, down):
        assert "Traceback" not in result.stderr


# --- switching bots -----------------------------------------------------------------------


def test_bots_switch_to_the_downloaded_model(hub, gguf: Path, tmp_path: Path, bots_dir: Path):
    assert bots_dir == tmp_path / "bots"  # where launch() points --bots
    done = run(
        "models",
        "download",
        REPO,
        FILE,
        "--source",
        hub.url,
        "--bot",
        "ops-helper",
        tmp=tmp_path,
        gguf=gguf,
    )
    assert done.returncode == 0, done.stderr
    assert f"✔ ops-helper now uses {FILE}" in done.stdout

    repo = BotRepository(tmp_path / "bots", ModelCatalog(gguf), "zh")
    broken = tmp_path / "bots" / "broken.yaml"
    broken.write_text("id: broken\nname: B\nmodel:\n  temprature: 1\n", encoding="utf-8")
    before = broken.read_bytes()
    results = switch_bots(repo, ["xiaolan-sales", "broken", "nobody"], FILE)

    assert [r.ok for r in results] == [True, False, False]
    assert results[0].text("zh") == f"xiaolan-sales 已改用 {FILE}"
    assert "broken 没有修改" in results[1].text("zh") and broken.read_bytes() == before
    assert results[2].text("zh") == "没有叫 nobody 的机器人"
    for bot in ("ops-helper", "xiaolan-sales"):
        text = (tmp_path / "bots" / f"{bot}.yaml").read_text(encoding="utf-8")
        assert f"file: {FILE}" in text and text.startswith("#")  # comments kept
        assert repo.load(bot).model.file == FILE  # reads back, validated against gguf/
    checked = run("check", str(tmp_path / "bots" / "xiaolan-sales.yaml"), tmp=tmp_path, gguf=gguf)
    assert checked.returncode == 0, checked.stdout


# --- whether it fits ------------------------------------------------------------------------


def test_whether_a_model_fits_is_computed_from_this_machine(tmp_path: Path, monkeypatch):
    from runtime.i18n import t
    from runtime.models.recommended import Machine, _nvidia_free, fit

    tool = tmp_path / "bin" / "nvidia-smi"  # what nvidia-smi prints, two cards
    tool.parent.mkdir()
    tool.write_text("#!/bin/sh\necho 'NVIDIA T4, 14930'\necho 'NVIDIA H200, 143011'\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tool.parent}{os.pathsep}{os.environ['PATH']}")
    assert _nvidia_free() == (143011 * MiB, "NVIDIA H200")  # the card with most free

    GiB = 2**30
    gpu = Machine(
        free_ram=8 * GiB,
        total_ram=16 * GiB,
        gpu_build=True,
        free_vram=6 * GiB,
        gpu_name="NVIDIA T4",
    )
    said = {}
    for need in (5, 7, 12, 20):
        key, params = fit(need * GiB, gpu)
        said[need] = t(key, "zh", **params)
    assert said[5] == "✔ 显卡放得下（需要 5.0 GiB，显存空闲 6.0 GiB）"
    assert said[7] == "✔ 内存够用（需要 7.0 GiB，空闲 8.0 GiB）"
    assert said[12].startswith("⚠ 内存偏紧：需要 12.0 GiB，现在只空闲 8.0 GiB（共 16.0 GiB）")
    assert said[20] == "✖ 本机放不下（需要 20.0 GiB，内存共 16.0 GiB）"
    cpu = Machine(
        free_ram=8 * GiB, total_ram=16 * GiB, gpu_build=False, free_vram=None, gpu_name=None
    )
    assert fit(5 * GiB, cpu)[0] == "dl.fit.ram"  # no GPU build: memory only
    assert fit(None, cpu)[0] == "dl.fit.unknown"
