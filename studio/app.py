"""The studio: a Gradio Blocks app, one module per tab, mounted once per language.

The language is a path (/studio/zh/, /studio/en/): the same code builds both, and
switching language in Settings just goes to the other path.
"""

from __future__ import annotations

import os
from contextlib import asynccontextmanager

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from a closed network

import gradio as gr
from fastapi import FastAPI

from runtime.web.limits import Limits
from runtime.workspace import Workspace
from studio.context import RunningChannels, StudioContext
from studio.tabs import (
    bots,
    compare,
    edit,
    experiments,
    knowledge,
    leads,
    models,
    overview,
    schedules,
    settings,
    try_chat,
    wecom,
)
from studio.theme import CSS, theme

TABS = [  # (module, tab id, label key): one module per tab
    (bots, "bots", "tab.bots"),
    (overview, "overview", "tab.overview"),
    (edit, "edit", "tab.edit"),
    (try_chat, "try", "tab.try"),
    (knowledge, "knowledge", "tab.knowledge"),
    (compare, "compare", "tab.compare"),
    (leads, "leads", "tab.leads"),
    (experiments, "experiments", "tab.experiments"),
    (schedules, "schedules", "tab.schedules"),
    (wecom, "wecom", "tab.wecom"),
    (models, "models", "tab.models"),
    (settings, "settings", "tab.settings"),
]


# The current bot and tab are in the address (?bot=ops-helper&tab=edit), so that a reload
# or a shared link opens the same bot and tab; the page load reads them back.
BOT_IN_URL_JS = """(bot) => { const url = new URL(window.location.href);
  if (bot) url.searchParams.set('bot', bot); else url.searchParams.delete('bot');
  window.history.replaceState(window.history.state, '', url); }"""
TAB_IN_URL_JS = """() => { const url = new URL(window.location.href);
  url.searchParams.set('tab', '{tab}');
  window.history.replaceState(window.history.state, '', url); }"""

# Gradio's own words (拖放文件到此处, 点击上传...) follow the browser's language; the studio's
# is the one chosen in 设置. On load, Gradio's own locale switch (the changeLocale its
# settings panel uses, from its already loaded core module) is set to the studio's.
GRADIO_LOCALES = {"zh": "zh-CN", "en": "en"}
# Gradio's queue looks for new events every millisecond and for progress every 10 ms,
# on the event loop that also acknowledges WeCom and streams the API: 7% of a core with
# nobody in the studio. A click waits at most this long to start; a progress bar moves
# this often.
QUEUE_POLL_SECONDS = 0.02
PROGRESS_POLL_SECONDS = 0.1
GRADIO_LOCALE_JS = """() => { const locale = '{locale}';
  const core = performance.getEntriesByType('resource').map((e) => e.name)
    .find((name) => /\\/assets\\/core-[^/]*\\.js$/.test(name));
  if (core) import(core).then((m) => m.changeLocale && m.changeLocale(locale)).catch(() => {}); }"""

SIGN_OUT_JS = """() => { fetch('/logout', {method: 'POST', credentials: 'same-origin'})
  .finally(() => { window.location.href = '/login'; }); }"""


def build_studio(
    workspace: Workspace,
    lang: str,
    hub: RunningChannels,
    limits: Limits | None = None,
    on_shutdown: list | None = None,
) -> gr.Blocks:
    """The studio; what must run when the server stops is added to `on_shutdown`."""
    ctx = StudioContext(workspace, lang, hub, limits=limits or Limits())
    if on_shutdown is not None:
        ctx.on_shutdown = on_shutdown
    with gr.Blocks(title="BotStudio", analytics_enabled=False, fill_width=True) as demo:
        ctx.changed = gr.State(0)  # bumped when a tab changed bots, models or bindings
        with gr.Row(elem_id="topbar"):
            gr.HTML(f'<div class="brand">🤖 BotStudio<small>{ctx.t("app.tagline")}</small></div>')
            choices = ctx.bot_choices()
            ctx.bot_picker = gr.Dropdown(
                choices=choices,
                value=choices[0][1] if choices else None,
                label=ctx.t("app.current_bot"),
                elem_id="bot-picker",
                scale=2,
            )
            # Shown once a password is set: ends the session on the server too.
            sign_out = gr.Button(
                ctx.t("app.sign_out"), size="sm", visible=False, elem_id="sign-out", scale=0
            )
            sign_out.click(None, js=SIGN_OUT_JS)
        edit.build_question(ctx)  # "unsaved edits: save, discard or stay?", under the picker
        built = []
        with gr.Tabs(elem_id="tabs") as ctx.tabs:
            for module, tab_id, label in TABS:
                with gr.Tab(ctx.t(label), id=tab_id, elem_id=f"tab-{tab_id}") as ctx.tab:
                    ctx.tab_id = tab_id
                    module.build(ctx)
                built.append((tab_id, ctx.tab))
        timers = list(ctx.timers.values())
        for tab_id, tab in built:  # the tab's own timers tick, the others stop
            tab.select(None, js=TAB_IN_URL_JS.replace("{tab}", tab_id))
            if timers:
                tab.select(_timers_for(ctx, tab_id), None, timers, show_progress="hidden")
        ctx.bot_picker.change(None, ctx.bot_picker, None, js=BOT_IN_URL_JS)
        # names change on a save, bots come and go: the picker re-reads bots/ after each
        ctx.changed.change(
            lambda current: _picker(ctx, current),
            ctx.bot_picker,
            ctx.bot_picker,
            show_progress="hidden",
        )
        # A page load re-reads bots/ (files added by hand or in another tab show up), opens
        # the bot and tab the address names, then each tab fills itself for the picked bot.
        loaded = demo.load(
            _opening(ctx, [tab_id for tab_id, _ in built]),
            inputs=ctx.bot_picker,
            outputs=[ctx.bot_picker, ctx.tabs, *timers],
        )
        loaded.then(lambda: gr.update(visible=workspace.settings.has_password()), None, sign_out)
        for handler, inputs, outputs in ctx.on_load:
            loaded.then(handler, inputs, outputs)
    return demo


def _opening(ctx: StudioContext, tab_ids: list[str]):
    """The page load: the bot and tab named in the address (?bot=…&tab=…), else the
    first bot and tab; the opened tab's timer ticks."""

    def opening(current: str | None, request: gr.Request):
        params = request.query_params if request is not None else {}
        wanted, tab = params.get("bot"), params.get("tab")
        tab = tab if tab in tab_ids else None
        picker = _picker(ctx, current, wanted)
        # No tab named: leave the tabs alone (gr.skip), since a user may already have
        # opened one while the page was loading, and an update would switch it back.
        shown = gr.Tabs(selected=tab) if tab else gr.skip()
        return [picker, shown, *_timers_for(ctx, tab or tab_ids[0])()]

    return opening


def _timers_for(ctx: StudioContext, shown: str):
    """Start the timers of the tab being shown, stop the others'."""
    return lambda: [gr.Timer(active=tab_id == shown) for tab_id in ctx.timers]


def _picker(ctx: StudioContext, current: str | None, wanted: str | None = None):
    """The picker with bots/ read again. Its value is set only when it must change (the
    address names another bot, or the picked one is gone): `current` is what was picked
    when the event started, and the user may have picked another since."""
    ids = ctx.workspace.bots.ids()
    if wanted in ids and wanted != current:
        return gr.update(choices=ctx.bot_choices(), value=wanted)
    if current in ids:
        return gr.update(choices=ctx.bot_choices())
    return gr.update(choices=ctx.bot_choices(), value=ids[0] if ids else None)


def mount_studio(
    app: FastAPI, workspace: Workspace, lang: str, limits: Limits | None = None
) -> None:
    limits = limits or Limits()
    on_shutdown: list = []
    demo = build_studio(workspace, lang, app.state.hub, limits, on_shutdown)
    gr.mount_gradio_app(
        app,
        demo,
        path=f"/studio/{lang}",
        theme=theme(),
        css=CSS,
        footer_links=[],
        show_error=True,
        ssr_mode=False,
        max_file_size=limits.model_file,  # per kind of file: runtime/web/limits.py
        js=GRADIO_LOCALE_JS.replace("{locale}", GRADIO_LOCALES[lang]),
    )
    _poll_less(demo)
    _at_shutdown(app, on_shutdown)


def _poll_less(demo: gr.Blocks) -> None:
    """Slow the queue's idle polling (see QUEUE_POLL_SECONDS). Gradio has no setting
    for it: its attributes are set where they exist, and left alone where a later
    Gradio has none."""
    queue = getattr(demo, "_queue", None)
    if queue is None:
        return
    if hasattr(queue, "sleep_when_free"):
        queue.sleep_when_free = max(queue.sleep_when_free, QUEUE_POLL_SECONDS)
    if hasattr(queue, "progress_update_sleep_when_free"):
        queue.progress_update_sleep_when_free = max(
            queue.progress_update_sleep_when_free, PROGRESS_POLL_SECONDS
        )


def _at_shutdown(app: FastAPI, callbacks: list) -> None:
    """Run `callbacks` when the server stops, in the app's lifespan: uvicorn ends the
    process by the signal it was stopped with, so atexit would never run."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application):
        try:
            async with inner(application) as state:
                yield state
        finally:
            for callback in callbacks:
                callback()

    app.router.lifespan_context = lifespan
