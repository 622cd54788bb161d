"""One bot's documents: kept beside its bot file in `bots/<id>.knowledge/` (so an
exported bot carries them), read into passages and indexed under
`data/knowledge/<id>/<digest>/`, where the digest names the documents' state: an index
whose digest no longer matches the folder is stale and built again, a missing one is
built, and a build is written aside and moved into place, so a search never reads half
an index. Each bot's index is kept in memory once loaded; a search (one per message)
stats only the folder itself, and every file at most once in FRESH_SECONDS."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from runtime.i18n import said, shown
from runtime.knowledge.index import KnowledgeIndex
from runtime.knowledge.passages import DocumentError, Hit, Passage
from runtime.knowledge.readers import MAX_BYTES, SUPPORTED, read_passages
from runtime.spec.fields import BOT_ID
from runtime.store.private import private_dir

INDEX_VERSION = "3"  # bump when chunking or tokens change: every index is rebuilt
FOLDER_SUFFIX = ".knowledge"
# how long a search trusts the files' sizes and times: a file put in, taken out or
# renamed by hand changes the folder's time and is seen at once; one rewritten in
# place, within this; the library's own add/remove always at once
FRESH_SECONDS = 2.0
_BAD_NAME = re.compile(r"[\x00-\x1f/\\:*?\"<>|]")


@dataclass(frozen=True)
class DocumentInfo:
    name: str
    passages: int
    added_at: float  # when the file was put in (its modification time)
    size: int
    problem: str | None = None  # a file put in by hand that cannot be read: why


@dataclass
class _Loaded:
    digest: str
    index: KnowledgeIndex
    problems: dict[str, str]
    checked_at: float  # when the digest last matched the folder (time.monotonic)
    folder_state: int | None  # the folder's own time then (None: no folder)


class KnowledgeBase:
    """The documents of one bot. Cheap to make: the workspace's KnowledgeBases shares the
    loaded index between them."""

    def __init__(self, owner: KnowledgeBases, bot_id: str):
        if not BOT_ID.fullmatch(bot_id or ""):  # the id names folders: only a valid one
            raise ValueError(f"not a bot id: {bot_id!r}")
        self.owner, self.bot_id = owner, bot_id
        self.folder = owner.bots_dir / f"{bot_id}{FOLDER_SUFFIX}"
        self.index_root = owner.data_dir / "knowledge" / bot_id

    # -- the documents -------------------------------------------------------------

    def files(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(
            p for p in self.folder.iterdir() if p.is_file() and not p.name.startswith(".")
        )

    def documents(self, lang: str | None = None) -> list[DocumentInfo]:
        """The files with their passages; a file that cannot be read says why in `lang`
        (the reader's: the studio's may differ from the server's)."""
        loaded = self._index()
        counts: dict[str, int] = {}
        for passage in loaded.index.passages:
            counts[passage.source] = counts.get(passage.source, 0) + 1
        found = []
        for path in self.files():
            stat = path.stat()
            stored = loaded.problems.get(path.name)
            problem = None if stored is None else str(shown(stored, lang or self.owner.lang))
            found.append(
                DocumentInfo(
                    path.name, counts.get(path.name, 0), stat.st_mtime, stat.st_size, problem
                )
            )
        return found

    def add(self, name: str, raw: bytes) -> DocumentInfo:
        """Read `raw` first (a bad file raises DocumentError and changes nothing), then
        write it atomically; a file of the same name is replaced."""
        lang = self.owner.lang
        name = self.check_name(name)
        passages = read_passages(name, raw, lang)
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(raw)
            os.replace(tmp, self.folder / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.owner.stale(self.bot_id)
        stat = (self.folder / name).stat()
        return DocumentInfo(name, len(passages), stat.st_mtime, stat.st_size)

    def remove(self, name: str) -> None:
        path = self.folder / self.check_name(name)
        if not path.is_file():
            raise DocumentError("kb.lib.no_such_file", self.owner.lang, file=name)
        path.unlink()
        self.owner.stale(self.bot_id)

    def check_name(self, name: str) -> str:
        """A plain file name inside the folder: no folders, no hidden files, a known type."""
        plain = (name or "").strip()
        if (
            not plain
            or plain != os.path.basename(plain)
            or plain.startswith(".")
            or _BAD_NAME.search(plain)
            or len(plain) > 120
        ):
            raise DocumentError("kb.lib.bad_name", self.owner.lang, file=name)
        if Path(plain).suffix.lower() not in SUPPORTED:
            raise DocumentError(
                "kb.lib.unsupported", self.owner.lang, file=plain, kinds=" ".join(SUPPORTED)
            )
        return plain

    # -- finding -------------------------------------------------------------------

    def passages(self, name: str | None = None) -> list[Passage]:
        found = self._index().index.passages
        return [p for p in found if name is None or p.source == name]

    def search(self, question: str, k: int = 3, min_score: float = 0.0) -> list[Hit]:
        loaded = self._checked_lately()
        if loaded is None:
            if not self.files():  # no documents: no index built
                return []
            loaded = self._index()
        return loaded.index.search(question, k, min_score)

    # -- the index -----------------------------------------------------------------

    def digest(self) -> str:
        """The documents' state: names, sizes and times, and the index's version."""
        state = hashlib.sha256(INDEX_VERSION.encode())
        for path in self.files():
            stat = path.stat()
            state.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        return state.hexdigest()[:16]

    def _folder_state(self) -> int | None:
        try:
            return self.folder.stat().st_mtime_ns
        except OSError:
            return None

    def _checked_lately(self) -> _Loaded | None:
        """The loaded index, if found fresh within FRESH_SECONDS and the folder's time is
        unchanged since: one stat, no file looked at."""
        held = self.owner.loaded.get(self.bot_id)
        if held is None or time.monotonic() - held.checked_at >= FRESH_SECONDS:
            return None
        return held if held.folder_state == self._folder_state() else None

    def _index(self) -> _Loaded:
        # the digest under the lock: an add/remove marks the index stale only after it
        with self.owner.lock_for(self.bot_id):
            checked_at, folder_state = time.monotonic(), self._folder_state()
            digest = self.digest()
            held = self.owner.loaded.get(self.bot_id)
            if held is not None and held.digest == digest:
                held.checked_at, held.folder_state = checked_at, folder_state
                return held
            folder = self.index_root / digest
            problems_file = folder / "problems.txt"
            try:
                index = KnowledgeIndex.load(folder)
                problems = _read_problems(problems_file)
            except (OSError, ValueError, KeyError, TypeError):  # missing or damaged: build
                index, problems = self._build(folder)
            held = _Loaded(digest, index, problems, checked_at, folder_state)
            self.owner.loaded[self.bot_id] = held
            return held

    def _build(self, folder: Path) -> tuple[KnowledgeIndex, dict[str, str]]:
        passages: list[Passage] = []
        problems: dict[str, str] = {}
        for path in self.files():
            try:
                passages += read_passages(path.name, path.read_bytes(), self.owner.lang)
            except DocumentError as exc:  # put in by hand: shown in the list, not fatal
                problems[path.name] = said(exc.message_id, **exc.params)  # in any language
            except OSError:
                problems[path.name] = said("kb.lib.unreadable", file=path.name)
        index = KnowledgeIndex.build(passages)
        private_dir(self.index_root)
        aside = Path(tempfile.mkdtemp(dir=self.index_root, prefix=".build-"))
        try:
            (aside / "problems.txt").write_text(
                "".join(f"{name}\t{why}\n" for name, why in problems.items()), encoding="utf-8"
            )
            index.save(aside)  # and every file in it made private
            shutil.rmtree(folder, ignore_errors=True)
            os.replace(aside, folder)
        except BaseException:
            shutil.rmtree(aside, ignore_errors=True)
            raise
        for old in self.index_root.iterdir():  # earlier states' indexes are of no more use
            if old != folder:
                shutil.rmtree(old, ignore_errors=True)
        return index, problems


def _read_problems(path: Path) -> dict[str, str]:
    problems = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, why = line.partition("\t")
        problems[name] = why
    return problems


class KnowledgeBases:
    """Every bot's knowledge base, for the workspace: loaded indexes kept in memory."""

    def __init__(self, bots_dir: Path, data_dir: Path, lang: str, max_bytes: int = MAX_BYTES):
        self.bots_dir, self.data_dir, self.lang, self.max_bytes = (
            bots_dir,
            data_dir,
            lang,
            max_bytes,
        )
        self.loaded: dict[str, _Loaded] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def of(self, bot_id: str) -> KnowledgeBase:
        return KnowledgeBase(self, bot_id)

    def forget(self, bot_id: str) -> None:
        """A bot deleted or renamed: its index (derived, under data/) goes too."""
        if not BOT_ID.fullmatch(bot_id or ""):  # never a path outside its own folder
            return
        with self.lock_for(bot_id):
            self.loaded.pop(bot_id, None)
            shutil.rmtree(self.data_dir / "knowledge" / bot_id, ignore_errors=True)

    def stale(self, bot_id: str) -> None:
        """The bot's documents changed through the library: the next search looks again."""
        with self.lock_for(bot_id):
            self.loaded.pop(bot_id, None)

    def lock_for(self, bot_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(bot_id, threading.Lock())
