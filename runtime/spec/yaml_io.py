"""Reading and writing bot YAML: safe, bounded, and with a line number for every value.

PyYAML's own loaders expand aliases eagerly (a "billion laughs" file exhausts
memory) and keep the last of two duplicate keys silently. We compose the node
graph instead, walk it ourselves with a budget, and record where each value sits
so that a validation error can name its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from runtime.i18n import t

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 100_000  # a bot file has a few hundred; aliases may not blow it up past this
MAX_DEPTH = 64

Path = tuple[str | int, ...]


@dataclass
class Problem:
    """One thing wrong with a bot file: where, and what, already in the user's language."""

    line: int
    message: str
    path: Path = ()

    def render(self, filename: str) -> str:
        return f"{filename}:{self.line}: {self.message}"


class YamlProblem(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class LoadedYaml:
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int:
        """The line of the value at `path`, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def decode_bot_file(raw: bytes, lang: str) -> str:
    if len(raw) > MAX_FILE_BYTES:
        raise YamlProblem(
            Problem(1, t("file.too_large", lang, size=len(raw), limit=MAX_FILE_BYTES))
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlProblem(Problem(line, t("file.not_utf8", lang, line=line))) from None
    return text.removeprefix("\ufeff")  # Windows editors like a BOM


class _Walker:
    def __init__(self, loader: yaml.SafeLoader, lang: str):
        self.loader = loader
        self.lang = lang
        self.visited = 0
        self.lines: dict[Path, int] = {}

    def walk(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise YamlProblem(
                Problem(node.start_mark.line + 1, t("yaml.alias_bomb", self.lang, limit=MAX_NODES))
            )
        if depth > MAX_DEPTH:
            raise YamlProblem(
                Problem(node.start_mark.line + 1, t("yaml.too_deep", self.lang, limit=MAX_DEPTH))
            )
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        explicit = sum(1 for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge")
        self.loader.flatten_mapping(node)  # resolves "<<" merge keys, merged pairs first
        merged = len(node.value) - explicit
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for index, (key_node, value_node) in enumerate(node.value):
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem(Problem(line, t("yaml.bad_key", self.lang), path))
            key = str(self.loader.construct_object(key_node))
            if index >= merged:  # a key from a "<<" merge may be overridden, not repeated
                if key in first_line:
                    message = t("yaml.duplicate_key", self.lang, key=key, first=first_line[key])
                    raise YamlProblem(Problem(line, message, (*path, key)))
                first_line[key] = line
            key_path = (*path, key)  # not inline: mypy reads `x[(*a, b)]` as 3.11's `x[*a, b]`
            result[key] = self.walk(value_node, key_path, depth + 1)
            # point errors about a key at the key's line, not its value's
            self.lines[key_path] = line
        return result


def parse_yaml(text: str, lang: str) -> LoadedYaml:
    """Parse one YAML document into plain Python values plus a path → line map."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return LoadedYaml(data=None, lines={(): 1})
        walker = _Walker(loader, lang)
        data = walker.walk(node, (), 0)
        return LoadedYaml(data=data, lines=walker.lines)
    except yaml.MarkedYAMLError as exc:
        # An unclosed quote or bracket is found at the end of the file; the place to
        # fix is where it was opened.
        at_end = "end of stream" in (exc.problem or "")
        mark = (exc.context_mark if at_end else None) or exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        detail = " ".join(p for p in (exc.context, exc.problem) if p) or str(exc)
        raise YamlProblem(Problem(line, t("yaml.syntax", lang, detail=detail))) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem(1, t("yaml.syntax", lang, detail=str(exc)))) from None
    finally:
        loader.dispose()


class _BotDumper(yaml.SafeDumper):
    """Block style for multi-line text, so personas and knowledge stay readable in diffs."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        # PyYAML cannot write block scalars with trailing spaces on a line; strip them.
        value = "\n".join(line.rstrip() for line in value.split("\n"))
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_BotDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    return yaml.dump(
        data,
        Dumper=_BotDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )
