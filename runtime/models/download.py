"""Downloading a GGUF model into gguf/: resumable, checked, and never half there.

What huggingface_hub does for us, and what we add (measured in bench/download.py):

- the hub's record of the file: `get_hf_file_metadata` (X-Linked-Etag, X-Linked-Size,
  the CDN redirect) for Hugging Face-compatible endpoints, runtime/models/hub.py;
- the transfer: `http_get` sends `Range` from a given offset, retries a dropped or
  stalled connection up to five times from where it stopped, and starts over only when
  a server ignores `Range` (it truncates the file itself then).

What `hf_hub_download` lacks, written here:

- resuming after a restart: it writes to a file named for its process and deletes it
  when it fails, so a new process starts from byte 0. Ours is `gguf/.downloads/NAME.part`
  with the hub's size and SHA-256 beside it (`NAME.part.json`): the next download of
  the same file, in any process, resumes with `Range` from its length;
- refusing when the disk is too small (it only warns), before the first byte;
- the SHA-256: it checks only the size. We hash while writing and compare with the
  hub's record (and `--sha256` when given) before the file may enter gguf/; a file
  that does not match is deleted;
- multi-part files (`…-00001-of-00002.gguf`): every part is downloaded and checked
  first, then moved into gguf/ last part first, so the first part (the one bots name
  and llama.cpp opens) appears only when the others are in place;
- ModelScope, which does not speak the Hugging Face protocol (runtime/models/hub.py);
- progress in bytes, speed and time left, and pausing, for the studio and the terminal.

Partial files live in gguf/.downloads/, outside the `*.gguf` listing of gguf/, so
nothing half-downloaded is ever offered as a model.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, cast

from runtime.i18n import Explained
from runtime.models.download_progress import DownloadPaused, Meter, Progress, size_text
from runtime.models.hashing_writer import HashingWriter, open_partial
from runtime.models.hub import HEADERS, HubError, RemoteFile, Source, parts_of, remote_file
from runtime.store.private import sync_dir

log = logging.getLogger("botstudio.download")

DOWNLOADS = ".downloads"  # inside gguf/: hidden, and not matched by gguf/*.gguf
RESERVE = 64 * 2**20  # left free on the disk after a download, for the system and logs
CHUNK = 64 << 10  # httpx2 re-chunks reads to this: 64 KiB measured fastest (bench/download.py)


class DownloadError(Explained):
    """A download that cannot go on: `text(lang)` says why, in the user's language."""

    def __init__(self, message_id: str, **params: object):
        super().__init__(message_id, None, **params)


def local_name(name: str) -> str:
    """The name a hub file gets in gguf/ (a file in a folder of the repo keeps its own name)."""
    return name.replace("\\", "/").rsplit("/", 1)[-1]


class Downloader:
    """Downloads into one gguf/ folder. `free_bytes` (a folder -> bytes free) is
    shutil.disk_usage unless given."""

    def __init__(self, gguf_dir: Path, free_bytes: Callable[[Path], int] | None = None):
        self.gguf_dir = gguf_dir
        self.partial_dir = gguf_dir / DOWNLOADS
        self.free_bytes = free_bytes or (lambda folder: shutil.disk_usage(folder).free)

    # --- the plan: what the hub says, before any byte is fetched ------------------

    def plan(self, source: Source, repo: str, name: str) -> list[RemoteFile]:
        """Every part of the model `name`, as the hub records it."""
        _check_name(name)
        folder = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
        remotes = []
        for part in parts_of(local_name(name)):
            try:
                remotes.append(remote_file(source, repo, folder + part))
            except HubError as exc:
                raise DownloadError(
                    f"dl.hub.{exc.reason}",
                    repo=repo,
                    file=folder + part,
                    source=source.label,
                    detail=exc.detail,
                ) from None
        return remotes

    def partial_bytes(self, name: str) -> int:
        path = self.partial_dir / f"{local_name(name)}.part"
        return path.stat().st_size if path.is_file() else 0

    # --- the download ----------------------------------------------------------

    def download(
        self,
        source: Source,
        repo: str,
        name: str,
        *,
        sha256: str | None = None,
        progress: Callable[[Progress], None] | None = None,
        stop: threading.Event | None = None,
        remotes: list[RemoteFile] | None = None,
    ) -> Path:
        """Download `name` (all its parts) from `repo` into gguf/ and return the path bots
        name. Raises DownloadError with the reason, DownloadPaused when `stop` is set."""
        remotes = remotes or self.plan(source, repo, name)
        model = local_name(remotes[0].name)
        wanted = sha256.strip().lower() if sha256 else None
        named = local_name(name)
        expected: list[list[str]] = []
        for remote in remotes:
            checks = [remote.sha256] if remote.sha256 else []
            if wanted and local_name(remote.name) == named:
                if remote.sha256 and remote.sha256 != wanted:
                    raise DownloadError(
                        "dl.sha_differs_from_hub",
                        file=named,
                        given=wanted,
                        hub=remote.sha256,
                        source=source.label,
                    )
                checks.append(wanted)
            if not checks:
                raise DownloadError(
                    "dl.no_checksum", file=local_name(remote.name), source=source.label
                )
            expected.append(checks)

        todo = []
        for remote in remotes:
            target = self.gguf_dir / local_name(remote.name)
            if target.is_file():
                if target.stat().st_size != remote.size:
                    raise DownloadError("dl.exists_different", file=target.name)
                continue  # in place already (a part moved in before an interruption)
            todo.append(remote)
        if not todo:
            return self.gguf_dir / model

        self.partial_dir.mkdir(parents=True, exist_ok=True)
        with self._lock(model):
            self._check_space(todo)
            total = sum(r.size for r in remotes)
            placed = sum(r.size for r in remotes if r not in todo)
            meter = Meter(model, len(remotes), total, progress, stop)
            verified = []
            for remote in remotes:
                if remote not in todo:
                    continue
                index = remotes.index(remote)
                meter.part = index + 1
                meter.before = placed + sum(r.size for r in remotes[:index] if r in todo)
                verified.append(self._fetch(remote, expected[index], meter))
            self._check_header(verified[0] if local_name(todo[0].name) == model else None)
            for path in reversed(verified):  # the first part (what bots name) last
                os.replace(path, self.gguf_dir / path.name.removesuffix(".part"))
                path.with_name(path.name + ".json").unlink(missing_ok=True)
            sync_dir(self.gguf_dir)  # the renames survive a power cut
            meter.report("done", total)
        log.info("downloaded %s from %s (%s)", model, source.label, size_text(total))
        return self.gguf_dir / model

    def _check_space(self, todo: list[RemoteFile]) -> None:
        need = sum(max(0, r.size - self.partial_bytes(r.name)) for r in todo)
        free = self.free_bytes(self.partial_dir)
        if free < need + RESERVE:
            raise DownloadError(
                "dl.no_space",
                need=size_text(need + RESERVE),
                free=size_text(free),
                folder=self.gguf_dir,
            )

    def _check_header(self, first_part: Path | None) -> None:
        """The SHA-256 proves these are the hub's bytes; this proves the hub's file is a
        GGUF model (its magic and version), without walking its token list."""
        if first_part is None:
            return
        import struct

        with first_part.open("rb") as handle:
            head = handle.read(8)
        version = struct.unpack("<I", head[4:8])[0] if len(head) == 8 else 0
        if head[:4] != b"GGUF" or version not in (2, 3):
            _discard(first_part)
            raise DownloadError("dl.not_gguf", file=first_part.name.removesuffix(".part"))

    def _fetch(self, remote: RemoteFile, expected: list[str], meter: Meter) -> Path:
        """One file into gguf/.downloads/NAME.part, resumed from what is there, hashed
        and checked; the checked path, or DownloadError (a mismatch deletes the file)."""
        name = local_name(remote.name)
        partial = self.partial_dir / f"{name}.part"
        sidecar = partial.with_name(partial.name + ".json")
        record = {
            "repo": remote.repo,
            "file": remote.name,
            "size": remote.size,
            "sha256": expected[0],
        }
        if _read_json(sidecar) != record:  # another file (or version) was half-fetched here
            partial.unlink(missing_ok=True)
            sidecar.write_text(json.dumps(record), encoding="utf-8")
        with open_partial(partial) as handle:
            have = handle.seek(0, os.SEEK_END)
            if have > remote.size:
                handle.truncate(0)
                have = 0
            writer = HashingWriter(handle, lambda done: meter.tick(meter.before + done))
            try:
                if have:
                    log.info("resuming %s at byte %d", name, have)
                    meter.report("checking", meter.before + have)
                    writer.catch_up(have)
                if have < remote.size:
                    meter.start(meter.before + have)
                    self._transfer(remote, writer, have, meter)
                handle.flush()
                os.fsync(handle.fileno())
                digest = writer.hexdigest()
            finally:
                writer.close()
        meter.report("verifying", meter.before + remote.size)
        if any(digest != want for want in expected):
            _discard(partial)
            log.warning("%s: SHA-256 %s, expected %s; deleted", name, digest, expected)
            raise DownloadError(
                "dl.mismatch", file=name, got=digest, want=expected[-1], source=remote.source.label
            )
        return partial

    def _transfer(self, remote: RemoteFile, writer: HashingWriter, have: int, meter: Meter) -> None:
        import httpx2
        from huggingface_hub import constants
        from huggingface_hub.errors import HfHubHTTPError
        from huggingface_hub.file_download import http_get

        constants.DOWNLOAD_CHUNK_SIZE = CHUNK  # read at each call (its default: 10 MiB)
        notes = _RetryNotes(meter, writer)  # its "Trying to resume" becomes our progress
        library_log = logging.getLogger("huggingface_hub.file_download")
        library_log.addFilter(notes)
        try:
            http_get(
                remote.url,
                cast(BinaryIO, writer),  # file-like: the calls http_get makes, no more
                resume_size=have,
                headers=dict(HEADERS),
                expected_size=remote.size,
                tqdm_class=meter.bar_class(),
            )
        except DownloadPaused:
            raise
        except HfHubHTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "?"
            raise DownloadError(
                "dl.http", file=local_name(remote.name), status=status, source=remote.source.label
            ) from None
        except (httpx2.HTTPError, OSError) as exc:
            if isinstance(exc, OSError) and not str(exc).startswith("Consistency check"):
                raise  # the disk's reasons (full, read-only) are not the network's
            raise DownloadError(
                "dl.network",
                file=local_name(remote.name),
                done=size_text(writer.length),
                source=remote.source.label,
                detail=str(exc).splitlines()[0][:200],
            ) from None
        finally:
            library_log.removeFilter(notes)

    @contextlib.contextmanager
    def _lock(self, model: str) -> Iterator[None]:
        """One download of a model at a time, across processes (the studio and a terminal)."""
        path = self.partial_dir / f"{model}.lock"
        with path.open("a+b") as handle:
            try:
                import fcntl
            except ImportError:  # Windows: the studio's own job list prevents doubles
                yield
                return
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise DownloadError("dl.busy", file=model) from None
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# --- pieces ----------------------------------------------------------------------


def _check_name(name: str) -> None:
    base = local_name(name)
    if not base.endswith(".gguf") or base.startswith(".") or ".." in name.split("/"):
        raise DownloadError("dl.not_gguf_name", file=name)


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _discard(partial: Path) -> None:
    partial.unlink(missing_ok=True)
    partial.with_name(partial.name + ".json").unlink(missing_ok=True)


class _RetryNotes(logging.Filter):
    """huggingface_hub logs an English warning when it reconnects after a dropped or
    stalled connection; on this download's thread that becomes a progress report in the
    user's language instead (other threads' records pass untouched)."""

    def __init__(self, meter: Meter, writer: HashingWriter):
        super().__init__()
        self.meter, self.writer = meter, writer
        self.thread = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.thread != self.thread:
            return True
        if "resume" in record.getMessage():
            self.meter.retries += 1
            self.meter.report("retrying", self.meter.before + self.writer.length)
            log.info("connection lost at byte %d; resuming", self.writer.length)
        return False
