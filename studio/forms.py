"""The edit form and the bot spec: converting one into the other.

The form is described once, in studio/form_fields.py (`FORM`); how a field's value is
read back follows the spec's own types, as its kind of input does there.

Pure functions, no Gradio: the form shows what the spec holds, and saving turns the form
back into data that goes through the very same validation as `check`. Anything the form
does not show (schedules, a variant's few-shot or model overrides) is carried over
untouched from the file.
"""

from __future__ import annotations

import re
import typing
from typing import Any

from pydantic.fields import FieldInfo

from runtime.i18n import LANGUAGES, t
from runtime.spec import BotSpec, Problem
from runtime.spec.errors import value_words
from studio.form_fields import FORM, MODEL_SOURCE, SECTIONS, FormField, bare_type, kind_of


def _optional(spec: FieldInfo) -> bool:
    return type(None) in typing.get_args(spec.annotation)


# --- values as typed ----------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value != value


def _text(value: Any) -> str:
    return "" if _blank(value) else str(value)


def _number(value: Any) -> Any:
    """Gradio numbers come as floats; a whole number goes back as an int."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return _number(float(value))
        except ValueError:
            return value  # left for validation to name
    return value


def split_list(text: str) -> list[str]:
    """Options or blocked words typed with commas (, ， 、) or on separate lines."""
    return [part.strip() for part in re.split(r"[,，、\n]", text or "") if part.strip()]


def rows(table: Any) -> list[list[Any]]:
    """A Dataframe's value as a list of rows, whatever form Gradio hands it in."""
    if table is None:
        return []
    if hasattr(table, "values") and hasattr(table, "columns"):  # pandas
        return table.values.tolist()
    if isinstance(table, dict):
        return list(table.get("data") or [])
    return [list(row) for row in table]


def choice_label(setting: str, value: str, lang: str) -> str:
    """A value as a table shows it: 手机号（phone_cn）; the key alone where it has no words."""
    words = value_words(setting, value, lang)
    return value if words is None else t("field.named", lang, label=words, key=value)


def choice_key(setting: str, choices: list[str], text: str) -> str:
    """What was typed in a choice column, back to the spec's key: 手机号（phone_cn）, 手机号,
    Mobile number and phone_cn all give phone_cn; anything else is left for validation."""
    text = (text or "").strip()
    beside = re.fullmatch(r".*[（(]\s*([a-z_]+)\s*[）)]", text)
    if beside and beside.group(1) in choices:
        return beside.group(1)
    for value in choices:
        words = {(value_words(setting, value, lang) or value).lower() for lang in LANGUAGES}
        if text.lower() in words:
            return value
    return text


# --- spec to form -------------------------------------------------------------------------


def _cell(field: FormField, column: str, value: Any, lang: str | None) -> Any:
    spec = field.item.model_fields[column]
    if value is None:
        return ""
    if kind_of(spec.annotation) == "list":
        return ", ".join(value)
    if kind_of(spec.annotation) == "choice" and lang:
        return choice_label(f"{field.path}.{column}", value, lang)
    return value


def blank_row(field: FormField, lang: str | None) -> list[Any]:
    """A table's new row: each column's default from the spec, blank where it has none."""
    row = []
    for column in field.table_columns():
        spec = field.item.model_fields[column]
        default = None if spec.is_required() else spec.get_default(call_default_factory=True)
        row.append(_cell(field, column, default, lang))
    return row


def choice_words(field: FormField, lang: str) -> list[str]:
    """The values of a table's choice columns as its cells show them."""
    items = field.item.model_fields
    return [
        choice_label(f"{field.path}.{column}", value, lang)
        for column in field.table_columns()
        if kind_of(items[column].annotation) == "choice"
        for value in typing.get_args(bare_type(items[column].annotation))
    ]


def spec_to_form(spec: BotSpec, lang: str | None = None) -> dict[str, Any]:
    """The form's values by path; with `lang`, choices in tables in words (手机号（phone_cn））."""
    form: dict[str, Any] = {}
    for field in FORM:
        value: Any = spec
        for part in field.path.split("."):
            value = getattr(value, part)
        if field.kind == "table":
            columns = field.table_columns()
            shown = [[_cell(field, c, getattr(item, c), lang) for c in columns] for item in value]
            value = shown or [blank_row(field, lang)]
        elif field.kind == "list":
            value = ", ".join(value)
        elif value is None:
            value = ""
        form[field.path] = value
    form[MODEL_SOURCE] = spec.model.source
    return form


# --- form to spec -------------------------------------------------------------------------


def form_to_data(form: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """The bot's data with the form's values; `base` is the file's data before editing."""
    data = {k: v for k, v in base.items()}
    sections: dict[str, dict[str, Any]] = {}  # "model" -> the model settings being written
    for field in FORM:
        *outer, name = field.path.split(".")
        into = data
        for part in outer:
            into = sections.setdefault(part, dict(base.get(part) or {}))
        _read_back(field, form.get(field.path), into, name)
    if "model" in sections:
        _model_source(sections["model"])
    for section, values in sections.items():
        _set_or_drop(data, section, values)
    return data


def _read_back(field: FormField, value: Any, into: dict[str, Any], name: str) -> None:
    """Write one field's value into its part of the data, as the spec's type says."""
    spec, kind = field.spec, field.kind
    if kind == "table":
        _set_or_drop(into, name, _items(field, value, into.get(name)))
    elif kind == "number":  # blank: the file's value stays
        if not _blank(value):
            into[name] = _number(value)
    elif kind == "choice":
        into[name] = value or spec.default
    elif kind == "list":
        _set_or_drop(into, name, split_list(_text(value)))
    elif _optional(spec):  # a text that may be unset: blank unsets it
        text = _text(value).strip()
        if text:
            into[name] = text
        elif spec.default is None:
            into.pop(name, None)
        else:
            into[name] = None  # unset, where the spec would otherwise have its default
    elif spec.is_required() or spec.default == "":  # blank stays blank where the file has it
        text = _text(value)
        if text or name in into or spec.is_required():
            into[name] = text
    elif not _blank(value):  # a text with a default of its own: blank keeps the file's
        into[name] = _text(value)


def _items(field: FormField, table: Any, old: Any) -> list[dict[str, Any]]:
    """A table's rows as items; a row with all its required columns blank is left out.
    What the table does not show of an item is kept from the file's item with the same
    first column (a variant's few-shot and model)."""
    columns, specs = field.table_columns(), field.item.model_fields
    required = [c for c in columns if specs[c].is_required()]
    hidden = set(specs) - set(columns)
    kept = (
        {_text(item.get(columns[0])): item for item in old or [] if isinstance(item, dict)}
        if hidden
        else {}
    )
    items = []
    for row in rows(table):
        cells = dict(zip(columns, [*row, *[None] * len(columns)], strict=False))
        if all(_blank(cells[c]) for c in required):
            continue
        item = dict(kept.get(_text(cells[columns[0]]), {}))
        for column in columns:
            _cell_back(field, column, cells[column], item)
        items.append(item)
    return items


def _cell_back(field: FormField, column: str, value: Any, item: dict[str, Any]) -> None:
    spec = field.item.model_fields[column]
    kind = kind_of(spec.annotation)
    if kind == "flag":  # a tick box's value, or what was typed in its place
        item[column] = bool(value) and str(value).lower() not in ("false", "0")
        return
    if _blank(value):
        default = None if spec.is_required() else spec.get_default(call_default_factory=True)
        if spec.is_required():
            item[column] = ""  # left for validation to name
        elif default is None:
            item.pop(column, None)  # blank: unset (a variant's: the bot's own)
        else:
            item[column] = default
        return
    if kind == "number":
        item[column] = _number(value)
    elif kind == "choice":
        choices = list(typing.get_args(bare_type(spec.annotation)))
        item[column] = choice_key(f"{field.path}.{column}", choices, _text(value))
    elif kind == "list":
        item[column] = split_list(_text(value))
    else:
        item[column] = _text(value).strip() if column in field.trimmed else _text(value)


def _model_source(model: dict[str, Any]) -> None:
    """The model picked: a file, or "endpoint:NAME" for a model served elsewhere."""
    kind, _, endpoint = str(model.get("file", "")).partition(":")
    if kind == "endpoint" and endpoint:
        del model["file"]
        if model.get("endpoint") != endpoint:
            model.pop("name", None)  # the model name was the other endpoint's
        model["endpoint"] = endpoint
    elif "file" in model:
        model.pop("endpoint", None)
        model.pop("name", None)


def _set_or_drop(data: dict[str, Any], key: str, value: Any) -> None:
    if value:
        data[key] = value
    else:
        data.pop(key, None)


def problems_by_section(problems: list[Problem]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        section = SECTIONS.get(str(problem.path[0]), "other") if problem.path else "basics"
        grouped.setdefault(section, []).append(problem.message)
    return grouped
