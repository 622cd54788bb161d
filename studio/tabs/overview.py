"""概览 Overview: whether all is well (the same answer as /healthz), and the picked bot's
last two weeks: replies, reply time, leads and conversions per day, what went wrong
in the last 24 hours, and how each campaign the customers came from is doing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import gradio as gr

from runtime.health import health
from runtime.overview import ChannelFigures, SourceFigures, by_channel, by_source, daily, errors
from runtime.wecom.reasons import delivery_error
from studio import charts
from studio.context import StudioContext


def build(ctx: StudioContext) -> None:
    t = ctx.t
    workspace = ctx.workspace
    with gr.Row(equal_height=True):
        verdict = gr.Markdown(elem_id="overview-health")
        refresh = gr.Button(t("overview.refresh"), size="sm", scale=0, elem_id="overview-refresh")
    with gr.Row():
        replies = gr.HTML(elem_id="overview-replies")
        speed = gr.HTML(elem_id="overview-speed")
    with gr.Row():
        leads = gr.HTML(elem_id="overview-leads")
        with gr.Column():
            gr.Markdown(f"#### {t('overview.errors')}")
            problems = gr.Dataframe(interactive=False, elem_id="overview-errors")
    with gr.Row():
        with gr.Column():
            gr.Markdown(f"#### {t('overview.channels')}")
            channels = gr.Dataframe(interactive=False, elem_id="overview-channels")
            gr.Markdown(t("overview.channels_help"), elem_classes="help")
        with gr.Column():
            gr.Markdown(f"#### {t('overview.sources')}")
            sources = gr.Dataframe(interactive=False, elem_id="overview-sources")

    def rate(converted: int, people: int) -> str:
        return f"{converted / people:.1%}" if people else "—"

    def channel_rows(figures: list[ChannelFigures]) -> dict:
        columns = ("channel", "people", "replies", "leads", "converted", "rate")
        rows = [
            [
                t(f"channel.{f['channel']}"),
                f["people"],
                f["replies"],
                f["leads"],
                f["converted"],
                rate(f["converted"], f["people"]),
            ]
            for f in figures
        ]
        return gr.update(
            value=rows or [[t("overview.no_channels"), "", "", "", "", ""]],
            headers=[t(f"overview.col.{c}") for c in columns],
        )

    def source_rows(figures: list[SourceFigures]) -> dict:
        headers = [
            t(f"overview.col.{c}") for c in ("source", "people", "leads", "converted", "rate")
        ]
        rows = [
            [
                f["source"] or t("source.none"),
                f["people"] or "—",
                f["leads"],
                f["converted"],
                rate(f["converted"], f["people"]),
            ]
            for f in figures
        ]
        return gr.update(
            value=rows or [[t("overview.no_sources"), "", "", "", ""]], headers=headers
        )

    def detail(e: dict) -> str:
        """What went wrong, in words: a delivery or schedule error in the studio's language;
        an unanswered message as the customer wrote it."""
        if e["what"] == "unanswered":
            return e["detail"]
        said = delivery_error(e["detail"], ctx.lang)
        return f"{e['schedule']}: {said}" if "schedule" in e else said

    def show(bot_id: str | None):
        report = health(workspace, lang=ctx.lang)
        if report["status"] == "ok":
            lines = [f"### ✅ {t('overview.all_well')}"]
        else:
            lines = [f"### ⚠️ {t('overview.attention')}", *(f"- {p}" for p in report["problems"])]
        lines.append(
            t(
                "overview.queues",
                backlog=report["outbox_backlog"],
                waiting=report["inbox_waiting"],
                models=len(report["models"]),
            )
        )
        spec = ctx.spec(bot_id)
        if spec is None:
            none = gr.update(value=None)
            return "\n\n".join(lines), "", "", "", none, none, none
        figures = daily(workspace.journal, spec)
        days = figures["days"]
        found = errors(workspace.journal, spec.id)
        zone = ZoneInfo(spec.timezone)
        rows = [
            [
                datetime.fromtimestamp(e["at"], zone).strftime("%m-%d %H:%M"),
                t(f"overview.what.{e['what']}"),
                detail(e),
            ]
            for e in found
        ]
        headers = [t("overview.col.at"), t("overview.col.what"), t("overview.col.detail")]
        return (
            "\n\n".join(lines),
            charts.daily(
                t("overview.replies"),
                days,
                {
                    t("overview.replies"): figures["replies"],
                    t("overview.faq_answers"): figures["faq_answers"],
                },
            ),
            charts.daily(
                t("overview.speed"),
                days,
                {t("overview.speed"): figures["median_reply_s"]},
                unit=t("unit.seconds_suffix"),
            ),
            charts.daily(
                t("overview.leads"),
                days,
                {
                    t("overview.new_leads"): figures["leads"],
                    t("overview.conversions"): figures["conversions"],
                },
            ),
            gr.update(value=rows or [["—", t("overview.none"), ""]], headers=headers),
            channel_rows(by_channel(workspace.journal, spec)),
            source_rows(by_source(workspace.journal, spec)),
        )

    outputs = [verdict, replies, speed, leads, problems, channels, sources]
    ctx.bot_picker.change(show, ctx.bot_picker, outputs)
    ctx.on_load.append((show, ctx.bot_picker, outputs))
    ctx.refresh(show, ctx.bot_picker, outputs, every=True)  # a push that failed a moment ago
    refresh.click(show, ctx.bot_picker, outputs)
