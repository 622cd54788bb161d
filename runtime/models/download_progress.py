"""A download's progress: the record the studio and the terminal show (bytes, speed,
time left, the phase), said in the user's language, and the meter that keeps it while
the bytes arrive and stops the transfer when asked."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from runtime.i18n import t


class DownloadPaused(Exception):
    """Stopped on request; what was downloaded stays and the next download resumes."""


@dataclass(frozen=True)
class Progress:
    model: str  # the file bots name (the first part)
    part: int  # 1-based
    parts: int
    done: int  # bytes on disk, all parts together
    total: int
    speed: float | None  # bytes per second, over the last few seconds
    eta: float | None  # seconds
    phase: str  # "checking" (what was there), "downloading", "retrying", "verifying", "done"
    retries: int = 0  # reconnections after a dropped or stalled connection

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


def size_text(n: float) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if abs(n) >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{int(n)} B"


def duration_text(seconds: float, lang: str) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return t("dl.time.hm", lang, h=hours, m=minutes)
    if minutes:
        return t("dl.time.ms", lang, m=minutes, s=secs)
    return t("dl.time.s", lang, s=secs)


def progress_text(p: Progress, lang: str) -> str:
    """One line: what is happening, bytes, speed and time left."""
    line = t(
        "dl.progress",
        lang,
        done=size_text(p.done),
        total=size_text(p.total),
        pct=int(p.fraction * 100),
    )
    if p.parts > 1:
        line = t("dl.progress_part", lang, part=p.part, parts=p.parts) + " " + line
    if p.phase == "checking":
        return t("dl.phase.checking", lang) + " " + line
    if p.phase == "verifying":
        return t("dl.phase.verifying", lang, file=p.model)
    if p.phase == "retrying":
        return t("dl.phase.retrying", lang, done=size_text(p.done), n=p.retries)
    if p.speed:
        line += " · " + t("dl.speed", lang, speed=size_text(p.speed))
    if p.eta is not None and p.phase == "downloading":
        line += " · " + t("dl.eta", lang, eta=duration_text(p.eta, lang))
    return line


class Meter:
    """Bytes, speed over the last seconds and time left; reports at most 4 times a second,
    and raises DownloadPaused from inside the transfer when asked to stop."""

    WINDOW = 5.0

    def __init__(
        self,
        model: str,
        parts: int,
        total: int,
        report: Callable[[Progress], None] | None,
        stop: threading.Event | None,
    ):
        self.model, self.parts, self.total = model, parts, total
        self.part, self.before, self.retries = 1, 0, 0
        self._report, self._stop = report, stop
        self._samples: deque[tuple[float, int]] = deque()
        self._last = 0.0

    def start(self, done: int) -> None:
        self._samples.clear()
        self._samples.append((time.monotonic(), done))
        self._last = 0.0
        self.report("downloading", done, force=True)

    def tick(self, done: int) -> None:
        if self._stop is not None and self._stop.is_set():
            raise DownloadPaused()
        now = time.monotonic()
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > self.WINDOW:
            self._samples.popleft()
        if now - self._last >= 0.25:
            self.report("downloading", done)

    def speed(self) -> float | None:
        if len(self._samples) < 2:
            return None
        (t0, b0), (t1, b1) = self._samples[0], self._samples[-1]
        return (b1 - b0) / (t1 - t0) if t1 > t0 else None

    def report(self, phase: str, done: int, force: bool = False) -> None:
        self._last = time.monotonic()
        if self._report is None:
            return
        speed = self.speed() if phase == "downloading" else None
        eta = (self.total - done) / speed if speed else None
        self._report(
            Progress(
                self.model, self.part, self.parts, done, self.total, speed, eta, phase, self.retries
            )
        )

    def bar_class(self) -> type:
        """What http_get takes as its progress bar: ours only checks for a stop (the
        bytes are counted by the writer, which knows what is really on disk)."""
        meter = self

        class Bar:
            def __init__(self, **_kwargs: object) -> None:
                pass

            def __enter__(self) -> Bar:
                return self

            def __exit__(self, *exc: object) -> Literal[False]:
                return False

            def update(self, _n: int = 1) -> None:
                if meter._stop is not None and meter._stop.is_set():
                    raise DownloadPaused()

            def close(self) -> None:
                pass

        return Bar
