"""A bot as one file to hand on: its YAML alone, or, when it has documents, a zip of the
YAML and its `<id>.knowledge/` folder.

An imported zip comes from outside, so everything in it is checked from the zip's own
directory before one byte is written: its names (nothing may land outside the bot's
folder), its kinds (no links), how many files and how much they weigh unpacked, and the
bot file itself. The documents are then unpacked into a hidden folder and moved into
place at once, and the bot file is written last: a failure leaves nothing behind.
"""

from __future__ import annotations

import io
import re
import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from runtime.i18n import t
from runtime.spec.catalog_ops import BotOperationError, import_file, staging_dir
from runtime.spec.loader import KNOWLEDGE_SUFFIX, BotRepository, SpecError, parse_bot
from runtime.spec.model import BotSpec
from runtime.spec.yaml_io import MAX_FILE_BYTES, Problem

MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # all members together, as the zip declares them
MAX_DOCUMENTS = 1000
MAX_NAME_BYTES = 255  # the longest file name most file systems take
YAML_SUFFIXES = (".yaml", ".yml")
CHUNK = 1024 * 1024
# a name that could leave its folder or mean something else on another system: separators,
# a drive ("C:x"), control characters, what Windows refuses (as the knowledge base does)
_UNSAFE_CHARACTER = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


@dataclass(frozen=True)
class _Plan:
    """What a checked zip will write: the bot file and each document by its plain name."""

    spec: BotSpec
    yaml_member: zipfile.ZipInfo
    documents: list[tuple[str, zipfile.ZipInfo]]


def _mb(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def plain_name(name: str) -> bool:
    """A file name that stays in its folder on any system, and is not hidden (the knowledge
    base ignores hidden files: its uploads on their way in)."""
    return (
        not name.startswith(".")
        and name.strip() == name
        and bool(name)
        and not _UNSAFE_CHARACTER.search(name)
        and len(name.encode("utf-8")) <= MAX_NAME_BYTES
    )


def documents_of(repo: BotRepository, bot_id: str) -> list[Path]:
    """The bot's documents: the plain files in its folder (a link or a folder in it, which
    the knowledge base never makes, is not a document to hand on)."""
    folder = repo.knowledge_dir(bot_id)
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.is_symlink() and not p.name.startswith(".")
    )


# --- export ---------------------------------------------------------------------------


def export_bundle(repo: BotRepository, bot_id: str) -> tuple[str, bytes]:
    """The file to hand on: ("<id>.yaml", its bytes) for a bot without documents, else
    ("<id>.zip", a zip of "<id>.yaml" and "<id>.knowledge/<each document>")."""
    path = repo.path_for(bot_id)
    if path is None:
        raise BotOperationError("cli.unknown_bot", repo.lang, bot=bot_id, known="")
    raw = path.read_bytes()
    documents = documents_of(repo, bot_id)
    if not documents:
        return f"{bot_id}.yaml", raw
    # refused here rather than made into a zip that import would refuse
    if len(documents) > MAX_DOCUMENTS:
        raise BotOperationError(
            "ops.bundle.export_too_many",
            repo.lang,
            bot=bot_id,
            n=len(documents),
            limit=MAX_DOCUMENTS,
        )
    for document in documents:
        if not plain_name(document.name):
            raise BotOperationError("ops.bundle.export_bad_name", repo.lang, name=document.name)
    size = len(raw) + sum(document.stat().st_size for document in documents)
    if size > MAX_UNPACKED_BYTES:
        limit = _mb(MAX_UNPACKED_BYTES)
        raise BotOperationError(
            "ops.bundle.export_too_large", repo.lang, bot=bot_id, size=_mb(size), limit=limit
        )
    folder = f"{bot_id}{KNOWLEDGE_SUFFIX}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{bot_id}.yaml", raw)
        for document in documents:
            archive.write(document, f"{folder}/{document.name}")
    return f"{bot_id}.zip", buffer.getvalue()


# --- import ---------------------------------------------------------------------------


def import_bundle(repo: BotRepository, raw: bytes, filename: str) -> Path:
    """Import a bot file (.yaml, .yml) or a zip made by export_bundle; the bot keeps its id,
    which must be new. Returns the bot file written. SpecError names what was wrong."""
    suffix = Path(filename).suffix.lower()
    if suffix in YAML_SUFFIXES:
        return import_file(repo, raw, filename)
    if suffix != ".zip":
        _refuse(filename, "ops.bundle.wrong_type", repo.lang, file=Path(filename).name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        _refuse(filename, "ops.bundle.not_zip", repo.lang, file=Path(filename).name)
    with archive:
        plan = _check(repo, archive, filename)
        return _install(repo, archive, plan, filename)


def _refuse(filename: str, key: str, lang: str, **params: object) -> NoReturn:
    raise SpecError(filename, [Problem(1, t(key, lang, **params))])


def _check(repo: BotRepository, archive: zipfile.ZipFile, filename: str) -> _Plan:
    """Everything about the zip that can be known without unpacking it, then its bot file."""
    lang = repo.lang
    members = archive.infolist()
    if len(members) > MAX_DOCUMENTS + 2:  # the bot file and a folder entry besides
        _refuse(filename, "ops.bundle.too_many", lang, n=len(members), limit=MAX_DOCUMENTS)
    seen: set[str] = set()
    for member in members:
        name = member.filename
        parts = name.split("/")
        if (
            name.startswith("/")
            or re.match(r"[A-Za-z]:", name)
            or ".." in parts
            or "\\" in name
            or "." in parts
        ):
            _refuse(filename, "ops.bundle.unsafe_path", lang, member=name)
        kind = stat.S_IFMT(member.external_attr >> 16)
        if kind not in (0, stat.S_IFDIR if member.is_dir() else stat.S_IFREG):
            _refuse(filename, "ops.bundle.not_plain", lang, member=name)
        if member.flag_bits & 0x1:
            _refuse(filename, "ops.bundle.encrypted", lang, member=name)
        if not all(plain_name(part) for part in parts[:-1]) or not (
            member.is_dir() or plain_name(parts[-1])
        ):
            _refuse(filename, "ops.bundle.bad_name", lang, member=name)
        key = name.rstrip("/").casefold()  # two names one case-blind disk would mix up
        if key in seen:
            _refuse(filename, "ops.bundle.duplicate", lang, member=name)
        seen.add(key)
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        limit = _mb(MAX_UNPACKED_BYTES)
        _refuse(filename, "ops.bundle.too_large", lang, size=_mb(unpacked), limit=limit)

    bot_files = [
        m for m in members if "/" not in m.filename and m.filename.lower().endswith(YAML_SUFFIXES)
    ]
    if not bot_files:
        _refuse(filename, "ops.bundle.no_yaml", lang)
    if len(bot_files) > 1:
        names = "、".join(m.filename for m in bot_files)
        _refuse(filename, "ops.bundle.many_yaml", lang, n=len(bot_files), members=names)
    yaml_member = bot_files[0]
    spec = _parse(repo, archive, yaml_member, filename)

    folder = f"{spec.id}{KNOWLEDGE_SUFFIX}"
    documents: list[tuple[str, zipfile.ZipInfo]] = []
    for member in members:
        if member is yaml_member:
            continue
        parts = member.filename.rstrip("/").split("/")
        if parts[0] != folder or (len(parts) == 1 and not member.is_dir()):
            _refuse(filename, "ops.bundle.outside", lang, member=member.filename, folder=folder)
        if len(parts) == 1:
            continue  # the folder's own entry
        if len(parts) > 2 or member.is_dir():
            _refuse(filename, "ops.bundle.nested", lang, member=member.filename, folder=folder)
        documents.append((parts[1], member))
    if len(documents) > MAX_DOCUMENTS:
        _refuse(filename, "ops.bundle.too_many", lang, n=len(documents), limit=MAX_DOCUMENTS)

    if repo.path_for(spec.id) is not None:
        problem = Problem(1, t("ops.exists", lang, bot=spec.id), ("id",))
        raise SpecError(filename, [problem])
    if repo.knowledge_dir(spec.id).exists() or repo.knowledge_dir(spec.id).is_symlink():
        _refuse(filename, "ops.knowledge_exists", lang, bot=spec.id, folder=folder)
    return _Plan(spec, yaml_member, documents)


def _read(archive: zipfile.ZipFile, member: zipfile.ZipInfo, filename: str, lang: str) -> bytes:
    try:
        with archive.open(member) as source:
            data = source.read(member.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError):
        _refuse(filename, "ops.bundle.corrupt", lang, member=member.filename)
    if len(data) != member.file_size:  # more or less than its directory said
        _refuse(filename, "ops.bundle.corrupt", lang, member=member.filename)
    return data


def _parse(
    repo: BotRepository, archive: zipfile.ZipFile, member: zipfile.ZipInfo, filename: str
) -> BotSpec:
    try:
        if member.file_size > MAX_FILE_BYTES:  # refused before it is read into memory
            size, limit = member.file_size, MAX_FILE_BYTES
            raise SpecError(
                member.filename,
                [Problem(1, t("file.too_large", repo.lang, size=size, limit=limit))],
            )
        raw = _read(archive, member, filename, repo.lang)
        return parse_bot(raw, member.filename, lang=repo.lang, models=repo.models)
    except SpecError as exc:  # said as the zip's problems, each naming the file inside
        if exc.filename == filename:  # already one of the zip's (a damaged member)
            raise
        problems = [
            Problem(
                p.line,
                t("ops.bundle.in_yaml", repo.lang, member=member.filename, message=p.message),
                p.path,
            )
            for p in exc.problems
        ]
        raise SpecError(filename, problems) from None


def _unpack(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, filename: str, lang: str
) -> None:
    """One document, counted as it comes: never more than its directory declared."""
    written = 0
    try:
        with archive.open(member) as source, target.open("xb") as sink:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                if written > member.file_size:
                    break
                sink.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
        _refuse(filename, "ops.bundle.corrupt", lang, member=member.filename)
    if written != member.file_size:
        _refuse(filename, "ops.bundle.corrupt", lang, member=member.filename)


def _install(repo: BotRepository, archive: zipfile.ZipFile, plan: _Plan, filename: str) -> Path:
    folder = repo.knowledge_dir(plan.spec.id)
    placed: Path | None = None
    if plan.documents:
        staged = staging_dir(repo, folder.name)
        try:
            for name, member in plan.documents:
                _unpack(archive, member, staged / name, filename, repo.lang)
            staged.replace(folder)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        placed = folder
    try:  # the bot file last: once it is there, so are its documents
        yaml_raw = _read(archive, plan.yaml_member, filename, repo.lang)
        return import_file(repo, yaml_raw, filename)
    except BaseException:
        if placed is not None:
            shutil.rmtree(placed, ignore_errors=True)
        raise
