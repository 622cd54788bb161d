"""📚 知识库: the picked bot's documents (several uploaded at once, each said to be read or
refused, listed, read passage by passage, removed after asking), a test box (what a
question finds in them, what the FAQ does with it, the answer the bot would give) and
how many passages a reply reads. The FAQ editor and 热门问题 are knowledge_faq.py's."""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import gradio as gr
from pydantic import ValidationError

from runtime.engine.repetition import cut_repetition
from runtime.i18n import Explained
from runtime.knowledge.faq import ANSWER, ASK, HINT, FaqDecision
from runtime.knowledge.note import which_did_you_mean
from runtime.knowledge.passages import DocumentError
from runtime.knowledge.readers import MAX_BYTES, SUPPORTED
from runtime.spec import BotSpec
from runtime.spec.knowledge import KnowledgeSettings
from runtime.web.limits import size_text
from studio.context import StudioContext
from studio.lists import ListDropdown, kept
from studio.tabs import knowledge_faq
from studio.tabs.errors import EXPECTED, explain
from studio.tabs.kf_bind import bad, ok
from studio.tabs.knowledge_faq import save_part

SHOWN_PASSAGES = 200  # a long document's first passages; the count of the rest is said
LOOKED_UP = 3  # passages shown in the test box when the bot reads none (top_k 0)


def warn(text: str) -> str:
    """One file of an upload refused (the others go on)."""
    return f'<span class="status-bad">⚠️ {html.escape(text)}</span>'


def readable_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    return f"{size / 1024:.1f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def local_time(spec: BotSpec, when: float) -> str:
    """A file's time as the bot's team reads it: in the bot's time zone."""
    return datetime.fromtimestamp(when, ZoneInfo(spec.timezone)).strftime("%Y-%m-%d %H:%M")


def found_html(ctx: StudioContext, spec: BotSpec, question: str) -> str:
    """The passages `question` finds, best first, each marked as given to the model or not
    (under the bot's lowest score, or the bot reads none)."""
    t = ctx.t
    kb = ctx.workspace.knowledge.of(spec.id)
    if not kb.files():
        return f"<p>{html.escape(t('kbui.test.no_docs'))}</p>"
    settings = spec.knowledge_base
    hits = [h for h in kb.search(question, settings.top_k or LOOKED_UP, 0.0) if h.score > 0]
    parts = [f"<p><b>{html.escape(t('kbui.test.found_title'))}</b></p>"]
    if settings.top_k == 0:
        parts.append(f"<p>{html.escape(t('kbui.test.off'))}</p>")
    if not hits:
        parts.append(f"<p>{html.escape(t('kbui.test.no_hits'))}</p>")
    for n, hit in enumerate(hits, 1):
        used = settings.top_k > 0 and hit.score >= settings.min_score
        mark = (
            t("kbui.test.used") if used else t("kbui.test.below", min=f"{settings.min_score:.2f}")
        )
        where = hit.passage.source
        if hit.passage.heading:
            where += f" · {hit.passage.heading}"
        score = t("kbui.test.score", score=f"{hit.score:.2f}")
        parts.append(
            f'<div class="kb-hit"><p><b>{n}. {html.escape(where)}</b> — {html.escape(score)}'
            f" · {html.escape(mark)}</p>"
            f'<p style="white-space: pre-wrap">{html.escape(hit.passage.text)}</p></div>'
        )
    return "\n".join(parts)


def decision_html(ctx: StudioContext, spec: BotSpec, decision: FaqDecision) -> str:
    t = ctx.t
    lines = []
    best = decision.best
    if not spec.faq.entries:
        lines.append(t("kbui.test.faq_no_entries"))
    elif decision.kind == ANSWER and best is not None:
        score = f"{best.score:.2f}"
        lines.append(t("kbui.test.faq_answer", question=best.entry.question, score=score))
        lines.append(t("kbui.test.faq_answer_text", answer=best.entry.answer))
    elif decision.kind == ASK:
        lines.append(t("kbui.test.faq_ask"))
        for n, match in enumerate(decision.matches, 1):
            score = f"{match.score:.2f}"
            lines.append(t("kbui.test.faq_choice", n=n, question=match.entry.question, score=score))
    elif decision.kind == HINT and best is not None:
        lines.append(
            t("kbui.test.faq_hint", question=best.entry.question, score=f"{best.score:.2f}")
        )
    else:
        lines.append(t("kbui.test.faq_none"))
        if best is not None:
            lines.append(
                t(
                    "kbui.test.faq_nearest",
                    question=best.entry.question,
                    score=f"{best.score:.2f}",
                    answer=f"{spec.faq.answer_above:.2f}",
                    ask=f"{spec.faq.ask_above:.2f}",
                )
            )
    title = f"<p><b>{html.escape(t('kbui.test.faq_title'))}</b></p>"
    return title + "".join(
        f'<p style="white-space: pre-wrap">{html.escape(line)}</p>' for line in lines
    )


def build(ctx: StudioContext) -> None:
    t = ctx.t
    workspace = ctx.workspace
    gr.Markdown(t("kbui.help"), elem_classes="help", elem_id="kb-help")
    with gr.Accordion(t("kbui.docs.title"), open=True, elem_id="kb-docs-section"):
        with gr.Row():
            upload = gr.File(
                label=t("kbui.docs.upload"),
                file_count="multiple",
                file_types=list(SUPPORTED),
                elem_id="kb-upload",
                height=140,
                scale=3,
            )
            with gr.Column(scale=2):
                kinds = " ".join(SUPPORTED)
                limits = t("kbui.docs.limits", kinds=kinds, size=size_text(MAX_BYTES))
                gr.Markdown(limits, elem_classes="help", elem_id="kb-upload-limits")
                upload_status = gr.HTML(elem_id="kb-upload-status")
        table = gr.Dataframe(
            headers=[
                t(f"kbui.docs.col.{c}") for c in ("file", "passages", "added", "size", "state")
            ],
            interactive=False,
            wrap=True,
            elem_id="kb-docs",
        )
        with gr.Row(equal_height=True, elem_classes="row-tools"):
            picked = ListDropdown(
                label=t("kbui.docs.pick"), choices=[], elem_id="kb-doc-pick", scale=3
            )
            remove = gr.Button(
                t("kbui.docs.remove"), variant="stop", elem_id="kb-doc-remove", scale=1
            )
        with gr.Row(visible=False, equal_height=True) as confirm_row:
            confirm = gr.Button(t("kbui.docs.confirm"), variant="stop", elem_id="kb-doc-confirm")
            cancel = gr.Button(t("kbui.docs.cancel"), elem_id="kb-doc-cancel")
        doc_status = gr.HTML(elem_id="kb-doc-status")
        gr.Markdown(f"**{t('kbui.docs.passages_title')}**")
        passages = gr.HTML(elem_id="kb-passages")

    with gr.Accordion(t("kbui.test.title"), open=True, elem_id="kb-test-section"):
        gr.Markdown(t("kbui.test.help"), elem_classes="help")
        with gr.Row(equal_height=True, elem_classes="row-tools"):
            question = gr.Textbox(
                label=t("kbui.test.question"),
                placeholder=t("kbui.test.placeholder"),
                elem_id="kb-question",
                scale=4,
            )
            find = gr.Button(t("kbui.test.find"), variant="primary", elem_id="kb-find", scale=1)
            preview = gr.Button(t("kbui.test.preview"), elem_id="kb-preview", scale=2)
        with gr.Row():
            found = gr.HTML(elem_id="kb-found")
            with gr.Column():
                decided = gr.HTML(elem_id="kb-faq-decision")
                answer = gr.HTML(elem_id="kb-answer")
        with gr.Accordion(t("kbui.settings.title"), open=False, elem_id="kb-settings"):
            with gr.Row(equal_height=True, elem_classes="row-tools"):
                top_k = gr.Number(
                    label=t("kbui.settings.top_k"),
                    info=t("kbui.settings.top_k_info"),
                    precision=0,
                    elem_id="kb-top-k",
                )
                min_score = gr.Number(
                    label=t("kbui.settings.min_score"),
                    info=t("kbui.settings.min_score_info"),
                    step=0.1,
                    elem_id="kb-min-score",
                )
                save_settings = gr.Button(t("kbui.settings.save"), elem_id="kb-settings-save")
            settings_status = gr.HTML(elem_id="kb-settings-status")

    knowledge_faq.build(ctx)  # 常见问题 and 热门问题, below the test box

    # -- documents ---------------------------------------------------------------------

    def passages_html(bot_id: str | None, name: str | None) -> str:
        if not bot_id or not name or ctx.spec(bot_id) is None:
            return ""
        found_here = workspace.knowledge.of(bot_id).passages(name)
        if not found_here:
            return f"<p>{html.escape(t('kbui.docs.passages_none'))}</p>"
        items = []
        for passage in found_here[:SHOWN_PASSAGES]:
            heading = passage.heading or t("kbui.docs.no_heading")
            items.append(
                f"<li><b>{html.escape(heading)}</b>"
                f'<div style="white-space: pre-wrap">{html.escape(passage.text)}</div></li>'
            )
        more = len(found_here) - SHOWN_PASSAGES
        tail = f"<p>{html.escape(t('kbui.docs.passages_more', n=more))}</p>" if more > 0 else ""
        return f'<ol class="kb-passages">{"".join(items)}</ol>{tail}'

    def listing(bot_id: str | None, name: str | None):
        """The documents, the picked one kept picked while it is there, and its passages."""
        spec = ctx.spec(bot_id)
        if spec is None:
            return gr.update(value=None), gr.update(choices=[], value=None), ""
        documents = workspace.knowledge.of(spec.id).documents(ctx.lang)
        rows = [
            [
                doc.name,
                str(doc.passages),
                local_time(spec, doc.added_at),
                readable_size(doc.size),
                f"⚠️ {doc.problem}" if doc.problem else t("kbui.docs.ok"),
            ]
            for doc in documents
        ]
        names = [doc.name for doc in documents]
        keep = name if name in names else None
        choices = gr.update(choices=[(n, n) for n in names], value=keep)
        return gr.update(value=rows or None), choices, passages_html(bot_id, keep)

    def relisted(bot_id: str | None, name: str | None):
        rows, choices, shown = listing(bot_id, name)
        return rows, kept(choices, name), shown

    def on_upload(bot_id: str | None, files: Any, progress=gr.Progress()):  # noqa: B008 (Gradio injects it)
        """Each file added in turn, each said: its passages, or why it was refused."""
        spec = ctx.spec(bot_id)
        if spec is None:
            return (None, bad(t("bots.pick_first")), *listing(bot_id, None))
        paths = [Path(f if isinstance(f, str) else f.name) for f in (files or [])]
        kb = workspace.knowledge.of(spec.id)
        lines, last = [], None
        for i, path in enumerate(paths):
            progress(
                i / len(paths), desc=t("kbui.docs.reading", i=i + 1, n=len(paths), file=path.name)
            )
            try:
                info = kb.add(path.name, path.read_bytes())
            except DocumentError as exc:
                why = exc.text(ctx.lang)
                lines.append(warn(t("kbui.docs.failed", file=path.name, why=why)))
            except OSError:
                why = t("kbui.docs.unreadable")
                lines.append(warn(t("kbui.docs.failed", file=path.name, why=why)))
            else:
                lines.append(ok(t("kbui.docs.added", file=info.name, n=info.passages)))
                last = info.name
        said = "".join(f"<div>{line}</div>" for line in lines)
        return (None, said, *listing(bot_id, last))

    def ask_remove(name: str | None):
        if not name:
            return gr.update(visible=False), bad(t("kbui.docs.pick_first"))
        return gr.update(visible=True), html.escape(t("kbui.docs.ask_remove", file=name))

    def on_remove(bot_id: str | None, name: str | None):
        hidden = gr.update(visible=False)
        if not bot_id or ctx.spec(bot_id) is None or not name:
            return (hidden, bad(t("kbui.docs.pick_first")), *listing(bot_id, None))
        try:
            workspace.knowledge.of(bot_id).remove(name)
        except DocumentError as exc:
            return (hidden, bad(exc.text(ctx.lang)), *listing(bot_id, None))
        return (hidden, ok(t("kbui.docs.removed", file=name)), *listing(bot_id, None))

    docs = [table, picked, passages]
    upload.upload(on_upload, [ctx.bot_picker, upload], [upload, upload_status, *docs])
    picked.change(passages_html, [ctx.bot_picker, picked], passages, show_progress="hidden")
    remove.click(ask_remove, picked, [confirm_row, doc_status])
    cancel.click(lambda: (gr.update(visible=False), ""), None, [confirm_row, doc_status])
    confirm.click(on_remove, [ctx.bot_picker, picked], [confirm_row, doc_status, *docs])

    # -- the test box and the settings ----------------------------------------------------

    def on_find(bot_id: str | None, text: str):
        spec = ctx.spec(bot_id)
        text = (text or "").strip()
        if spec is None or not text:
            return bad(t("bots.pick_first") if spec is None else t("kbui.test.empty")), "", ""
        decision = workspace.dialogue.matcher(spec).decide(spec.faq, text)
        return found_html(ctx, spec, text), decision_html(ctx, spec, decision), ""

    def on_preview(bot_id: str | None, text: str):
        """The answer the bot would give a new customer: the FAQ's when it answers, else the
        model's from the passages found (run here, on Gradio's worker thread)."""
        spec = ctx.spec(bot_id)
        text = (text or "").strip()
        if spec is None or not text:
            return bad(t("bots.pick_first") if spec is None else t("kbui.test.empty"))
        decision = workspace.dialogue.matcher(spec).decide(spec.faq, text)
        try:
            if decision.kind == ANSWER and decision.best is not None:
                said, how = decision.best.entry.answer, t("kbui.test.by_faq")
            elif decision.kind == ASK:
                language = workspace.dialogue.resolve(spec.id, spec=spec).language
                said, how = which_did_you_mean(decision.matches, language), t("kbui.test.by_faq")
            else:
                _, _, generation = workspace.dialogue.preview(spec.id, text)
                said, how = generation.read_all(), t("kbui.test.by_model")
                if generation.stats.stopped_by == "repeat":
                    said = cut_repetition(said, stopped=True)
        except (*EXPECTED, Explained) as exc:
            return bad(explain(ctx, exc))
        return (
            f"<p><b>{html.escape(t('kbui.test.answer_title'))}</b> {html.escape(how)}</p>"
            f'<p style="white-space: pre-wrap">{html.escape(said)}</p>'
        )

    def settings_shown(bot_id: str | None):
        spec = ctx.spec(bot_id)
        settings = spec.knowledge_base if spec else KnowledgeSettings()
        return settings.top_k, settings.min_score

    def on_save_settings(bot_id: str | None, k: float | None, least: float | None):
        if ctx.spec(bot_id) is None:
            return bad(t("bots.pick_first"))
        try:
            settings = KnowledgeSettings(top_k=int(k if k is not None else -1), min_score=least)
        except (ValidationError, TypeError, ValueError):
            return bad(t("kbui.settings.bad"))
        try:
            save_part(ctx, bot_id, "knowledge_base", settings.model_dump(mode="json"))
        except (ValidationError, *EXPECTED) as exc:
            return bad(t("kbui.not_saved", why=explain(ctx, exc)))
        said = t("kbui.settings.saved", k=settings.top_k, min=f"{settings.min_score:g}")
        return ok(said)

    for trigger in (find.click, question.submit):
        trigger(on_find, [ctx.bot_picker, question], [found, decided, answer])
    preview.click(on_preview, [ctx.bot_picker, question], answer)
    ctx.bump(
        save_settings.click(on_save_settings, [ctx.bot_picker, top_k, min_score], settings_status)
    )

    def opened(bot_id: str | None, name: str | None):
        return (*listing(bot_id, name), *settings_shown(bot_id))

    def cleared(bot_id: str | None):
        return (*opened(bot_id, None), "", "", "", "", "", "")

    shown = [*docs, top_k, min_score]
    said_before = [upload_status, doc_status, found, decided, answer, settings_status]
    ctx.bot_picker.change(cleared, ctx.bot_picker, [*shown, *said_before])
    ctx.bot_picker.change(lambda: gr.update(visible=False), None, confirm_row)
    ctx.on_load.append((opened, [ctx.bot_picker, picked], shown))
    ctx.refresh(lambda b, n: (*relisted(b, n), *settings_shown(b)), [ctx.bot_picker, picked], shown)
