"""📚 知识库 → 常见问题 and 热门问题: the bot's FAQ as an editable table (问题 / 答案 /
相似问法, phrasings separated by "|"), saved into the bot file after a check that names
the row of each problem; imported from an Excel or CSV sheet into the table, to be
checked and saved; and the questions customers asked lately that no FAQ answered,
grouped, any of which goes into the table as a new row whose answer is left to write.

The table is read from the bot file when a bot is picked and after a save; when the tab
is shown again it is read again only if it holds no unsaved edits."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import gradio as gr
from pydantic import ValidationError

from runtime.knowledge.faq_import import read_faq_table
from runtime.knowledge.passages import DocumentError
from runtime.knowledge.unanswered import hot_questions
from runtime.spec import BotSpec
from runtime.spec.knowledge import FaqSettings
from studio.context import StudioContext
from studio.lists import ListDropdown, kept
from studio.tabs.errors import EXPECTED, explain
from studio.tabs.kf_bind import bad, ok

COLUMNS = ("question", "answer", "similar")
HOT_DAYS = 7
_SPLIT = re.compile(r"[|｜\r\n]+")
EMPTY_ROW = ["", "", ""]
THRESHOLDS = ("answer_above", "ask_above")


def split_similar(text: str) -> list[str]:
    return [s.strip() for s in _SPLIT.split(text or "") if s.strip()]


def table_rows(faq: FaqSettings) -> list[list[str]]:
    """The FAQ as the table shows it; one empty row to type into when there is none."""
    rows = [[e.question, e.answer, " | ".join(e.similar)] for e in faq.entries]
    return rows or [list(EMPTY_ROW)]


def cells(rows: Any) -> list[list[str]]:
    """The table's rows as three stripped strings each (what the browser sent may be
    short, hold None or numbers)."""
    found = []
    for row in rows or []:
        row = ["" if v is None else str(v).strip() for v in list(row)[:3]]
        found.append(row + [""] * (3 - len(row)))
    return found


def written(rows: Any) -> list[list[str]]:
    return [row for row in cells(rows) if any(row)]


def problem(ctx: StudioContext, error: dict, entries: list[dict], numbers: list[int]) -> str:
    """One of FaqSettings' validation errors in words, naming the row as the table shows
    it (`numbers`: the row number of each entry; empty rows are skipped)."""
    t, kind, loc, found = ctx.t, error["type"], error["loc"], error.get("ctx") or {}
    if kind == "duplicate":
        at, first = found["at"][0], found["first"] - 1
        question = entries[at]["question"]
        return t("kbui.faq.duplicate", row=numbers[at], question=question, first=numbers[first])
    if kind == "faq_thresholds":
        return t("kbui.faq.thresholds", low=found["low"], high=found["high"])
    if loc and loc[0] in THRESHOLDS:
        return t("kbui.faq.threshold_range")
    if len(loc) >= 3 and loc[0] == "entries" and isinstance(loc[1], int):
        row, entry = numbers[loc[1]], entries[loc[1]]
        if kind == "string_too_short" and loc[2] == "answer":
            return t("kbui.faq.no_answer", row=row, question=entry["question"])
        if kind == "string_too_short":
            return t("kbui.faq.no_question", row=row)
        if kind == "string_too_long":
            return t("kbui.faq.too_long", row=row)
    return t("kbui.faq.invalid", detail=error.get("msg", kind))


def checked(
    ctx: StudioContext, rows: Any, answer_above: Any, ask_above: Any
) -> tuple[FaqSettings | None, list[dict], str]:
    """(the FAQ, its entries as data, "") or (None, [], why not) for the table as typed."""
    entries, numbers = [], []
    for number, (question, answer, similar) in enumerate(cells(rows), 1):
        if not (question or answer or similar):
            continue  # an empty row: left out, as in a spreadsheet
        if not question:
            return None, [], ctx.t("kbui.faq.no_question", row=number)
        entry: dict[str, Any] = {"question": question, "answer": answer}
        if split_similar(similar):
            entry["similar"] = split_similar(similar)
        entries.append(entry)
        numbers.append(number)
    data = {"answer_above": answer_above, "ask_above": ask_above, "entries": entries}
    try:
        return FaqSettings.model_validate(data), entries, ""
    except ValidationError as exc:
        found = [problem(ctx, e, entries, numbers) for e in exc.errors()]
        return None, [], "；".join(dict.fromkeys(found[:3]))


def save_part(ctx: StudioContext, bot_id: str, key: str, value: dict[str, Any]) -> BotSpec:
    """The bot file with `key` (faq, knowledge_base) replaced, the rest as it is on disk
    now (read again: another tab may have saved since). Raises ValidationError."""
    spec = ctx.workspace.bots.load(bot_id)
    data = spec.model_dump(mode="json", exclude_unset=True)
    data[key] = value
    saved = BotSpec.model_validate(data)
    ctx.workspace.bots.save(saved)
    return saved


def build(ctx: StudioContext) -> None:
    t = ctx.t
    workspace = ctx.workspace
    with gr.Accordion(t("kbui.faq.title"), open=True, elem_id="kb-faq-section"):
        gr.Markdown(t("kbui.faq.help"), elem_classes="help")
        faq = gr.Dataframe(
            headers=[t(f"kbui.faq.col.{c}") for c in COLUMNS],
            datatype="str",
            type="array",
            interactive=True,
            wrap=True,
            show_row_numbers=True,
            elem_id="kb-faq",
        )
        with gr.Row(equal_height=True):
            answer_above = gr.Number(
                label=t("kbui.faq.answer_above"),
                info=t("kbui.faq.answer_above_info"),
                step=0.01,
                elem_id="kb-answer-above",
            )
            ask_above = gr.Number(
                label=t("kbui.faq.ask_above"),
                info=t("kbui.faq.ask_above_info"),
                step=0.01,
                elem_id="kb-ask-above",
            )
        with gr.Row(equal_height=True):
            add_row = gr.Button(t("kbui.faq.add_row"), elem_id="kb-faq-add-row")
            save = gr.Button(t("kbui.faq.save"), variant="primary", elem_id="kb-faq-save")
            importer = gr.UploadButton(
                t("kbui.faq.import"), file_types=[".xlsx", ".csv"], elem_id="kb-faq-import"
            )
        gr.Markdown(t("kbui.faq.import_help"), elem_classes="help")
        status = gr.HTML(elem_id="kb-faq-status")
        loaded = gr.State()  # what the table held when read from the bot file

    with gr.Accordion(t("kbui.hot.title"), open=True, elem_id="kb-hot-section"):
        gr.Markdown(t("kbui.hot.help", days=HOT_DAYS), elem_classes="help")
        hot = gr.Dataframe(
            headers=[t(f"kbui.hot.col.{c}") for c in ("question", "count", "wordings")],
            interactive=False,
            wrap=True,
            elem_id="kb-hot",
        )
        hot_note = gr.HTML(elem_id="kb-hot-note")
        with gr.Row(equal_height=True, elem_classes="row-tools"):
            hot_pick = ListDropdown(
                label=t("kbui.hot.pick"), choices=[], elem_id="kb-hot-pick", scale=3
            )
            add_hot = gr.Button(t("kbui.hot.add"), variant="primary", elem_id="kb-hot-add", scale=1)
            refresh = gr.Button(t("kbui.hot.refresh"), elem_id="kb-hot-refresh", scale=1)

    # -- the FAQ -----------------------------------------------------------------------

    def from_file(bot_id: str | None):
        """The table and thresholds as the bot file has them, and that state remembered."""
        spec = ctx.spec(bot_id)
        settings = spec.faq if spec else FaqSettings()
        rows = table_rows(settings)
        state = {
            "bot": bot_id,
            "rows": written(rows),
            "at": [settings.answer_above, settings.ask_above],
        }
        return rows, settings.answer_above, settings.ask_above, state

    def unchanged(bot_id: str | None, rows: Any, high: Any, low: Any, state: dict | None):
        """Read again, unless the table holds edits not saved yet (they stay as typed)."""
        if state and state.get("bot") == bot_id:
            edited = written(rows) != state["rows"] or [high, low] != state["at"]
            if edited:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return from_file(bot_id)

    def on_save(bot_id: str | None, rows: Any, high: Any, low: Any):
        if ctx.spec(bot_id) is None:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), bad(t("bots.pick_first"))
        settings, entries, why = checked(ctx, rows, high, low)
        if settings is None:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), bad(t("kbui.not_saved", why=why))
        before = ctx.spec(bot_id).model_dump(mode="json", exclude_unset=True).get("faq", {})
        value: dict[str, Any] = {}
        for key in THRESHOLDS:  # written when set before or changed from the default
            if key in before or getattr(settings, key) != FaqSettings.model_fields[key].default:
                value[key] = getattr(settings, key)
        value["entries"] = entries
        try:
            save_part(ctx, bot_id, "faq", value)
        except (ValidationError, *EXPECTED) as exc:
            return (
                gr.skip(),
                gr.skip(),
                gr.skip(),
                gr.skip(),
                bad(t("kbui.not_saved", why=explain(ctx, exc))),
            )
        return (*from_file(bot_id), ok(t("kbui.faq.saved", n=len(entries))))

    def on_import(bot_id: str | None, file: Any, rows: Any):
        """The sheet's entries into the table (a question already there gets the sheet's
        answer), not saved: the marketer checks them and saves."""
        if ctx.spec(bot_id) is None or file is None:
            return gr.skip(), bad(t("bots.pick_first"))
        path = Path(file if isinstance(file, str) else file.name)
        try:
            entries = read_faq_table(path.name, path.read_bytes(), ctx.lang)
        except DocumentError as exc:
            return gr.skip(), bad(t("kbui.faq.import_failed", why=exc.text(ctx.lang)))
        except OSError:
            return gr.skip(), bad(t("kbui.faq.import_failed", why=t("kbui.docs.unreadable")))
        table = written(rows)
        at = {row[0]: i for i, row in enumerate(table)}
        for entry in entries:
            row = [entry.question, entry.answer, " | ".join(entry.similar)]
            if entry.question in at:
                table[at[entry.question]] = row
            else:
                at[entry.question] = len(table)
                table.append(row)
        return table, ok(t("kbui.faq.imported", file=path.name, n=len(entries)))

    editor = [faq, answer_above, ask_above, loaded]
    ctx.bot_picker.change(lambda b: (*from_file(b), ""), ctx.bot_picker, [*editor, status])
    ctx.on_load.append((from_file, ctx.bot_picker, editor))
    ctx.refresh(unchanged, [ctx.bot_picker, *editor], editor)
    add_row.click(lambda rows: [*cells(rows), list(EMPTY_ROW)], faq, faq)
    ctx.bump(save.click(on_save, [ctx.bot_picker, faq, answer_above, ask_above], [*editor, status]))
    importer.upload(on_import, [ctx.bot_picker, importer, faq], [faq, status])

    # -- 热门问题 ------------------------------------------------------------------------

    def hot_listing(bot_id: str | None, picked: str | None = None):
        spec = ctx.spec(bot_id)
        if spec is None:
            return gr.update(value=None), gr.update(choices=[], value=None), ""
        found = hot_questions(workspace.events, spec.id, spec.faq, days=HOT_DAYS)
        rows = [[h.text, str(h.count), " | ".join(h.wordings)] for h in found]
        texts = [h.text for h in found]
        menu = gr.update(choices=[(x, x) for x in texts], value=picked if picked in texts else None)
        return (
            gr.update(value=rows or None),
            menu,
            "" if found else t("kbui.hot.none", days=HOT_DAYS),
        )

    def hot_relisted(bot_id: str | None, picked: str | None):
        rows, menu, note = hot_listing(bot_id, picked)
        return rows, kept(menu, picked), note

    def on_add_hot(bot_id: str | None, text: str | None, rows: Any):
        """The picked question as a new row of the table, its other wordings as similar
        phrasings, the answer left for the marketer to write before saving."""
        spec = ctx.spec(bot_id)
        if spec is None or not text:
            return gr.skip(), bad(t("kbui.hot.pick_first"))
        table = cells(rows)
        for number, row in enumerate(table, 1):
            if row[0] == text:
                return gr.skip(), bad(t("kbui.faq.already", question=text, row=number))
        found = hot_questions(workspace.events, spec.id, spec.faq, days=HOT_DAYS)
        wordings = next((h.wordings for h in found if h.text == text), [])
        while table and not any(table[-1]):
            table.pop()  # the empty row to type into is taken by the new one
        table.append([text, "", " | ".join(wordings)])
        return table, ok(t("kbui.faq.added_row", question=text, row=len(table)))

    hot_shown = [hot, hot_pick, hot_note]
    ctx.bot_picker.change(hot_listing, ctx.bot_picker, hot_shown)
    ctx.on_load.append((hot_listing, ctx.bot_picker, hot_shown))
    ctx.refresh(hot_relisted, [ctx.bot_picker, hot_pick], hot_shown)
    refresh.click(hot_relisted, [ctx.bot_picker, hot_pick], hot_shown)
    add_hot.click(on_add_hot, [ctx.bot_picker, hot_pick, faq], [faq, status])
