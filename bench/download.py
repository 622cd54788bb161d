"""Model download benchmark, in one run against the fake Hugging Face hub on 127.0.0.1
(tests/fake_hub.py, which serves files with sendfile):

- throughput of `launch.py models download`'s downloader (HEAD, redirect, GET, SHA-256
  while writing, fsync, move into gguf/) against `curl -L` of the same file, against
  curl followed by `sha256sum` (what a careful person does by hand), and against
  huggingface_hub's own `hf_hub_download` (no SHA-256 check);
- what `hf_hub_download` does by itself when the line drops, when the process is killed
  and restarted, when the bytes are corrupted and when the disk is too small: the
  reasons runtime/models/download.py exists.

    .venv/bin/python bench/download.py [--mib 1024] [--rounds 3]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runtime.models.download import Downloader  # noqa: E402
from runtime.models.hub import huggingface  # noqa: E402
from tests.fake_hub import FakeHub  # noqa: E402

SMOL = ROOT / "gguf" / "SmolLM2-135M-Instruct.Q4_1.gguf"
REPO, NAME = "Qwen/Bench-GGUF", "bench-q4.gguf"
MiB = 2**20


def make_file(folder: Path, mib: int) -> Path:
    """A file of about `mib` MiB that starts with a real GGUF header (the bundled model,
    repeated): what the downloader checks before a file may enter gguf/."""
    path = folder / NAME
    block = SMOL.read_bytes()
    with path.open("wb") as out:
        while out.tell() < mib * MiB:
            out.write(block[: mib * MiB - out.tell()])
    return path


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def throughput(hub: FakeHub, source: Path, work: Path, rounds: int) -> None:
    size = source.stat().st_size
    url = f"{hub.url}/{REPO}/resolve/main/{NAME}"
    times: dict[str, list[float]] = {"ours": [], "curl": [], "curl+sha256sum": [], "hf": []}

    def ours() -> None:
        gguf = work / "gguf"
        shutil.rmtree(gguf, ignore_errors=True)
        gguf.mkdir()
        Downloader(gguf).download(huggingface(hub.url), REPO, NAME)

    def curl(check: bool) -> None:
        target = work / "curl.gguf"
        subprocess.run(["curl", "-sSfL", "-o", str(target), url], check=True)
        if check:
            subprocess.run(["sha256sum", str(target)], check=True, capture_output=True)
        target.unlink()

    def hf() -> None:
        from huggingface_hub import hf_hub_download

        folder = work / "hf"
        shutil.rmtree(folder, ignore_errors=True)
        hf_hub_download(
            REPO, NAME, local_dir=folder, endpoint=hub.url, token=False, cache_dir=work / "hf-cache"
        )

    for _ in range(rounds):  # interleaved, so that the machine's mood is shared
        times["ours"].append(timed(ours))
        times["curl"].append(timed(lambda: curl(False)))
        times["curl+sha256sum"].append(timed(lambda: curl(True)))
        times["hf"].append(timed(hf))
    print(f"\nthroughput, {size / MiB:.0f} MiB file, median of {rounds} (MiB/s, seconds):")
    base = statistics.median(times["curl"])
    for label, what in (
        ("curl -L", "curl"),
        ("curl -L, then sha256sum", "curl+sha256sum"),
        ("hf_hub_download (size check only)", "hf"),
        ("ours (SHA-256 checked, fsync, moved in)", "ours"),
    ):
        median = statistics.median(times[what])
        print(
            f"  {label:42s} {size / MiB / median:7.0f} MiB/s  {median:6.2f} s  "
            f"({base / median:.2f}x curl)"
        )


def what_hf_hub_download_does(hub: FakeHub, small: Path, work: Path) -> None:
    """Four questions, answered by watching the hub."""
    from huggingface_hub import hf_hub_download

    size = small.stat().st_size
    hub.add(REPO, "small.gguf", small)

    def fetch(folder: Path):
        return hf_hub_download(
            REPO,
            "small.gguf",
            local_dir=folder,
            endpoint=hub.url,
            token=False,
            cache_dir=work / "hf-cache",
        )

    print(
        "\nwhat hf_hub_download does alone (huggingface_hub "
        f"{__import__('huggingface_hub').__version__}):"
    )
    hub.reset()
    hub.drops, hub.drop_after = 1, size // 3
    fetch(work / "a")
    ranges = [g.range_start for g in hub.gets("small.gguf")]
    print(f"  line dropped at {size // 3:,} B: GETs with Range {ranges} -> resumes in-process")

    hub.reset()
    hub.throttle = 20 * MiB
    where = {"local_dir": str(work / "b"), "cache_dir": str(work / "hf-cache")}
    script = (
        "from huggingface_hub import hf_hub_download\n"
        f"hf_hub_download({REPO!r}, 'small.gguf', endpoint={hub.url!r}, token=False, "
        f"**{where!r})\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    deadline = time.monotonic() + 30
    while hub.body_bytes("small.gguf") < size // 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    left = sum(p.stat().st_size for p in (work / "b").rglob("*.incomplete"))
    hub.reset()
    fetch(work / "b")
    (again,) = hub.gets("small.gguf")
    print(
        f"  process killed, {left:,} B left in .incomplete files: the next run GETs with "
        f"Range {again.range_start} and {again.sent:,} B -> starts over"
    )

    hub.reset()
    hub.corrupt = True
    path = Path(fetch(work / "c"))
    good = hashlib.sha256(small.read_bytes()).hexdigest()
    bad = hashlib.sha256(path.read_bytes()).hexdigest()
    print(
        f"  corrupted bytes served: returned {path.name} with SHA-256 {bad[:12]}… "
        f"(hub's X-Linked-Etag {good[:12]}…) -> "
        f"{'accepted' if bad != good else 'caught'}"
    )

    hub.reset()
    free = shutil.disk_usage(work).free
    declared = free + 2**30  # one GiB more than this disk has
    hub.declared_size["small.gguf"] = declared
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fetch(work / "d")
            outcome = "finished"
        except Exception as exc:
            outcome = f"{type(exc).__name__}: {str(exc).splitlines()[0][:70]}"
    said = {str(w.message)[:40] for w in caught}
    print(
        f"  hub says {declared / 2**30:.0f} GiB, disk has {free / 2**30:.0f} GiB free: "
        f"warned {sorted(said)}, sent {len(hub.gets('small.gguf'))} GET(s) for "
        f"{hub.body_bytes('small.gguf'):,} B, then {outcome}"
    )
    hub.reset()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=1024, help="size of the served file")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("curl"):
        sys.exit("curl is needed as the baseline")
    with tempfile.TemporaryDirectory(prefix="bench-download-") as tmp, FakeHub() as hub:
        work = Path(tmp)
        source = make_file(work, args.mib)
        hub.add(REPO, NAME, source)
        print(f"fake hub on {hub.url} (CDN {hub.cdn_url}), {os.cpu_count()} CPUs")
        throughput(hub, source, work, args.rounds)
        what_hf_hub_download_does(hub, SMOL, work)


if __name__ == "__main__":
    main()
