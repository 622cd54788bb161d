"""Every import points down the layers of runtime/layers.py.

Read with `ast`, not by importing: every import statement counts, also one inside a
function or under TYPE_CHECKING. A failure names the file, the line and both layers.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from runtime.layers import LAYERS

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("runtime", "studio", "launch.py")

Layers = Sequence[tuple[str, Sequence[str]]]


@dataclass(frozen=True)
class Import:
    path: Path  # relative to the root
    line: int
    source: str  # the importing module
    target: str  # the module it imports (a module of the tree)


def modules(root: Path, checked: Iterable[str]) -> dict[str, Path]:
    """Module name -> file, for the packages and files under `root` named in `checked`."""
    found: dict[str, Path] = {}
    for name in checked:
        start = root / name
        files = sorted(start.rglob("*.py")) if start.is_dir() else [start]
        for file in files:
            parts = list(file.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = file
    return found


def _targets(node: ast.Import | ast.ImportFrom, source: str, is_package: bool, known) -> list:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:  # relative: from the importing module's package upwards
            package = source.split(".") if is_package else source.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, *([base] if base else [])])
        # `from pkg import mod` imports the module pkg.mod; `from mod import name`, mod
        names = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
            for alias in node.names
        ]
    out = []
    for name in names:  # the longest name that is a module of the tree (a.b.c -> a.b)
        parts = name.split(".")
        while parts and ".".join(parts) not in known:
            parts.pop()
        if parts:
            out.append(".".join(parts))
    return out


def imports(root: Path, checked: Iterable[str] = CHECKED) -> list[Import]:
    """Every import of one module of the tree by another, anywhere in its file."""
    known = modules(root, checked)
    found = []
    for source, file in known.items():
        tree = ast.parse(file.read_text(encoding="utf-8"), str(file))
        is_package = file.name == "__init__.py"
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in dict.fromkeys(_targets(node, source, is_package, known)):
                    if target != source:
                        found.append(Import(file.relative_to(root), node.lineno, source, target))
    return found


def placed(module: str, layers: Layers) -> tuple[int, str] | None:
    """(layer number, package) of a module: the longest package name containing it."""
    best: tuple[int, str] | None = None
    for number, (_, packages) in enumerate(layers):
        for package in packages:
            inside = module == package or module.startswith(package + ".")
            if inside and (best is None or len(package) > len(best[1])):
                best = (number, package)
    return best


def problems(found: Iterable[Import], layers: Layers) -> list[str]:
    """One line per import that runs up the layers or sideways into a peer package."""
    said = []
    for imp in found:
        where = f"{imp.path}:{imp.line}: {imp.source}"
        source, target = placed(imp.source, layers), placed(imp.target, layers)
        for module, place in ((imp.source, source), (imp.target, target)):
            if place is None:
                said.append(f"{where}: {module} is in no layer (add it to runtime/layers.py)")
        if source is None or target is None:
            continue
        (low, own), (high, other) = source, target
        mine, theirs = f"layer '{layers[low][0]}'", f"layer '{layers[high][0]}'"
        if high > low:
            said.append(f"{where} ({mine}) imports {imp.target} from {theirs}, which is above")
        elif high == low and own != other:
            said.append(f"{where} ({mine}) imports its peer {imp.target} ({theirs}), sideways")
    return said


# --- the real tree ----------------------------------------------------------------------


def test_every_import_points_down_the_layers():
    found = imports(ROOT)
    assert len(found) > 200  # the reader sees the real tree
    assert problems(found, LAYERS) == []


def test_each_package_is_in_one_layer_only():
    packages = [p for _, members in LAYERS for p in members]
    assert len(packages) == len(set(packages))


# --- the check itself, on a tiny tree ---------------------------------------------------

TINY: Layers = (
    ("bottom", ("app.low",)),
    ("middle", ("app.mid", "app.peer")),
    ("top", ("app.top",)),
)


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        file = tmp_path / name
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")
    return tmp_path


def test_a_clean_tiny_tree_passes(tmp_path: Path):
    root = _tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/low.py": "import json\n",
            "app/mid/__init__.py": "from app import low\n",
            "app/mid/parts.py": "from . import helpers\nfrom .helpers import x\n",
            "app/mid/helpers.py": "x = 1\n",
            "app/peer.py": "from app.low import thing\n",
            "app/top.py": "import app.mid.parts\nfrom app.peer import y\n",
        },
    )
    found = imports(root, ["app"])
    assert {(i.source, i.target) for i in found} == {
        ("app.mid", "app.low"),
        ("app.mid.parts", "app.mid.helpers"),
        ("app.peer", "app.low"),
        ("app.top", "app.mid.parts"),
        ("app.top", "app.peer"),
    }
    assert problems(found, TINY) == []


def test_an_upward_import_inside_a_function_is_caught(tmp_path: Path):
    root = _tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/low.py": "def late():\n    from app.top import thing\n    return thing\n",
            "app/top.py": "thing = 1\n",
        },
    )
    said = problems(imports(root, ["app"]), TINY)
    assert said == [
        "app/low.py:2: app.low (layer 'bottom') imports app.top from layer 'top', which is above"
    ]


def test_an_upward_import_under_type_checking_is_caught(tmp_path: Path):
    root = _tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/mid/__init__.py": "",
            "app/mid/parts.py": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from ..top import thing\n",
            "app/top.py": "thing = 1\n",
        },
    )
    (line,) = problems(imports(root, ["app"]), TINY)
    assert line.startswith("app/mid/parts.py:3: app.mid.parts (layer 'middle') imports app.top")


def test_a_sideways_import_between_peers_and_an_unplaced_module_are_caught(tmp_path: Path):
    root = _tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/mid.py": "import app.peer\n",
            "app/peer.py": "",
            "app/stray.py": "from app import low\n",
            "app/low.py": "",
        },
    )
    assert problems(imports(root, ["app"]), TINY) == [
        "app/mid.py:1: app.mid (layer 'middle') imports its peer app.peer (layer 'middle'), "
        "sideways",
        "app/stray.py:1: app.stray: app.stray is in no layer (add it to runtime/layers.py)",
    ]
