"""A file under the data directory that BotStudio cannot trust: it stops instead of
starting without it, and leaves the file exactly as it found it."""

from __future__ import annotations

from pathlib import Path


class DamagedState(Exception):
    """The `kind` file (settings, journal) at `path` is damaged (`problem`: empty, not_json,
    not_settings, not_sqlite, unreadable); `backup` is a good earlier copy, if there is one."""

    def __init__(self, kind: str, path: Path, problem: str, backup: Path | None = None):
        super().__init__(f"{path}: {problem}")
        self.kind, self.path, self.problem, self.backup = kind, path, problem, backup

    def message(self, lang: str) -> str:
        """One plain sentence: which file, what is wrong, what to do."""
        from runtime.i18n import t

        key = f"store.damaged_{self.kind}" + ("_backup" if self.backup else "")
        problem = t(f"store.problem.{self.problem}", lang)
        return t(key, lang, path=self.path, problem=problem, backup=self.backup)
