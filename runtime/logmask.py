"""Personal data never reaches a log file: phone numbers and emails are masked, and
people appear as a short hash of their id, keyed with a secret of this install (the
same person, the same hash here; another hash on another install, and no dictionary of
likely ids to look one up with)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING, cast

from runtime.store.private import open_private, private_dir, private_file

if TYPE_CHECKING:
    from runtime.store.settings import Settings

# A mainland mobile number: 1[3-9] and 9 more digits, in one run or grouped 3-4-4 by
# spaces or hyphens, ASCII or full-width, after +86 / 0086 (or 86 and a separator) or
# not. Never part of a longer run of digits: order and card numbers stay as they are.
_SEP = r"[\s\-－]?"
PHONE = re.compile(
    rf"(?<!\d)(?:(?:[+＋]|00)86{_SEP}|86[\s\-－])?"
    rf"(?P<number>[1１][3-9３-９]\d{_SEP}\d{{4}}{_SEP}\d{{4}})(?!\d)"
)
EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+)")


def _mask_phone(match: re.Match[str]) -> str:
    """The number with its 4th to 7th digits as *, country code and separators kept."""
    digits = 0
    masked = []
    for char in match["number"]:
        if char.isdecimal():
            digits += 1
            masked.append("*" if 4 <= digits <= 7 else char)
        else:
            masked.append(char)
    return match.group()[: match.start("number") - match.start()] + "".join(masked)


def mask_personal(text: str) -> str:
    return EMAIL.sub(r"\1***\2", PHONE.sub(_mask_phone, text))


def mask_user(user: str, salt: str) -> str:
    """A person as they appear in logs: keyed with this install's `log_salt`."""
    key, message = salt.encode(), str(user).encode("utf-8", "surrogatepass")
    return "u-" + hmac.new(key, message, hashlib.sha256).hexdigest()[:10]


def log_salt(settings: Settings) -> str:
    """This install's secret for mask_user, made once and kept in the secret store
    (a Settings: data/settings.json, mode 0600)."""
    salt: str | None = settings.get("log_salt")
    if not salt:
        salt = secrets.token_hex(16)
        settings.set("log_salt", salt)
    return salt


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_personal(record.getMessage())
        record.args = ()
        return True


class PrivateRotatingFileHandler(RotatingFileHandler):
    """Log files only their owner can read (0600), the rotated ones too."""

    def _open(self) -> TextIOWrapper:
        handle = open_private(
            Path(self.baseFilename), self.mode, encoding=self.encoding, errors=self.errors
        )
        return cast(TextIOWrapper, handle)  # a text mode: open() gives a TextIOWrapper


def install(data_dir: Path | None = None) -> None:
    """Mask every handler's output; with a data directory, also keep rotating log files
    there (data/logs/botstudio.log, 5 files of 5 MB), readable by their owner only."""
    root = logging.getLogger()
    if data_dir is not None:
        private_dir(data_dir)
        folder = private_dir(data_dir / "logs")
        target = str(folder / "botstudio.log")
        if not any(getattr(h, "baseFilename", None) == target for h in root.handlers):
            for old in folder.glob("botstudio.log*"):
                private_file(old)  # files an older version left readable
            files = PrivateRotatingFileHandler(
                target, maxBytes=5_000_000, backupCount=5, encoding="utf-8"
            )
            files.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            files.setLevel(logging.INFO)
            root.addHandler(files)
    for handler in root.handlers:
        if not any(isinstance(f, MaskPersonalData) for f in handler.filters):
            handler.addFilter(MaskPersonalData())
