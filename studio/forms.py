"""The edit form and the bot spec: converting one into the other.

The form is described once, in `FORM`: each field's place in the spec, its label and
help, where it is shown. What kind of input a field is (a text, a number, a choice, a list
typed with commas, a table) is not written there: it is read from the spec's own types
(runtime/spec/model.py), and so is how its value is read back, its range and its choices.
studio/tabs/edit.py builds the page from the same list.

Pure functions, no Gradio: the form shows what the spec holds, and saving turns the form
back into data that goes through the very same validation as `check`. Anything the form
does not show (schedules, a variant's few-shot or model overrides) is carried over
untouched from the file.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from runtime.i18n import LANGUAGES, t
from runtime.spec import BotSpec, Problem
from runtime.spec.errors import value_words


@dataclass(frozen=True)
class FormField:
    """One input of the edit form, described by where its value sits in the spec."""

    path: str  # in the spec, e.g. "model.temperature"; also the value's key in the form
    section: str  # the fold it is shown in, where its problems are listed too
    label: str  # message id of its label; a table's: how its column headings' ids begin
    help: str | None = None  # message id of the help beside it (above a table)
    elem_id: str | None = None  # its id in the page, which browser tests look for
    row: str | None = None  # neighbours with the same row are shown side by side
    lines: int = 1  # a text box's height
    columns: tuple[str, ...] = ()  # a table's columns, keys of one item; () = all of them
    trimmed: tuple[str, ...] = ()  # a table's columns typed without spaces around (ids)
    row_numbers: bool = True  # a table shows the numbers its row tools go by

    @property
    def owner(self) -> tuple[type[BaseModel], str]:
        """The spec model that holds this setting, and its name there."""
        model: type[BaseModel] = BotSpec
        *outer, name = self.path.split(".")
        for part in outer:
            model = _model(model.model_fields[part].annotation)
        return model, name

    @property
    def spec(self) -> FieldInfo:
        model, name = self.owner
        return model.model_fields[name]

    @property
    def kind(self) -> str:
        """text, number, flag, choice, list (of words) or table (of items): the spec's type."""
        return kind_of(self.spec.annotation)

    @property
    def decimal(self) -> bool:
        """A number with decimals (a float in the spec), not a count."""
        return _bare(self.spec.annotation) is float

    @property
    def item(self) -> type[BaseModel]:
        """A table's item: one row."""
        return _model(self.spec.annotation)

    def table_columns(self) -> tuple[str, ...]:
        return self.columns or tuple(self.item.model_fields)

    def datatypes(self) -> list[str]:
        """A table's column types, as gr.Dataframe names them."""
        named = {"flag": "bool", "number": "number"}
        items = self.item.model_fields
        return [named.get(kind_of(items[c].annotation), "str") for c in self.table_columns()]

    def choices(self) -> list[str]:
        """The values a choice may take, in the spec's order."""
        return list(typing.get_args(_bare(self.spec.annotation)))


MODEL_SOURCE = "model.file"  # shows a file, or "endpoint:NAME" for a model served elsewhere

FORM: tuple[FormField, ...] = (
    FormField("name", "basics", "edit.name", elem_id="edit-name", row="name"),
    FormField("description", "basics", "edit.description", elem_id="edit-description", row="name"),
    FormField("persona", "prompt", "edit.persona", "edit.persona_help", "edit-persona", lines=4),
    FormField(
        "system_prompt",
        "prompt",
        "edit.system_prompt",
        "edit.system_prompt_help",
        "edit-system",
        lines=4,
    ),
    FormField("greeting", "prompt", "edit.greeting", elem_id="edit-greeting", lines=2),
    FormField(
        "knowledge", "prompt", "edit.knowledge", "edit.knowledge_help", "edit-knowledge", lines=6
    ),
    FormField("few_shot", "few_shot", "edit.col.", "edit.few_shot_help", "edit-few-shot"),
    FormField(
        "lead_capture.fields",
        "lead_capture",
        "edit.col.",
        "edit.fields_help",
        "edit-fields",
        trimmed=("key", "label"),
    ),
    FormField("lead_capture.goal", "lead_capture", "edit.goal", elem_id="edit-goal", row="goal"),
    FormField(
        "lead_capture.converted_when",
        "lead_capture",
        "edit.converted_when",
        "edit.converted_when_help",
        "edit-converted",
        row="goal",
    ),
    FormField(
        MODEL_SOURCE,
        "model",
        "edit.model_file",
        "edit.model_file_help",
        "edit-model-file",
        row="size",
    ),
    FormField(
        "model.context", "model", "edit.context", "edit.context_help", "edit-context", row="size"
    ),
    FormField(
        "model.max_tokens",
        "model",
        "edit.max_tokens",
        "edit.max_tokens_help",
        "edit-max-tokens",
        row="size",
    ),
    FormField(
        "model.temperature",
        "model",
        "edit.temperature",
        "edit.temperature_help",
        "edit-temperature",
        row="sampling",
    ),
    FormField(
        "model.top_p", "model", "edit.top_p", "edit.top_p_help", "edit-top-p", row="sampling"
    ),
    FormField(
        "model.gpu_layers",
        "model",
        "edit.gpu_layers",
        "edit.gpu_layers_help",
        "edit-gpu",
        row="sampling",
    ),
    FormField(
        "variants",
        "variants",
        "edit.col.v_",
        "edit.variants_help",
        "edit-variants",
        columns=("id", "weight", "greeting", "system_prompt", "persona"),
        trimmed=("id",),
        row_numbers=False,
    ),
    FormField("wecom.trigger", "wecom", "edit.trigger", row="wecom"),
    FormField("wecom.prefix", "wecom", "edit.prefix", elem_id="edit-prefix", row="wecom"),
    FormField("wecom.reply_format", "wecom", "edit.reply_format", row="wecom"),
    FormField(
        "kf.handover_words",
        "kf",
        "edit.handover_words",
        "edit.handover_words_help",
        "edit-kf-words",
    ),
    FormField("kf.handover_to", "kf", "edit.handover_to", row="kf_to"),
    FormField(
        "kf.servicer", "kf", "edit.servicer", "edit.servicer_help", "edit-kf-servicer", row="kf_to"
    ),
    FormField("kf.handover_on_conversion", "kf", "edit.handover_on_conversion", row="kf_to"),
    FormField("kf.handover_reply", "kf", "edit.handover_reply", "edit.handover_reply_help"),
    FormField("kf.text_only_reply", "kf", "edit.text_only_reply", "edit.text_only_reply_help"),
    FormField(
        "safety.rate_limit",
        "safety",
        "edit.rate_limit",
        "edit.rate_limit_help",
        "edit-rate-limit",
        row="limits",
    ),
    FormField(
        "safety.history_turns",
        "safety",
        "edit.history_turns",
        "edit.history_turns_help",
        "edit-history-turns",
        row="limits",
    ),
    FormField("safety.blocked_words", "safety", "edit.blocked_words", "edit.blocked_words_help"),
    FormField("safety.blocked_reply", "safety", "edit.blocked_reply"),
)

# Where a problem is shown: the section of the form that holds the offending key; the
# bot's id, language and time zone are not in the form, and go with its name.
SECTIONS = {
    "id": "basics",
    "language": "basics",
    "timezone": "basics",
    **{field.path.split(".")[0]: field.section for field in FORM},
}
SECTION_ORDER = [*dict.fromkeys(field.section for field in FORM), "other"]


# --- the spec's types ---------------------------------------------------------------------


def _bare(annotation: Any) -> Any:
    """The type inside `Annotated[...]` and `... | None`."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _bare(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        rest = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _bare(rest[0]) if len(rest) == 1 else annotation
    return annotation


def _model(annotation: Any) -> type[BaseModel]:
    """The spec model a setting holds: itself, or the item of a list of them."""
    bare = _bare(annotation)
    if typing.get_origin(bare) is list:
        bare = _bare(typing.get_args(bare)[0])
    return bare


def kind_of(annotation: Any) -> str:
    bare = _bare(annotation)
    origin = typing.get_origin(bare)
    if origin is typing.Literal:
        return "choice"
    if origin is list:
        item = _bare(typing.get_args(bare)[0])
        return "table" if isinstance(item, type) and issubclass(item, BaseModel) else "list"
    if bare is bool:
        return "flag"
    if bare in (int, float):
        return "number"
    return "text"


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
        for value in typing.get_args(_bare(items[column].annotation))
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
        choices = list(typing.get_args(_bare(spec.annotation)))
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
