"""编辑 Edit: the bot's persona, prompts, knowledge, examples, lead fields, model, WeCom
and safety settings. Saving validates through the same spec as `check`; problems
appear under the section they belong to, and nothing invalid is written."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import gradio as gr

from runtime.spec import SpecError, validate_bot
from runtime.spec.yaml_io import LoadedYaml
from studio.context import StudioContext
from studio.forms import (
    FEW_SHOT_COLUMNS,
    FIELD_COLUMNS,
    SECTION_ORDER,
    VARIANT_COLUMNS,
    form_to_data,
    problems_by_section,
    rows,
    spec_to_form,
)

FIELD_TYPES = ["text", "phone_cn", "email", "wechat_id", "number", "date", "datetime", "choice"]


def _digest(raw: bytes | None) -> str:
    return hashlib.sha256(raw or b"").hexdigest()


def _error_box(messages: list[str] | None):
    if not messages:
        return gr.update(value="", visible=False)
    return gr.update(value="\n".join(f"- {m}" for m in messages), visible=True)


def _move(table: Any, index: float | None, step: int) -> list[list[Any]]:
    data = rows(table)
    i = int(index or 0) - 1
    j = i + step
    if 0 <= i < len(data) and 0 <= j < len(data):
        data[i], data[j] = data[j], data[i]
    return data


def _remove(table: Any, index: float | None) -> list[list[Any]]:
    data = rows(table)
    i = int(index or 0) - 1
    if 0 <= i < len(data):
        del data[i]
    return data


def _row_tools(ctx: StudioContext, table: gr.Dataframe, blank_row: list[Any], prefix: str) -> None:
    """Add, remove and reorder rows: a row number and four buttons under a table."""
    with gr.Row(equal_height=False, elem_classes="row-tools"):
        row_number = gr.Number(
            value=1,
            precision=0,
            minimum=1,
            label=ctx.t("edit.row"),
            scale=1,
            elem_id=f"{prefix}-row",
        )
        add = gr.Button(ctx.t("edit.add_row"), size="sm", elem_id=f"{prefix}-add")
        up = gr.Button(ctx.t("edit.move_up"), size="sm", elem_id=f"{prefix}-up")
        down = gr.Button(ctx.t("edit.move_down"), size="sm", elem_id=f"{prefix}-down")
        remove = gr.Button(ctx.t("edit.remove_row"), size="sm", elem_id=f"{prefix}-remove")
    add.click(lambda v: [*rows(v), list(blank_row)], table, table)
    up.click(lambda v, i: _move(v, i, -1), [table, row_number], table)
    down.click(lambda v, i: _move(v, i, +1), [table, row_number], table)
    remove.click(_remove, [table, row_number], table)


def build(ctx: StudioContext) -> None:
    t = ctx.t
    fields: dict[str, Any] = {}  # form key -> component, in one order for load and save
    errors: dict[str, Any] = {}

    def error_slot(section: str) -> None:
        errors[section] = gr.Markdown(
            visible=False, elem_classes="section-error", elem_id=f"error-{section}"
        )

    opened = gr.State({})  # {"bot": id, "digest": sha256 of the file as opened, "data": its data}
    status = gr.Markdown(elem_id="edit-status")

    with gr.Accordion(t("edit.section.basics"), open=True):
        with gr.Row():
            fields["name"] = gr.Textbox(label=t("edit.name"), elem_id="edit-name")
            fields["description"] = gr.Textbox(
                label=t("edit.description"), elem_id="edit-description"
            )
        error_slot("basics")

    with gr.Accordion(t("edit.section.prompt"), open=True):
        fields["persona"] = gr.Textbox(
            label=t("edit.persona"), info=t("edit.persona_help"), lines=4, elem_id="edit-persona"
        )
        fields["system_prompt"] = gr.Textbox(
            label=t("edit.system_prompt"),
            info=t("edit.system_prompt_help"),
            lines=4,
            elem_id="edit-system",
        )
        fields["greeting"] = gr.Textbox(label=t("edit.greeting"), lines=2, elem_id="edit-greeting")
        fields["knowledge"] = gr.Textbox(
            label=t("edit.knowledge"),
            info=t("edit.knowledge_help"),
            lines=6,
            elem_id="edit-knowledge",
        )
        error_slot("prompt")

    with gr.Accordion(t("edit.section.few_shot"), open=True):
        gr.Markdown(t("edit.few_shot_help"), elem_classes="help")
        fields["few_shot"] = gr.Dataframe(
            headers=[t(f"edit.col.{c}") for c in FEW_SHOT_COLUMNS],
            datatype=["str", "str"],
            type="array",
            interactive=True,
            wrap=True,
            show_row_numbers=True,
            elem_id="edit-few-shot",
        )
        _row_tools(ctx, fields["few_shot"], ["", ""], "few-shot")
        error_slot("few_shot")

    with gr.Accordion(t("edit.section.lead_capture"), open=True):
        gr.Markdown(t("edit.fields_help", types=", ".join(FIELD_TYPES)), elem_classes="help")
        fields["fields"] = gr.Dataframe(
            headers=[t(f"edit.col.{c}") for c in FIELD_COLUMNS],
            datatype=["str", "str", "str", "bool", "str", "str", "str"],
            type="array",
            interactive=True,
            wrap=True,
            show_row_numbers=True,
            elem_id="edit-fields",
        )
        _row_tools(ctx, fields["fields"], ["", "", "text", False, "", "", ""], "fields")
        with gr.Row():
            fields["goal"] = gr.Textbox(label=t("edit.goal"), elem_id="edit-goal")
            fields["converted_when"] = gr.Textbox(
                label=t("edit.converted_when"),
                info=t("edit.converted_when_help"),
                elem_id="edit-converted",
            )
        error_slot("lead_capture")

    with gr.Accordion(t("edit.section.model"), open=False):
        with gr.Row():
            fields["model.file"] = gr.Dropdown(
                choices=ctx.workspace.models.known_names(),
                label=t("edit.model_file"),
                info=t("edit.model_file_help"),
                elem_id="edit-model-file",
            )
            fields["model.context"] = gr.Number(
                label=t("edit.context"),
                info=t("edit.context_help"),
                precision=0,
                elem_id="edit-context",
            )
            fields["model.max_tokens"] = gr.Number(
                label=t("edit.max_tokens"),
                info=t("edit.max_tokens_help"),
                precision=0,
                elem_id="edit-max-tokens",
            )
        with gr.Row():
            fields["model.temperature"] = gr.Slider(
                0, 2, step=0.05, label=t("edit.temperature"), info=t("edit.temperature_help")
            )
            fields["model.top_p"] = gr.Slider(
                0.05, 1, step=0.05, label=t("edit.top_p"), info=t("edit.top_p_help")
            )
            fields["model.gpu_layers"] = gr.Number(
                label=t("edit.gpu_layers"),
                info=t("edit.gpu_layers_help"),
                precision=0,
                elem_id="edit-gpu",
            )
        error_slot("model")

    with gr.Accordion(t("edit.section.variants"), open=False):
        gr.Markdown(t("edit.variants_help"), elem_classes="help")
        fields["variants"] = gr.Dataframe(
            headers=[t(f"edit.col.v_{c}") for c in VARIANT_COLUMNS],
            datatype=["str", "number", "str", "str", "str"],
            type="array",
            interactive=True,
            wrap=True,
            elem_id="edit-variants",
        )
        _row_tools(ctx, fields["variants"], ["", 1, "", "", ""], "variants")
        error_slot("variants")

    with gr.Accordion(t("edit.section.wecom"), open=False), gr.Row():
        fields["wecom.trigger"] = gr.Radio(
            [(t("edit.trigger.mention"), "mention"), (t("edit.trigger.prefix"), "prefix"),
             (t("edit.trigger.always"), "always")],
            label=t("edit.trigger"),
        )  # fmt: skip
        fields["wecom.prefix"] = gr.Textbox(label=t("edit.prefix"), elem_id="edit-prefix")
        fields["wecom.reply_format"] = gr.Radio(
            [(t("edit.format.markdown"), "markdown"), (t("edit.format.text"), "text"),
             (t("edit.format.stream"), "stream")],
            label=t("edit.reply_format"),
        )  # fmt: skip
    error_slot("wecom")

    with gr.Accordion(t("edit.section.safety"), open=False):
        with gr.Row():
            fields["safety.rate_limit"] = gr.Textbox(
                label=t("edit.rate_limit"),
                info=t("edit.rate_limit_help"),
                elem_id="edit-rate-limit",
            )
            fields["safety.history_turns"] = gr.Number(
                label=t("edit.history_turns"), info=t("edit.history_turns_help"), precision=0
            )
        fields["safety.blocked_words"] = gr.Textbox(
            label=t("edit.blocked_words"), info=t("edit.blocked_words_help")
        )
        fields["safety.blocked_reply"] = gr.Textbox(label=t("edit.blocked_reply"))
        error_slot("safety")
    error_slot("other")

    with gr.Row():
        save = gr.Button(t("edit.save"), variant="primary", elem_id="edit-save", scale=3)
        reload = gr.Button(t("edit.reload"), elem_id="edit-reload", scale=1)

    keys = list(fields)
    error_outputs = [errors[s] for s in SECTION_ORDER]

    def load(bot_id: str | None):
        repo = ctx.workspace.bots
        path = repo.path_for(bot_id) if bot_id else None
        blank = [gr.update()] * len(keys) + [_error_box(None)] * len(error_outputs)
        if path is None:
            return [{}, t("edit.no_bot"), *blank]
        raw = path.read_bytes()
        try:
            spec = repo.load_path(path)
        except SpecError as exc:
            lines = "\n".join(f"- {p.render(path.name)}" for p in exc.problems)
            return [
                {},
                f'<span class="status-bad">{t("edit.file_invalid")}</span>\n\n{lines}',
                *blank,
            ]
        form = spec_to_form(spec)
        state = {
            "bot": spec.id,
            "digest": _digest(raw),
            "data": spec.model_dump(mode="json", exclude_unset=True),
        }
        note = t("edit.opened", bot=spec.id, path=path)
        return [state, note, *(form[k] for k in keys), *[_error_box(None)] * len(error_outputs)]

    def on_save(state: dict[str, Any], *values: Any):
        if not state.get("bot"):
            return [state, t("edit.no_bot"), *[gr.update()] * len(error_outputs)]
        repo = ctx.workspace.bots
        form = dict(zip(keys, values, strict=True))
        data = form_to_data(form, state["data"])
        try:
            spec = validate_bot(
                LoadedYaml(data),
                state["bot"],
                lang=ctx.lang,
                expected_id=state["bot"],
                models=repo.models,
            )
        except SpecError as exc:
            grouped = problems_by_section(exc.problems)
            message = t("edit.not_saved", n=len(exc.problems))
            return [state, f'<span class="status-bad">✖ {message}</span>',
                    *(_error_box(grouped.get(s)) for s in SECTION_ORDER)]  # fmt: skip
        path = repo.path_for(state["bot"])
        on_disk = path.read_bytes() if path else None
        if _digest(on_disk) != state["digest"]:
            message = t("edit.conflict")
            return [state, f'<span class="status-bad">✖ {message}</span>',
                    *[_error_box(None)] * len(error_outputs)]  # fmt: skip
        saved = repo.save(spec)
        data = spec.model_dump(mode="json", exclude_unset=True)
        new_state = {**state, "digest": _digest(saved.read_bytes()), "data": data}
        message = t("edit.saved", path=saved, time=time.strftime("%H:%M:%S"))
        return [new_state, f'<span class="status-ok">✔ {message}</span>',
                *[_error_box(None)] * len(error_outputs)]  # fmt: skip

    load_outputs = [opened, status, *(fields[k] for k in keys), *error_outputs]
    ctx.bot_picker.change(load, ctx.bot_picker, load_outputs)
    reload.click(load, ctx.bot_picker, load_outputs)
    save.click(on_save, [opened, *(fields[k] for k in keys)], [opened, status, *error_outputs])
    ctx.on_load.append((load, ctx.bot_picker, load_outputs))  # opens the first bot
