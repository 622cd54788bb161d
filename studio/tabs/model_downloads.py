"""模型 › 下载推荐模型: the recommended models with their size, memory and whether they fit;
a download with progress that goes on in the background (runtime/models/download_jobs.py);
and, once it is in, switching chosen bots to it."""

from __future__ import annotations

import html

import gradio as gr

from runtime.engine import gpu_offload_supported
from runtime.models.download_progress import progress_text, size_text
from runtime.models.hub import (
    HF_MIRROR_ENDPOINT,
    HUGGINGFACE_ENDPOINT,
    Source,
    huggingface,
    modelscope,
    parse_source,
    save_source,
    saved_source,
)
from runtime.models.recommended import CONTEXT, RECOMMENDED, find, fit, rows, this_machine
from studio.context import StudioContext

CHOICES = ("modelscope", "hf", "mirror", "custom")
COLUMNS = ("model", "size", "need", "fit", "state", "good")


def _choice_of(source: Source) -> tuple[str, str]:
    """(dropdown value, endpoint box) for a saved source."""
    if source.kind == "modelscope":
        return "modelscope", ""
    if source.endpoint == HUGGINGFACE_ENDPOINT:
        return "hf", ""
    if source.endpoint == HF_MIRROR_ENDPOINT:
        return "mirror", ""
    return "custom", source.endpoint


def _source_of(choice: str, endpoint: str) -> Source:
    """The source picked; ValueError for a custom endpoint that is not a URL."""
    if choice == "hf":
        return huggingface(HUGGINGFACE_ENDPOINT)
    if choice == "mirror":
        return huggingface(HF_MIRROR_ENDPOINT)
    if choice == "custom":
        source = parse_source(endpoint or "")
        if source.kind != "hf" or not (endpoint or "").strip().lower().startswith("http"):
            raise ValueError(endpoint)
        return source
    return modelscope()


def _bad(text: str) -> str:
    return f'<span class="status-bad">✖ {html.escape(text)}</span>'


def _good(text: str) -> str:
    return f'<span class="status-ok">✔ {html.escape(text)}</span>'


def _bar(fraction: float, text: str) -> str:
    pct = max(0.0, min(1.0, fraction)) * 100
    return (
        '<div style="border:1px solid #cbd5e1;border-radius:6px;height:12px;overflow:hidden">'
        f'<div style="background:#2563eb;height:100%;width:{pct:.1f}%"></div></div>'
        f'<div class="dl-progress-text" style="margin-top:4px">{html.escape(text)}</div>'
    )


def build(ctx: StudioContext) -> None:
    t = ctx.t
    jobs = ctx.workspace.downloads
    gr.Markdown(f"### {t('dl.ui.title')}")
    gr.Markdown(t("dl.ui.intro", context=CONTEXT), elem_classes="help")
    choice, endpoint_text = _choice_of(saved_source(ctx.workspace.settings))
    with gr.Row(equal_height=True):
        source = gr.Dropdown(
            [(t(f"dl.ui.source.{c}"), c) for c in CHOICES],
            value=choice,
            label=t("dl.ui.source"),
            elem_id="dl-source",
            scale=2,
        )
        endpoint = gr.Textbox(
            value=endpoint_text,
            label=t("dl.ui.endpoint"),
            visible=choice == "custom",
            elem_id="dl-endpoint",
            scale=2,
        )
        refresh = gr.Button(t("dl.ui.refresh"), elem_id="dl-refresh", scale=1)
    catalog = gr.Dataframe(
        value=_rows(ctx, None),
        headers=[t(f"dl.ui.col.{c}") for c in COLUMNS],
        interactive=False,
        wrap=True,
        line_breaks=True,
        column_widths=["17%", "9%", "10%", "20%", "12%", "32%"],
        elem_id="dl-catalog",
    )
    with gr.Row(equal_height=True):
        pick = gr.Dropdown(
            [(f"{r.title}（{r.file}）", r.key) for r in RECOMMENDED],
            value=RECOMMENDED[0].key,
            label=t("dl.ui.pick"),
            elem_id="dl-pick",
            scale=3,
        )
        start = gr.Button(t("dl.ui.download"), variant="primary", elem_id="dl-start", scale=1)
        pause = gr.Button(t("dl.ui.pause"), elem_id="dl-pause", scale=1)
    progress = gr.HTML(elem_id="dl-progress")
    status = gr.Markdown(elem_id="dl-status")
    gr.Markdown(f"#### {t('dl.ui.switch_title')}")
    with gr.Row(equal_height=True):
        model = gr.Dropdown(
            ctx.model_choices(), label=t("dl.ui.model"), elem_id="dl-model", scale=2
        )
        bots = gr.CheckboxGroup(
            ctx.bot_choices(), label=t("dl.ui.switch_bots"), elem_id="dl-bots", scale=3
        )
        switch = gr.Button(t("dl.ui.switch"), elem_id="dl-switch", scale=1)
    switched = gr.Markdown(elem_id="dl-switch-status")
    watching = gr.State("")  # the model whose download this page follows
    finished = gr.State(0)  # bumped when a download lands in gguf/
    timer = gr.Timer(1.0, active=False)

    def on_source(picked: str, typed: str):
        shown = gr.update(visible=picked == "custom")
        try:
            chosen = _source_of(picked, typed)
        except ValueError:  # a custom endpoint still being typed: said when it is used
            return shown, ""
        save_source(ctx.workspace.settings, chosen)
        return shown, ""

    def on_refresh(picked: str, typed: str):
        try:
            chosen = _source_of(picked, typed)
        except ValueError:
            return gr.update(), _bad(t("dl.bad_source", source=typed or ""))
        table = _rows(ctx, chosen)
        return table, t("dl.ui.checked", source=chosen.label, n=len(table))

    def on_start(picked: str, typed: str, key: str):
        entry = find(key)
        try:
            chosen = _source_of(picked, typed)
        except ValueError:
            return "", _bad(t("dl.bad_source", source=typed or "")), "", gr.update()
        if entry is None:
            return "", "", "", gr.update()
        job = jobs.start(chosen, entry.repo, entry.file)
        return job.model, "", _bar(0, t("dl.ui.starting")), gr.Timer(active=True)

    def on_tick(model_name: str, count: int):
        job = jobs.get(model_name) if model_name else None
        if job is None:
            return gr.update(), gr.update(), gr.Timer(active=False), count, gr.update()
        done = job.progress.fraction if job.progress else 0
        text = progress_text(job.progress, ctx.lang) if job.progress else t("dl.ui.starting")
        if job.state == "running":
            return _bar(done, text), "", gr.update(), count, gr.update()
        stop = gr.Timer(active=False)
        if job.state == "done":
            choices = gr.update(choices=ctx.model_choices(), value=job.model)
            return _bar(1, text), _good(t("dl.ui.done", file=job.model)), stop, count + 1, choices
        if job.state == "paused":
            return _bar(done, text), t("dl.ui.paused", file=job.model), stop, count, gr.update()
        return gr.update(), _bad(job.error.text(ctx.lang)), stop, count, gr.update()

    def on_pause(model_name: str):
        if model_name:
            jobs.pause(model_name)

    def on_switch(model_name: str | None, bot_ids: list[str]):
        if not model_name:
            return _bad(t("dl.ui.switch_nothing"))
        if not bot_ids:
            return _bad(t("dl.ui.switch_none"))
        from runtime.spec.model_switch import switch_bots

        results = switch_bots(ctx.workspace.bots, list(bot_ids), model_name)
        return "<br>".join((_good if r.ok else _bad)(r.text(ctx.lang)) for r in results)

    def on_open():
        """A page opened during a download follows it."""
        job = jobs.latest()
        following = job.model if job is not None and job.state == "running" else ""
        models, bot_ids = ctx.model_choices(), ctx.bot_choices()
        return (
            _rows(ctx, None),
            following,
            gr.Timer(active=bool(following)),
            gr.update(choices=models),
            gr.update(choices=bot_ids),
        )

    def relisted():
        return (
            _rows(ctx, None),
            gr.update(choices=ctx.model_choices()),
            gr.update(choices=ctx.bot_choices()),
        )

    source.change(on_source, [source, endpoint], [endpoint, status])
    endpoint.blur(on_source, [source, endpoint], [endpoint, status])
    refresh.click(on_refresh, [source, endpoint], [catalog, status])
    start.click(on_start, [source, endpoint, pick], [watching, status, progress, timer])
    pause.click(on_pause, watching, None)
    timer.tick(
        on_tick,
        [watching, finished],
        [progress, status, timer, finished, model],
        show_progress="hidden",
    )
    ctx.bump(finished.change(lambda: None, None, None))
    ctx.bump(switch.click(on_switch, [model, bots], switched))
    ctx.on_load.append((on_open, None, [catalog, watching, timer, model, bots]))
    ctx.refresh(relisted, None, [catalog, model, bots])


def _rows(ctx: StudioContext, source: Source | None) -> list[list[str]]:
    machine = this_machine(gpu_offload_supported())
    table = []
    for row in rows(ctx.workspace.gguf_dir, ctx.workspace.data_dir, source):
        key, params = fit(row.need, machine)
        unknown = ctx.t("dl.ui.unknown")
        job = ctx.workspace.downloads.get(row.entry.file)
        if row.downloaded:
            state = ctx.t("dl.cli.have")
        elif job is not None and job.state == "running" and job.progress:
            state = f"{int(job.progress.fraction * 100)}%"
        elif row.partial:
            state = ctx.t("dl.cli.partial", done=size_text(row.partial))
        else:
            state = ""
        if row.error is not None and row.facts is None:
            state = (state + " " if state else "") + "⚠ " + row.error.text(ctx.lang)
        table.append(
            [
                f"{row.entry.title}\n{row.entry.repo}",
                size_text(row.facts.size) if row.facts else unknown,
                size_text(row.need) if row.need else unknown,
                ctx.t(key, **params),
                state,
                ctx.t(f"dl.good.{row.entry.key}"),
            ]
        )
    return table
