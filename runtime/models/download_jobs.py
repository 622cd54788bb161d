"""Downloads running in the background of the server, one thread each, so that a download
goes on when the page is closed and any page (Chinese or English) can show it."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from runtime.models.download import Downloader, DownloadError
from runtime.models.download_progress import DownloadPaused, Progress
from runtime.models.hub import Source

log = logging.getLogger("botstudio.download")


@dataclass
class Job:
    model: str  # the file bots will name
    repo: str
    name: str
    source: Source
    state: str = "running"  # running, done, paused, failed
    progress: Progress | None = None
    error: DownloadError | None = None
    path: Path | None = None
    started: float = field(default_factory=time.time)
    stop: threading.Event = field(default_factory=threading.Event, repr=False)


class DownloadJobs:
    def __init__(self, gguf_dir: Path):
        self.downloader = Downloader(gguf_dir)
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, source: Source, repo: str, name: str, sha256: str | None = None) -> Job:
        """Start downloading `name`, or return its download already running."""
        from runtime.models.download import local_name
        from runtime.models.hub import parts_of

        model = parts_of(local_name(name))[0]
        with self._lock:
            running = self._jobs.get(model)
            if running is not None and running.state == "running":
                return running
            job = Job(model, repo, name, source)
            self._jobs[model] = job
        thread = threading.Thread(
            target=self._run, args=(job, sha256), name=f"download-{model}", daemon=True
        )
        thread.start()
        return job

    def _run(self, job: Job, sha256: str | None) -> None:
        def report(progress: Progress) -> None:
            job.progress = progress

        try:
            job.path = self.downloader.download(
                job.source, job.repo, job.name, sha256=sha256, progress=report, stop=job.stop
            )
            job.state = "done"
        except DownloadPaused:
            job.state = "paused"
        except DownloadError as exc:
            job.error = exc
            job.state = "failed"
        except Exception:  # a bug: say so on the page, keep the server running
            log.exception("download of %s failed", job.model)
            job.error = DownloadError("dl.unexpected", file=job.model)
            job.state = "failed"

    def pause(self, model: str) -> None:
        job = self._jobs.get(model)
        if job is not None:
            job.stop.set()

    def get(self, model: str) -> Job | None:
        return self._jobs.get(model)

    def latest(self) -> Job | None:
        with self._lock:
            return max(self._jobs.values(), key=lambda j: j.started, default=None)
