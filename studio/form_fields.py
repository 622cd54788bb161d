"""The edit form, described once: `FORM` lists each field's place in the spec, its label
and help, and where it is shown. What kind of input a field is (a text, a number, a
choice, a list typed with commas, a table) is not written there: it is read from the
spec's own types (runtime/spec/model.py), and so are its range and its choices.
studio/forms.py converts between the form and the spec; studio/tabs/edit.py builds the
page from the same list.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from runtime.spec import BotSpec


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
            model = spec_model(model.model_fields[part].annotation)
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
        return bare_type(self.spec.annotation) is float

    @property
    def item(self) -> type[BaseModel]:
        """A table's item: one row."""
        return spec_model(self.spec.annotation)

    def table_columns(self) -> tuple[str, ...]:
        return self.columns or tuple(self.item.model_fields)

    def datatypes(self) -> list[str]:
        """A table's column types, as gr.Dataframe names them."""
        named = {"flag": "bool", "number": "number"}
        items = self.item.model_fields
        return [named.get(kind_of(items[c].annotation), "str") for c in self.table_columns()]

    def choices(self) -> list[str]:
        """The values a choice may take, in the spec's order."""
        return list(typing.get_args(bare_type(self.spec.annotation)))


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


def bare_type(annotation: Any) -> Any:
    """The type inside `Annotated[...]` and `... | None`."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return bare_type(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        rest = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return bare_type(rest[0]) if len(rest) == 1 else annotation
    return annotation


def spec_model(annotation: Any) -> type[BaseModel]:
    """The spec model a setting holds: itself, or the item of a list of them."""
    bare = bare_type(annotation)
    if typing.get_origin(bare) is list:
        bare = bare_type(typing.get_args(bare)[0])
    return bare


def kind_of(annotation: Any) -> str:
    bare = bare_type(annotation)
    origin = typing.get_origin(bare)
    if origin is typing.Literal:
        return "choice"
    if origin is list:
        item = bare_type(typing.get_args(bare)[0])
        return "table" if isinstance(item, type) and issubclass(item, BaseModel) else "list"
    if bare is bool:
        return "flag"
    if bare in (int, float):
        return "number"
    return "text"
