"""Reading a marketer's document into passages: the one entry point, `read_passages`.

The file's extension picks the reader, after its content is checked to be what the
extension says (a renamed file gets a message naming what it really is). Text files
may be UTF-8 or, as Chinese Windows saves them, GBK/GB18030. Everything here is a pure
function of the bytes: a bad file raises DocumentError and nothing is written."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import PurePath

from runtime.i18n import said
from runtime.knowledge.chunking import Block, chunk
from runtime.knowledge.markup import html_blocks, text_blocks
from runtime.knowledge.office import check_zip, docx_blocks, xlsx_blocks
from runtime.knowledge.passages import DocumentError, Passage
from runtime.knowledge.pdf_reader import pdf_blocks
from runtime.knowledge.tables import csv_blocks

MB = 1024 * 1024
MAX_BYTES = 20 * MB
SUPPORTED = (".md", ".txt", ".docx", ".xlsx", ".csv", ".pdf", ".html", ".htm")
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")  # GB18030 reads GBK and GB2312 too

# What a file really is, from its first bytes (an archive's from its members' names)
_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old_office"),  # .doc / .xls before 2007
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"MZ", "program"),
    (b"\x7fELF", "program"),
    (b"Rar!", "archive"),
    (b"7z\xbc\xaf", "archive"),
)
_ZIP_PARTS = (("word/", "word"), ("xl/", "excel"), ("ppt/", "powerpoint"))
_EXPECTED = {".docx": "word", ".xlsx": "excel", ".pdf": "pdf"}


def _kind(raw: bytes) -> str | None:
    """What the bytes look like ("word", "image"…), or None when nothing is recognised."""
    for magic, kind in _MAGIC:
        if raw.startswith(magic):
            return kind
    if raw.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return "archive"
        found = {kind for prefix, kind in _ZIP_PARTS if any(n.startswith(prefix) for n in names)}
        return found.pop() if len(found) == 1 else "archive"
    head = raw[:4096]
    for encoding in TEXT_ENCODINGS:
        try:  # incremental: the sample may end inside a character
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return "text" if b"\x00" not in head else None
    return None


def _refuse_mismatch(name: str, ext: str, lang: str, kind: str | None) -> None:
    expected = _EXPECTED.get(ext, "text")
    if kind == expected or (expected == "text" and kind is None):
        return
    if kind is None:
        raise DocumentError(
            "kb.file.not_really_unknown",
            lang,
            file=name,
            ext=ext,
            expected=said(f"kb.file.kind.{expected}"),
        )
    raise DocumentError(
        "kb.file.not_really",
        lang,
        file=name,
        ext=ext,
        actual=said(f"kb.file.kind.{kind}"),
        expected=said(f"kb.file.kind.{expected}"),
    )


def decode(name: str, raw: bytes, lang: str) -> str:
    """A text file's characters: UTF-8 (with or without a BOM), UTF-16 with its BOM (what
    Notepad calls "Unicode"), else GBK/GB18030 (Chinese Windows)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        for encoding in TEXT_ENCODINGS:
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                continue
            # Binary that happens to decode is full of control characters (one is a
            # stray DOS end-of-file mark).
            controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f")
            if controls <= 1 + len(text) // 100:
                return text
    raise DocumentError("kb.file.encoding", lang, file=name)


def _text_reader(
    parse: Callable[[str, str], list[Block]],
) -> Callable[[str, bytes, str], list[Block]]:
    def read(name: str, raw: bytes, lang: str) -> list[Block]:
        return parse(decode(name, raw, lang), lang)

    return read


def _csv(name: str, raw: bytes, lang: str) -> list[Block]:
    try:
        return csv_blocks(PurePath(name).stem, decode(name, raw, lang), lang)
    except csv.Error as exc:  # a field past csv's size limit, a NUL byte…
        raise DocumentError("kb.file.corrupt", lang, file=name) from exc


_READERS: dict[str, Callable[[str, bytes, str], list[Block]]] = {
    ".md": _text_reader(text_blocks),
    ".txt": _text_reader(text_blocks),
    ".html": _text_reader(html_blocks),
    ".htm": _text_reader(html_blocks),
    ".csv": _csv,
    ".docx": docx_blocks,
    ".xlsx": xlsx_blocks,
    ".pdf": pdf_blocks,
}


def _size(n: int) -> str:
    """A size in MB as people say it (small test limits in KB, not "0.0 MB")."""
    return f"{n / MB:.1f} MB".replace(".0 MB", " MB") if n >= MB // 10 else f"{n / 1024:.1f} KB"


def read_passages(name: str, raw: bytes, lang: str, *, max_bytes: int = MAX_BYTES) -> list[Passage]:
    """The passages of the uploaded file `name` (its bytes `raw`), in document order.

    Raises DocumentError, said in `lang` and naming the file, for a file too big, of a
    type not supported, whose content is not what its extension says, a zip bomb, a
    broken, encrypted or image-only one, or one with no text."""
    ext = PurePath(name).suffix.lower()
    if ext not in SUPPORTED:
        shown = ext or said("kb.file.no_extension")
        raise DocumentError(
            "kb.file.unsupported", lang, file=name, ext=shown, supported=" ".join(SUPPORTED)
        )
    if len(raw) > max_bytes:
        raise DocumentError(
            "kb.file.too_big", lang, file=name, size=_size(len(raw)), limit=_size(max_bytes)
        )
    if not raw.strip():
        raise DocumentError("kb.file.empty", lang, file=name)
    if ext in (".docx", ".xlsx") and raw.startswith(b"PK"):
        check_zip(name, raw, lang)  # before anything else opens it, even to sniff
    if ext == ".pdf" and b"%PDF-" in raw[:1024]:  # the header may follow a little junk
        kind: str | None = "pdf"
    else:
        kind = _kind(raw)
    _refuse_mismatch(name, ext, lang, kind)
    passages = chunk(name, _READERS[ext](name, raw, lang))
    if not passages:
        raise DocumentError("kb.file.empty", lang, file=name)
    return passages


__all__ = ["MAX_BYTES", "SUPPORTED", "decode", "read_passages"]
