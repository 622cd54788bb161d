"""Personal data never reaches a log file: phone numbers and emails are masked, and
people appear as a short hash of their id (the same person, the same hash)."""

from __future__ import annotations

import hashlib
import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+)")


def mask_personal(text: str) -> str:
    return EMAIL.sub(r"\1***\2", PHONE.sub(r"\1****\2", text))


def mask_user(user: str) -> str:
    return "u-" + hashlib.sha256(user.encode()).hexdigest()[:10]


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_personal(record.getMessage())
        record.args = ()
        return True


def install(data_dir: Path | None = None) -> None:
    """Mask every handler's output; with a data directory, also keep rotating log files
    there (data/logs/botstudio.log, 5 files of 5 MB)."""
    root = logging.getLogger()
    if data_dir is not None:
        folder = data_dir / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        target = str(folder / "botstudio.log")
        if not any(getattr(h, "baseFilename", None) == target for h in root.handlers):
            files = RotatingFileHandler(target, maxBytes=5_000_000, backupCount=5,
                                        encoding="utf-8")  # fmt: skip
            files.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            files.setLevel(logging.INFO)
            root.addHandler(files)
    for handler in root.handlers:
        if not any(isinstance(f, MaskPersonalData) for f in handler.filters):
            handler.addFilter(MaskPersonalData())
