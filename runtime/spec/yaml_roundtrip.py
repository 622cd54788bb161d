"""Saving over a hand-edited bot file without losing what the person wrote.

ruamel.yaml keeps comments, key order, quoting and block style. We load the file
as it is on disk, change only the values that differ from the new spec, and
write it back; keys the spec no longer has are removed.
"""

from __future__ import annotations

from io import StringIO
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_unicode = True
    return yaml


def _fresh(value: Any) -> Any:
    if isinstance(value, dict):
        return CommentedMap((k, _fresh(v)) for k, v in value.items())
    if isinstance(value, list):
        return CommentedSeq(_fresh(v) for v in value)
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString("\n".join(line.rstrip() for line in value.split("\n")))
    return value


def _merge(old: Any, new: Any) -> Any:
    if isinstance(new, dict) and isinstance(old, CommentedMap):
        for key in [k for k in old if k not in new]:
            del old[key]
        for key, value in new.items():
            old[key] = _merge(old[key], value) if key in old else _fresh(value)
        return old
    if isinstance(new, list) and isinstance(old, CommentedSeq):
        for index, value in enumerate(new):
            if index < len(old):
                old[index] = _merge(old[index], value)
            else:
                old.append(_fresh(value))
        del old[len(new) :]
        return old
    if type(old) is not bool and type(new) is not bool and old == new:
        return old  # unchanged: keep its quoting and style (and 50 stays 50, not 50.0)
    if isinstance(old, bool) and isinstance(new, bool) and old == new:
        return old
    return _fresh(new)


def update_yaml_text(original: str, data: dict[str, Any]) -> str | None:
    """`original` with `data`'s values; None when the original cannot be round-tripped."""
    yaml = _yaml()
    try:
        document = yaml.load(original)
    except Exception:  # a file our strict reader accepted but ruamel does not: rewrite it
        return None
    if not isinstance(document, CommentedMap):
        return None
    out = StringIO()
    yaml.dump(_merge(document, data), out)
    return out.getvalue()
