"""编辑 Edit: the bot's persona, prompts, knowledge, examples, lead fields, model, WeCom
and safety settings. Saving validates through the same spec as `check`; problems
appear under the section they belong to, and nothing invalid is written."""

from __future__ import annotations

import hashlib
import time
from contextlib import nullcontext
from itertools import groupby
from types import SimpleNamespace
from typing import Any

import gradio as gr

from runtime.spec import SpecError, validate_bot
from runtime.spec.errors import range_text, value_words
from runtime.spec.yaml_io import LoadedYaml
from studio.context import StudioContext
from studio.form_fields import FORM, MODEL_SOURCE, SECTION_ORDER, FormField
from studio.forms import (
    blank_row,
    choice_words,
    form_to_data,
    problems_by_section,
    rows,
    spec_to_form,
)
from studio.lists import ListDropdown

OPENED = ("basics", "prompt", "few_shot", "lead_capture")  # sections open at first

# Saving with problems: once the boxes are drawn, the first one is scrolled to and focused.
SHOW_FIRST_ERROR_JS = """(message) => { if (!message || !message.includes('status-bad')) return;
  let tries = 0;
  const look = () => {
    const box = document.querySelector('.section-error[id^="error-"]');
    if (box && box.offsetParent !== null) {
      box.setAttribute('tabindex', '-1');
      box.scrollIntoView({block: 'center'});
      box.focus({preventScroll: true});
    } else if (++tries < 60) { setTimeout(look, 50); }
  };
  look(); }"""

# Leaving the page (reload, close, another address) with unsaved edits asks first.
WARN_ON_LEAVE_JS = """(mark) => { window.botstudioUnsaved = !!(mark && mark.trim());
  if (window.botstudioLeaveGuard) return;
  window.botstudioLeaveGuard = true;
  window.addEventListener('beforeunload', (event) => {
    if (window.botstudioUnsaved) { event.preventDefault(); event.returnValue = ''; }
  }); }"""


# Ctrl+S (⌘+S on a Mac) saves the bot, as in any editor, and never opens the browser's
# "save page" dialog; elsewhere in the studio it does nothing.
SAVE_KEYS_JS = """if (!window.botstudioSaveKeys) {
  window.botstudioSaveKeys = true;
  document.addEventListener('keydown', (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    if ((event.key || '').toLowerCase() !== 's') return;
    event.preventDefault();
    const button = document.querySelector('#edit-save');
    if (button && button.offsetParent !== null && !button.disabled) button.click();
  }, true);
}"""


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


def build_question(ctx: StudioContext) -> None:
    """Under the bot picker, hidden until another bot is picked while 编辑 holds unsaved
    edits: save them, discard them, or stay on the bot being edited."""
    with gr.Row(visible=False, equal_height=True, elem_id="unsaved-question") as row:
        text = gr.Markdown(elem_id="unsaved-text")
        save = gr.Button(
            ctx.t("edit.ask_save"), variant="primary", size="sm", scale=0, elem_id="unsaved-save"
        )
        discard = gr.Button(
            ctx.t("edit.ask_discard"), size="sm", scale=0, elem_id="unsaved-discard"
        )
        stay = gr.Button(ctx.t("edit.ask_stay"), size="sm", scale=0, elem_id="unsaved-stay")
    ctx.unsaved = SimpleNamespace(row=row, text=text, save=save, discard=discard, stay=stay)


def _row_tools(ctx: StudioContext, table: gr.Dataframe, blank: list[Any], prefix: str) -> None:
    """Add, remove and reorder rows: a row number and four buttons under a table."""
    with gr.Row(equal_height=False, elem_classes="row-tools"):
        row_number = gr.Number(
            value=1,
            precision=0,
            label=ctx.t("edit.row"),
            scale=1,
            elem_id=f"{prefix}-row",
        )
        add = gr.Button(ctx.t("edit.add_row"), size="sm", elem_id=f"{prefix}-add")
        up = gr.Button(ctx.t("edit.move_up"), size="sm", elem_id=f"{prefix}-up")
        down = gr.Button(ctx.t("edit.move_down"), size="sm", elem_id=f"{prefix}-down")
        remove = gr.Button(ctx.t("edit.remove_row"), size="sm", elem_id=f"{prefix}-remove")
    add.click(lambda v: [*rows(v), list(blank)], table, table)
    up.click(lambda v, i: _move(v, i, -1), [table, row_number], table)
    down.click(lambda v, i: _move(v, i, +1), [table, row_number], table)
    remove.click(_remove, [table, row_number], table)


def _input(ctx: StudioContext, field: FormField) -> Any:
    """The input for one field of the form, of the kind the spec's type at its path calls for."""
    t, kind = ctx.t, field.kind
    if kind == "table":  # its help above it, its row tools under it
        if field.help:  # the lead fields' help names the types a field may have
            words = choice_words(field, ctx.lang)
            params = {"types": t("cron.and").join(words)} if words else {}
            gr.Markdown(t(field.help, **params), elem_classes="help")
        table = gr.Dataframe(
            headers=[t(f"{field.label}{column}") for column in field.table_columns()],
            datatype=field.datatypes(),
            type="array",
            interactive=True,
            wrap=True,
            show_row_numbers=field.row_numbers,
            elem_id=field.elem_id,
        )
        prefix = (field.elem_id or field.path).removeprefix("edit-")
        _row_tools(ctx, table, blank_row(field, ctx.lang), prefix)
        return table
    label = t(field.label)
    info = t(field.help) if field.help else None
    if field.path == MODEL_SOURCE:  # the model files, then the endpoints of models elsewhere
        return ListDropdown(
            choices=ctx.answer_choices(), label=label, info=info, elem_id=field.elem_id
        )
    if kind == "number":
        # Numbers as typed, the spec's range beside them: a value out of range is refused
        # on save under its section, never clamped or rounded in silence.
        model, name = field.owner
        allowed = range_text(model, name, ctx.lang)
        if allowed is not None and info is not None:
            info = t("edit.allowed", help=info, range=allowed)
        step = {"step": 0.05} if field.decimal else {}
        return gr.Number(label=label, info=info, elem_id=field.elem_id, **step)
    if kind == "choice":
        choices = [(value_words(field.path, v, ctx.lang) or v, v) for v in field.choices()]
        return gr.Radio(choices, label=label, elem_id=field.elem_id)
    return gr.Textbox(label=label, info=info, lines=field.lines, elem_id=field.elem_id)


def build(ctx: StudioContext) -> None:
    t = ctx.t
    fields: dict[str, Any] = {}  # form key -> component, in one order for load and save
    errors: dict[str, Any] = {}

    folds: dict[str, Any] = {}  # section -> its gr.Accordion, opened to show a problem

    def error_slot(section: str) -> None:
        errors[section] = gr.Markdown(
            visible=False, elem_classes="section-error", elem_id=f"error-{section}"
        )

    opened = gr.State({})  # {"bot": id, "digest": sha256 of the file as opened, "data": its data}
    status = gr.Markdown(elem_id="edit-status")

    # The form as FORM describes it: a fold per section, neighbours in a row side by side.
    for section, in_section in groupby(FORM, key=lambda field: field.section):
        with gr.Accordion(t(f"edit.section.{section}"), open=section in OPENED) as fold:
            for row, together in groupby(in_section, key=lambda field: field.row):
                with gr.Row() if row else nullcontext():
                    for field in together:
                        fields[field.path] = _input(ctx, field)
            error_slot(section)
        folds[section] = fold
    error_slot("other")

    with gr.Row(equal_height=True):
        save = gr.Button(t("edit.save"), variant="primary", elem_id="edit-save", scale=3)
        reload = gr.Button(t("edit.reload"), elem_id="edit-reload", scale=1)
        with gr.Column(scale=3, min_width=240):  # what happened, where the user clicked
            unsaved_mark = gr.Markdown(elem_id="edit-dirty", elem_classes="unsaved-mark")
            save_status = gr.Markdown(elem_id="edit-save-status")
            gr.HTML(
                f'<span class="help">{t("edit.save_keys")}</span>',
                js_on_load=SAVE_KEYS_JS,
                elem_id="edit-save-keys",
            )

    keys = list(fields)
    error_outputs = [errors[s] for s in SECTION_ORDER]

    def load(bot_id: str | None):
        repo = ctx.bots  # its problems in the studio's language
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
        form = spec_to_form(spec, ctx.lang)
        data = spec.model_dump(mode="json", exclude_unset=True)
        # "clean": the form as opened, normalised as a save would: edits are what differs
        state = {
            "bot": spec.id,
            "digest": _digest(raw),
            "data": data,
            "clean": form_to_data(form, data),
        }
        note = t("edit.opened", bot=spec.id, path=path)
        # the model list is read now, so that an uploaded model is there
        form[MODEL_SOURCE] = gr.update(choices=ctx.answer_choices(), value=form[MODEL_SOURCE])
        return [state, note, *(form[k] for k in keys), *[_error_box(None)] * len(error_outputs)]

    def unsaved(state: dict[str, Any] | None, values: tuple) -> bool:
        """Whether the form differs from the file as opened (or last saved)."""
        if not state or "clean" not in state:
            return False
        form = dict(zip(keys, values, strict=True))
        return form_to_data(form, state["data"]) != state["clean"]

    def mark(state: dict[str, Any] | None, *values: Any) -> str:
        return t("edit.unsaved") if unsaved(state, values) else ""

    def saving(state: dict[str, Any], values: tuple):
        """Validate and write the form: (state after, message, problems by section, saved)."""
        if not state.get("bot"):
            return state, t("edit.no_bot"), {}, False
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
            return state, f'<span class="status-bad">✖ {message}</span>', grouped, False
        path = repo.path_for(state["bot"])
        on_disk = path.read_bytes() if path else None
        if _digest(on_disk) != state["digest"]:
            return state, f'<span class="status-bad">✖ {t("edit.conflict")}</span>', {}, False
        saved = repo.save(spec)
        data = spec.model_dump(mode="json", exclude_unset=True)
        new_state = {
            **state,
            "digest": _digest(saved.read_bytes()),
            "data": data,
            "clean": form_to_data(form, data),
        }
        message = t("edit.saved", path=saved, time=time.strftime("%H:%M:%S"))
        return new_state, f'<span class="status-ok">✔ {message}</span>', {}, True

    def shown_after_save(state, message: str, grouped: dict, values: tuple) -> dict:
        """The result at the top and beside 保存; each problem under its section, opened."""
        beside = message
        if grouped:
            count = sum(len(found) for found in grouped.values())
            beside = f'<span class="status-bad">✖ {t("edit.not_saved_here", n=count)}</span>'
        shown = {
            opened: state,
            status: message,
            save_status: beside,
            unsaved_mark: mark(state, *values),
        }
        shown.update({errors[s]: _error_box(grouped.get(s)) for s in SECTION_ORDER})
        shown.update({fold: gr.update(open=True) for s, fold in folds.items() if grouped.get(s)})
        return shown

    def on_save(state: dict[str, Any], *values: Any):
        new_state, message, grouped, _ = saving(state, values)
        return shown_after_save(new_state, message, grouped, values)

    question = ctx.unsaved
    hidden = gr.update(visible=False)

    def _opened(bot_id: str | None) -> dict:
        return dict(zip(load_outputs, load(bot_id), strict=True))

    def switch(bot_id: str | None, state: dict[str, Any], *values: Any) -> dict:
        """Another bot picked: open it, unless this one has unsaved edits; then ask first."""
        editing = (state or {}).get("bot")
        if editing and unsaved(state, values):
            if bot_id == editing:  # "stay" put the picker back: the edits stay too
                return {question.row: hidden}
            ask = t("edit.ask", old=editing, new=bot_id or "—")
            return {question.row: gr.update(visible=True), question.text: ask}
        return {**_opened(bot_id), question.row: hidden, unsaved_mark: ""}

    def discard(bot_id: str | None) -> dict:
        return {**_opened(bot_id), question.row: hidden, unsaved_mark: "", save_status: ""}

    def save_and_switch(bot_id: str | None, state: dict[str, Any], *values: Any) -> dict:
        """Save the bot being edited, then open the one picked; if it cannot be saved,
        stay on it (picker too) and show why in 编辑."""
        new_state, message, grouped, saved = saving(state, values)
        if saved:
            return {**discard(bot_id), save_status: message}
        back = gr.update(value=state.get("bot"))
        return {
            **shown_after_save(new_state, message, grouped, values),
            question.row: hidden,
            ctx.bot_picker: back,
            ctx.tabs: gr.Tabs(selected="edit"),
        }

    def refreshed(bot_id: str | None, state: dict[str, Any], *values: Any) -> dict:
        """Another tab changed something: the model list again, and the form too when its
        file changed on disk (a schedule, an adopted variant) and nothing here is unsaved."""
        editing = (state or {}).get("bot")
        path = ctx.workspace.bots.path_for(editing) if editing else None
        outdated = path is not None and _digest(path.read_bytes()) != state.get("digest")
        if outdated and editing == bot_id and not unsaved(state, values):
            return {**_opened(bot_id), unsaved_mark: ""}
        return {fields[MODEL_SOURCE]: gr.update(choices=ctx.answer_choices())}

    field_list = [fields[k] for k in keys]
    load_outputs = [opened, status, *field_list, *error_outputs]
    asked = [*load_outputs, question.row, question.text, unsaved_mark, save_status]
    ctx.bot_picker.change(
        switch, [ctx.bot_picker, opened, *field_list], asked, show_progress_on=status
    )
    question.discard.click(discard, ctx.bot_picker, asked)
    question.stay.click(
        lambda state: (gr.update(value=state.get("bot")), hidden),
        opened,
        [ctx.bot_picker, question.row],
    )
    saved_outputs = [*asked, *folds.values(), ctx.bot_picker, ctx.tabs]
    switched = question.save.click(
        save_and_switch, [ctx.bot_picker, opened, *field_list], saved_outputs
    )
    ctx.bump(switched)
    reload.click(discard, ctx.bot_picker, asked)
    after_save = [opened, status, save_status, unsaved_mark, *error_outputs, *folds.values()]
    saved = save.click(on_save, [opened, *field_list], after_save, show_progress_on=save_status)
    saved.then(None, save_status, None, js=SHOW_FIRST_ERROR_JS)
    ctx.bump(saved)
    ctx.on_load.append((load, ctx.bot_picker, load_outputs))  # opens the first bot
    ctx.refresh(refreshed, [ctx.bot_picker, opened, *field_list], [*load_outputs, unsaved_mark])
    # "● 有未保存的修改" follows every change. A change only stamps the time in the browser;
    # the stamp asks the server once: a field's own event would read the others mid-load
    # (not all filled yet: "edited"), and one request per field would crowd the queue.
    touched = gr.Number(visible=False)
    for component in field_list:
        component.change(None, None, touched, js="() => Date.now()")
    touched.change(
        mark,
        [opened, *field_list],
        unsaved_mark,
        show_progress="hidden",
        trigger_mode="always_last",
    )
    unsaved_mark.change(None, unsaved_mark, None, js=WARN_ON_LEAVE_JS)
