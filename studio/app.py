"""The studio: a Gradio Blocks app, one module per tab, mounted once per language.

The language is a path (/studio/zh/, /studio/en/): the same code builds both, and
switching language in Settings just goes to the other path.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from a closed network

import gradio as gr
from fastapi import FastAPI

from runtime.workspace import Workspace
from studio.context import StudioContext
from studio.tabs import (
    bots,
    compare,
    edit,
    experiments,
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
    (compare, "compare", "tab.compare"),
    (leads, "leads", "tab.leads"),
    (experiments, "experiments", "tab.experiments"),
    (schedules, "schedules", "tab.schedules"),
    (wecom, "wecom", "tab.wecom"),
    (models, "models", "tab.models"),
    (settings, "settings", "tab.settings"),
]


def build_studio(workspace: Workspace, lang: str, hub=None) -> gr.Blocks:
    ctx = StudioContext(workspace, lang, hub)
    with gr.Blocks(title="BotStudio", analytics_enabled=False, fill_width=True) as demo:
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
        with gr.Tabs(elem_id="tabs"):
            for module, tab_id, label in TABS:
                with gr.Tab(ctx.t(label), id=tab_id, elem_id=f"tab-{tab_id}"):
                    module.build(ctx)
        # A page load re-reads bots/ (files added by hand or in another tab show up),
        # then each tab fills itself for the picked bot.
        loaded = demo.load(
            lambda current: gr.update(choices=ctx.bot_choices(), value=_keep(ctx, current)),
            inputs=ctx.bot_picker,
            outputs=ctx.bot_picker,
        )
        for handler, inputs, outputs in ctx.on_load:
            loaded.then(handler, inputs, outputs)
    return demo


def _keep(ctx: StudioContext, current: str | None) -> str | None:
    ids = ctx.workspace.bots.ids()
    return current if current in ids else (ids[0] if ids else None)


def mount_studio(app: FastAPI, workspace: Workspace, lang: str) -> None:
    demo = build_studio(workspace, lang, getattr(app.state, "hub", None))
    gr.mount_gradio_app(
        app,
        demo,
        path=f"/studio/{lang}",
        theme=theme(),
        css=CSS,
        footer_links=[],
        show_error=True,
        ssr_mode=False,
    )
