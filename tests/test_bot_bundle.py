"""A bot's documents (bots/<id>.knowledge/) go wherever the bot goes: duplicated, renamed
and deleted with it, and exported and imported with it as one zip. A zip from outside is
checked in full before anything is written: a refused one leaves the bots folder as it was."""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from runtime.models.catalog import ModelCatalog
from runtime.spec import BotRepository, SpecError, bundle
from runtime.spec import catalog_ops as ops

DOCS = {
    "价格表.csv": "型号,价格\nA1,199\n".encode(),
    "faq.md": b"# FAQ\n\nShipping takes 3 days.\n",
    "brochure.pdf": bytes(range(256)) * 40,  # binary, every byte value
}
BOT = b"# a bot from a colleague\nid: shop\nname: Shop\n"


@pytest.fixture
def repo(bots_dir: Path, gguf_dir: Path) -> BotRepository:
    return BotRepository(bots_dir, ModelCatalog(gguf_dir), "zh")


@pytest.fixture
def other(tmp_path: Path, gguf_dir: Path) -> BotRepository:
    """Another machine's bots folder, empty."""
    return BotRepository(tmp_path / "other-bots", ModelCatalog(gguf_dir), "zh")


def put_documents(repo: BotRepository, bot_id: str) -> Path:
    folder = repo.knowledge_dir(bot_id)
    folder.mkdir()
    for name, data in DOCS.items():
        (folder / name).write_bytes(data)
    return folder


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every entry under `root`, hidden ones too, with the bytes of each file."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in root.rglob("*")
    }


def make_zip(members: dict[str | zipfile.ZipInfo, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- the folder's place -------------------------------------------------------------


def test_knowledge_dir_is_beside_the_bot_and_never_listed_as_a_bot(repo: BotRepository) -> None:
    assert repo.knowledge_dir("ops-helper") == repo.bots_dir / "ops-helper.knowledge"
    for bad in ("../x", "/etc/x", "X", "a/b", ""):
        with pytest.raises(ValueError):
            repo.knowledge_dir(bad)
    before = repo.ids()
    put_documents(repo, "ops-helper")
    (repo.bots_dir / "odd.yaml.knowledge").mkdir()  # even a folder whose name holds .yaml
    assert repo.ids() == before == ["ad-copywriter", "ops-helper", "xiaolan-sales"]


# --- duplicate, create from a template, rename, delete ----------------------------------


def test_duplicate_and_create_from_template_copy_the_documents(repo: BotRepository) -> None:
    put_documents(repo, "ops-helper")
    ops.duplicate(repo, "ops-helper", "ops-copy")
    ops.create(repo, "ops-new", "New", "ops-helper")
    for copy in ("ops-copy", "ops-new"):
        assert contents(repo.knowledge_dir(copy)) == DOCS
    assert contents(repo.knowledge_dir("ops-helper")) == DOCS  # the source keeps its own
    (repo.knowledge_dir("ops-copy") / "faq.md").write_bytes(b"changed")  # a copy, not a link
    assert contents(repo.knowledge_dir("ops-helper")) == DOCS
    ops.create(repo, "blank", "Blank", None)  # a blank bot has none
    ops.duplicate(repo, "xiaolan-sales", "sales-copy")  # nor a copy of a bot without any
    assert not repo.knowledge_dir("blank").exists()
    assert not repo.knowledge_dir("sales-copy").exists()
    assert not [p.name for p in repo.bots_dir.iterdir() if p.name.startswith(".")]


def test_rename_moves_the_documents(repo: BotRepository) -> None:
    put_documents(repo, "ops-helper")
    ops.rename(repo, "ops-helper", "ops-night")
    assert contents(repo.knowledge_dir("ops-night")) == DOCS
    assert not repo.knowledge_dir("ops-helper").exists()
    assert "ops-helper" not in repo.ids() and repo.load("ops-night").id == "ops-night"


def test_a_rename_whose_move_fails_leaves_the_bot_as_it_was(
    repo: BotRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    put_documents(repo, "ops-helper")
    before = snapshot(repo.bots_dir)

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk said no")

    monkeypatch.setattr(ops.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk said no"):
        ops.rename(repo, "ops-helper", "ops-night")
    assert snapshot(repo.bots_dir) == before  # no new bot, and the old one has its documents


def test_a_rename_whose_old_file_stays_moves_the_documents_back(
    repo: BotRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    put_documents(repo, "ops-helper")
    before = snapshot(repo.bots_dir)
    old_file = repo.path_for("ops-helper")
    real_unlink = Path.unlink

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if self == old_file:
            raise PermissionError("read-only")
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    with pytest.raises(PermissionError):
        ops.rename(repo, "ops-helper", "ops-night")
    assert snapshot(repo.bots_dir) == before


def test_documents_left_without_a_bot_are_never_merged_into_another(
    repo: BotRepository,
) -> None:
    put_documents(repo, "ops-helper")
    stray = repo.knowledge_dir("ops-night")
    stray.mkdir()
    (stray / "old.md").write_bytes(b"left behind")
    before = snapshot(repo.bots_dir)
    for action in (ops.rename, ops.duplicate):
        with pytest.raises(ops.BotOperationError) as refused:
            action(repo, "ops-helper", "ops-night")
        assert "ops-night.knowledge" in refused.value.text("zh")
        assert "移走或删除" in refused.value.text("zh")
    assert snapshot(repo.bots_dir) == before


def test_delete_removes_the_documents_too(repo: BotRepository) -> None:
    put_documents(repo, "ops-helper")
    ops.delete(repo, "ops-helper")
    assert "ops-helper" not in repo.ids()
    assert not repo.knowledge_dir("ops-helper").exists()
    assert not [p.name for p in repo.bots_dir.iterdir() if p.name.startswith(".")]


def test_a_delete_whose_file_stays_keeps_the_documents(
    repo: BotRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    put_documents(repo, "ops-helper")
    before = snapshot(repo.bots_dir)

    def unlink(self: Path, missing_ok: bool = False) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr(Path, "unlink", unlink)
    with pytest.raises(PermissionError):
        ops.delete(repo, "ops-helper")
    assert snapshot(repo.bots_dir) == before


# --- export and import ----------------------------------------------------------------


def test_a_bot_without_documents_exports_as_its_yaml(repo: BotRepository) -> None:
    name, data = bundle.export_bundle(repo, "ops-helper")
    assert name == "ops-helper.yaml"
    assert data == (repo.bots_dir / "ops-helper.yaml").read_bytes()
    (repo.bots_dir / "ops-helper.knowledge").mkdir()  # an empty folder is no documents
    assert bundle.export_bundle(repo, "ops-helper")[0] == "ops-helper.yaml"


def test_export_then_import_elsewhere_is_the_same_bot_byte_for_byte(
    repo: BotRepository, other: BotRepository
) -> None:
    put_documents(repo, "ops-helper")
    (repo.knowledge_dir("ops-helper") / ".upload-x1").write_bytes(b"half an upload")
    name, data = bundle.export_bundle(repo, "ops-helper")
    assert name == "ops-helper.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == sorted(
            ["ops-helper.yaml", *(f"ops-helper.knowledge/{n}" for n in DOCS)]
        )  # the hidden file on its way in is not a document

    path = bundle.import_bundle(other, data, name)
    assert path == other.bots_dir / "ops-helper.yaml"
    assert path.read_bytes() == (repo.bots_dir / "ops-helper.yaml").read_bytes()
    assert contents(other.knowledge_dir("ops-helper")) == DOCS
    assert other.ids() == ["ops-helper"]
    assert not [p.name for p in other.bots_dir.iterdir() if p.name.startswith(".")]
    # and again into the same folder: the bot is there now
    with pytest.raises(SpecError) as again:
        bundle.import_bundle(other, data, name)
    assert "已经有 ID 为 “ops-helper” 的机器人了" in str(again.value)


def test_a_yaml_is_imported_as_before(other: BotRepository) -> None:
    path = bundle.import_bundle(other, BOT, "from-a-colleague.yml")
    assert path.name == "shop.yaml" and path.read_bytes() == BOT
    assert not other.knowledge_dir("shop").exists()


def test_a_zip_with_only_the_bot_file_imports_it(other: BotRepository) -> None:
    path = bundle.import_bundle(other, make_zip({"shop.yaml": BOT}), "shop.zip")
    assert path.read_bytes() == BOT and not other.knowledge_dir("shop").exists()


def _declared_larger(size: int) -> bytes:
    """A small zip whose directory claims one member unpacks to `size` bytes."""
    raw = bytearray(make_zip({"shop.yaml": BOT, "shop.knowledge/big.txt": b"x" * 100}))
    entry = raw.rfind(b"PK\x01\x02")  # the directory entry of the last member
    raw[entry + 24 : entry + 28] = struct.pack("<I", size)
    return bytes(raw)


def _link() -> bytes:
    member = zipfile.ZipInfo("shop.knowledge/link.md")
    member.external_attr = (stat.S_IFLNK | 0o777) << 16
    return make_zip({"shop.yaml": BOT, member: b"/etc/passwd"})


REFUSED: dict[str, tuple[Callable[[], bytes], list[str]]] = {
    "path traversal": (
        lambda: make_zip({"shop.yaml": BOT, "../evil.txt": b"x"}),
        ["“../evil.txt”", "路径不安全"],
    ),
    "traversal inside the folder": (
        lambda: make_zip({"shop.yaml": BOT, "shop.knowledge/../../evil.txt": b"x"}),
        ["路径不安全"],
    ),
    "absolute path": (
        lambda: make_zip({"shop.yaml": BOT, "/tmp/evil.txt": b"x"}),
        ["“/tmp/evil.txt”", "路径不安全"],
    ),
    "windows path": (
        lambda: make_zip({"shop.yaml": BOT, "shop.knowledge\\..\\evil.txt": b"x"}),
        ["路径不安全"],
    ),
    "two bot files": (
        lambda: make_zip({"shop.yaml": BOT, "other.yaml": BOT.replace(b"shop", b"other")}),
        ["只能有一个机器人文件", "shop.yaml", "other.yaml"],
    ),
    "no bot file": (
        lambda: make_zip({"shop.knowledge/a.md": b"x"}),
        ["没有机器人文件"],
    ),
    "declared too large": (
        lambda: _declared_larger(300 * 1024 * 1024),
        ["解压后共", "超过了 200.0 MB 的上限"],
    ),
    "outside the bot's folder": (
        lambda: make_zip({"shop.yaml": BOT, "other.knowledge/a.md": b"x"}),
        ["“other.knowledge/a.md”", "不在资料文件夹 “shop.knowledge/” 里"],
    ),
    "a stray file at the top": (
        lambda: make_zip({"shop.yaml": BOT, "readme.txt": b"x"}),
        ["“readme.txt”", "不在资料文件夹"],
    ),
    "a nested folder": (
        lambda: make_zip({"shop.yaml": BOT, "shop.knowledge/sub/a.md": b"x"}),
        ["“shop.knowledge/sub/a.md”", "子文件夹"],
    ),
    "a link": (_link, ["“shop.knowledge/link.md”", "不是普通文件"]),
    "a hidden file": (
        lambda: make_zip({"shop.yaml": BOT, "shop.knowledge/.bashrc": b"x"}),
        ["“shop.knowledge/.bashrc”", "文件名不能用"],
    ),
    "the same name twice": (
        lambda: make_zip(
            {"shop.yaml": BOT, "shop.knowledge/A.md": b"1", "shop.knowledge/a.md": b"2"}
        ),
        ["“shop.knowledge/a.md”", "不止一次"],
    ),
    "an invalid bot file": (
        lambda: make_zip(
            {
                "shop.yaml": b"id: shop\nname: S\nmodel: {temperature: hot}\n",
                "shop.knowledge/a.md": b"x",
            }
        ),
        ["shop.zip:3:", "压缩包里的机器人文件 shop.yaml", "temperature"],
    ),
    "an id that exists": (
        lambda: make_zip(
            {"ops-helper.yaml": b"id: ops-helper\nname: O\n", "ops-helper.knowledge/a.md": b"x"}
        ),
        ["已经有 ID 为 “ops-helper” 的机器人了"],
    ),
    "not a zip": (lambda: b"this is no zip at all", ["“shop.zip” 不是完好的 zip 压缩包"]),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_zip_that_is_not_safe_and_sound_is_refused_and_writes_nothing(
    repo: BotRepository, case: str
) -> None:
    build, expected = REFUSED[case]
    before = snapshot(repo.bots_dir)
    with pytest.raises(SpecError) as refused:
        bundle.import_bundle(repo, build(), "shop.zip")
    said = str(refused.value)
    for part in expected:
        assert part in said, said
    assert snapshot(repo.bots_dir) == before
    assert not (repo.bots_dir.parent / "evil.txt").exists()
    assert not Path("/tmp/evil.txt").exists()


def test_too_many_documents_are_refused(
    repo: BotRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bundle, "MAX_DOCUMENTS", 3)
    docs = {f"shop.knowledge/{i}.md": b"x" for i in range(4)}
    before = snapshot(repo.bots_dir)
    with pytest.raises(SpecError) as refused:
        bundle.import_bundle(repo, make_zip({"shop.yaml": BOT, **docs}), "shop.zip")
    assert "最多只能有 3 份资料" in str(refused.value)
    assert snapshot(repo.bots_dir) == before


def test_a_damaged_document_is_found_while_unpacking_and_nothing_stays(
    repo: BotRepository,
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("shop.yaml", BOT)
        archive.writestr("shop.knowledge/a.md", b"first document")
        archive.writestr("shop.knowledge/b.md", b"second document")
    raw = buffer.getvalue().replace(b"second document", b"SECOND DOCUMENT")  # its CRC fails
    before = snapshot(repo.bots_dir)
    with pytest.raises(SpecError) as refused:
        bundle.import_bundle(repo, raw, "shop.zip")
    assert "“shop.knowledge/b.md” 已损坏" in str(refused.value)
    assert snapshot(repo.bots_dir) == before  # not even a.md, nor a hidden half folder


def test_a_bot_file_that_cannot_be_written_takes_its_documents_back(
    repo: BotRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_room(*args: object) -> Path:
        raise OSError("no space left on device")

    monkeypatch.setattr(bundle, "import_file", no_room)
    before = snapshot(repo.bots_dir)
    raw = make_zip({"shop.yaml": BOT, "shop.knowledge/a.md": b"x"})
    with pytest.raises(OSError, match="no space"):
        bundle.import_bundle(repo, raw, "shop.zip")
    assert snapshot(repo.bots_dir) == before


def test_only_a_bot_file_or_a_zip_is_taken(repo: BotRepository) -> None:
    with pytest.raises(SpecError) as refused:
        bundle.import_bundle(repo, b"MZ", "setup.exe")
    assert "只能导入机器人文件（.yaml、.yml）或“导出”得到的 .zip 压缩包" in str(refused.value)


def test_english_messages_name_the_member_too(other: BotRepository) -> None:
    english = BotRepository(other.bots_dir, other.models, "en")
    with pytest.raises(SpecError) as refused:
        bundle.import_bundle(english, make_zip({"shop.yaml": BOT, "../x": b"x"}), "s.zip")
    assert "'../x' has an unsafe path" in str(refused.value)


def test_an_export_that_could_not_be_imported_is_refused(
    repo: BotRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = put_documents(repo, "ops-helper")
    monkeypatch.setattr(bundle, "MAX_UNPACKED_BYTES", 5_000)
    with pytest.raises(ops.BotOperationError) as too_big:
        bundle.export_bundle(repo, "ops-helper")
    assert "超过了 5 KB 的上限" in too_big.value.text("zh")
    monkeypatch.undo()
    if os.name == "posix":  # a name Windows refuses, put in by hand
        (folder / "a?b.md").write_bytes(b"x")
        with pytest.raises(ops.BotOperationError) as bad_name:
            bundle.export_bundle(repo, "ops-helper")
        assert "“a?b.md”" in bad_name.value.text("zh")


# --- the studio's 机器人 tab -------------------------------------------------------------


@pytest.fixture
def bots_tab(
    tmp_path: Path, bots_dir: Path, gguf_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Callable], list]:
    from runtime.server.hub import ChannelHub
    from runtime.workspace import Workspace
    from studio.app import build_studio

    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    workspace = Workspace(bots_dir, tmp_path / "data", gguf_dir, "zh")
    on_shutdown: list = []
    demo = build_studio(workspace, "zh", ChannelHub(workspace), on_shutdown=on_shutdown)
    handlers = {
        f.fn.__name__: f.fn
        for f in demo.fns.values()
        if f.fn is not None and f.fn.__module__ == "studio.tabs.bots"
    }
    return handlers, on_shutdown


def test_the_studio_exports_a_private_zip_and_imports_it_back(
    bots_tab: tuple[dict[str, Callable], list], repo: BotRepository, tmp_path: Path
) -> None:
    handlers, on_shutdown = bots_tab
    plain, _ = handlers["on_export"]("xiaolan-sales")  # no documents: its YAML, as before
    assert Path(plain).name == "xiaolan-sales.yaml"
    assert Path(plain).read_bytes() == (repo.bots_dir / "xiaolan-sales.yaml").read_bytes()

    put_documents(repo, "ops-helper")
    _, asked = handlers["on_delete"]("ops-helper")
    assert "3 份资料都会被删除" in asked  # said before they go with it
    exported, _ = handlers["on_export"]("ops-helper")
    path = Path(exported)
    assert path.name == "ops-helper.zip" and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes() == bundle.export_bundle(repo, "ops-helper")[1]

    ops.delete(repo, "ops-helper")
    upload = tmp_path / "upload" / "ops-helper.zip"
    upload.parent.mkdir()
    upload.write_bytes(path.read_bytes())
    _, status, _, _ = handlers["on_import"](str(upload))
    assert "ops-helper" in status and "status-ok" in status
    assert contents(repo.knowledge_dir("ops-helper")) == DOCS
    for shutdown in on_shutdown:
        shutdown()
    assert not path.exists()  # the private copy goes when the server stops
