"""实验 Experiments: the A/B report in one sentence, the numbers, rates with their 95%
intervals as a chart, the sample-ratio warning, and "adopt the winner"."""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass

import gradio as gr

from runtime.experiments.adopt import adopt
from runtime.experiments.rehearse import Rehearsal, Run, describe, parse_customers, sample_customers
from runtime.experiments.report import SRM_ALARM, report_for
from runtime.inbox import CHANNEL_FAMILIES, Inbox
from runtime.spec import SpecError
from runtime.store.sources import Sources
from studio import charts
from studio.context import StudioContext
from studio.lists import ListDropdown
from studio.tabs.errors import explain

MAX_RUNS = 20  # conversations per simulated customer, from the studio
ALL_SOURCES = ""


@dataclass(frozen=True)
class Running:
    """A rehearsal under way in one browser session: what its Stop button reaches."""

    stop: threading.Event
    steps: queue.Queue


def chart(report: dict, no_data: str) -> str:
    return charts.rates_with_intervals(
        [
            (v["id"], None if v.get("no_data") else v["rate"], v["ci_low"], v["ci_high"])
            for v in report["variants"]
        ],
        no_data,
    )


def timeline(report: dict, title: str) -> str:
    days = [row["day"] for row in report["conversions_by_day"]]
    series = {
        v["id"]: [row.get(v["id"], 0) for row in report["conversions_by_day"]]
        for v in report["variants"]
    }
    return charts.daily(title, days, series)


def build(ctx: StudioContext) -> None:
    t = ctx.t
    workspace = ctx.workspace
    with gr.Row(equal_height=True):
        source = ListDropdown(  # one channel's or one campaign's customers only
            label=t("exp.who"),
            choices=[(t("who.all"), ALL_SOURCES)],
            value=ALL_SOURCES,
            elem_id="exp-source",
            scale=1,
        )
        gr.Markdown(t("exp.who_help"), elem_classes="help")
    advice = gr.Markdown(elem_id="exp-advice")
    warning = gr.Markdown(visible=False, elem_classes="section-error", elem_id="exp-srm")
    table = gr.Dataframe(interactive=False, elem_id="exp-table")
    with gr.Row():
        picture = gr.HTML(elem_id="exp-chart")
        over_time = gr.HTML(elem_id="exp-timeline")
    behaviour = gr.Dataframe(interactive=False, elem_id="exp-behaviour")
    with gr.Row(equal_height=True):
        # custom values allowed: a variant deleted in 编辑 while picked here is refused in
        # words by ask/do_adopt, not by Gradio in English
        winner = gr.Dropdown(
            label=t("exp.winner"),
            choices=[],
            allow_custom_value=True,
            elem_id="exp-winner",
            scale=2,
        )
        adopt_btn = gr.Button(t("exp.adopt"), variant="primary", elem_id="exp-adopt", scale=1)
        confirm = gr.Button(t("exp.confirm"), variant="stop", visible=False, elem_id="exp-confirm")
    status = gr.Markdown(elem_id="exp-status")
    gr.Markdown(t("exp.help"), elem_classes="help")
    with gr.Accordion(t("rehearse.title"), open=False, elem_id="rehearse"):
        gr.Markdown(t("rehearse.help"), elem_classes="help")
        with gr.Row():
            customers = gr.Code(
                language="yaml",
                lines=14,
                label=t("rehearse.customers"),
                elem_id="rehearse-customers",
                scale=3,
            )
            with gr.Column(scale=1):
                # no minimum/maximum here: Gradio would refuse in English; checked below
                runs = gr.Number(
                    value=1,
                    label=t("rehearse.runs"),
                    elem_id="rehearse-runs",
                    info=t("range.closed", low=1, high=MAX_RUNS),
                )
                start = gr.Button(t("rehearse.start"), variant="primary", elem_id="rehearse-start")
                halt = gr.Button(t("rehearse.stop"), variant="stop", elem_id="rehearse-stop")
        progress = gr.Markdown(elem_id="rehearse-progress")
        columns = ("variant", "runs", "conversions", "rate", "turns", "captured", "chance")
        rehearsal_table = gr.Dataframe(
            headers=[t(f"exp.col.{c}") for c in columns],
            interactive=False,
            elem_id="rehearse-table",
        )

    def show(bot_id: str | None, picked: str | None = ALL_SOURCES):
        empty = (
            "",
            gr.update(visible=False),
            gr.update(value=None),
            "",
            "",
            gr.update(value=None),
            gr.update(choices=[]),
            gr.update(choices=[(t("who.all"), ALL_SOURCES)], value=ALL_SOURCES),
        )
        spec = ctx.spec(bot_id)
        if spec is None:
            return empty
        groups = who_choices(spec.id)
        picked = picked if picked in {value for _, value in groups} else ALL_SOURCES
        kind, _, name = (picked or "").partition(":")
        report = report_for(
            workspace.journal,
            spec,
            ctx.lang,
            source=name if kind == "source" else None,
            channel=name if kind == "channel" else None,
        )
        rows = []
        nothing = t("exp.no_data")  # a group with nobody in it: no rate, no difference
        control_empty = bool(report["variants"]) and report["variants"][0]["no_data"]
        for index, v in enumerate(report["variants"]):
            p = "—" if v["p_value"] is None else f"{v['p_value']:.3g}"
            if "diff" in v:
                diff = f"{v['diff']:+.1%} [{v['diff_low']:+.1%}, {v['diff_high']:+.1%}]"
            else:
                diff = nothing if index and (v["no_data"] or control_empty) else "—"
            chance = "—" if v["chance_to_win"] is None else f"{int(v['chance_to_win'] * 100)}%"
            rate = f"{v['rate']:.1%} [{v['ci_low']:.1%}, {v['ci_high']:.1%}]"
            rate = nothing if v["no_data"] else rate
            rows.append([v["id"], v["users"], v["conversions"], rate, diff, p, chance])
        headers = [
            t(f"exp.col.{c}")
            for c in ("variant", "users", "conversions", "rate", "diff", "p", "chance")
        ]
        srm = report["srm_p"] < SRM_ALARM and len(report["variants"]) > 1
        return (
            f"### {report['advice']}",
            gr.update(visible=srm, value=t("exp.srm_warning", p=f"{report['srm_p']:.2g}")),
            gr.update(value=rows or None, headers=headers),
            chart(report, nothing),
            timeline(report, t("exp.over_time")),
            behaviour_table(report),
            # no value: a read that lands after the marketer picked a winner keeps the pick
            gr.update(choices=spec.variant_ids()),
            gr.update(choices=groups),
        )

    def who_choices(bot_id: str) -> list[tuple[str, str]]:
        """All customers, each channel they came by, each campaign they came from."""
        used = Inbox(workspace.journal).by_channel(bot_id)  # read once, not per channel
        channels = [c for c in CHANNEL_FAMILIES if c in used]
        return [
            (t("who.all"), ALL_SOURCES),
            *((t("who.channel", name=t(f"channel.{c}")), f"channel:{c}") for c in channels),
            *(
                (t("who.source", name=n), f"source:{n}")
                for n in Sources(workspace.journal).names(bot_id)
            ),
        ]

    def behaviour_table(report: dict):
        def shown(value, form: str) -> str:
            return "—" if value is None else form.format(value)

        rows = [
            [
                v["id"],
                v["replies"],
                shown(
                    v["median_latency_ms"] and v["median_latency_ms"] / 1000,
                    t("unit.seconds", value="{:.1f}"),
                ),
                shown(v["median_turns_to_conversion"], "{:g}"),
                shown(v["thumbs_up_rate"], "{:.0%}") + f" ({v['feedback']})",
                f"👍 {v['team_up']} · 👎 {v['team_down']}",
            ]
            for v in report["variants"]
        ]
        columns = ("variant", "replies", "latency", "turns", "thumbs", "team")
        return gr.update(value=rows or None, headers=[t(f"exp.col.{c}") for c in columns])

    def refusal(bot_id: str | None, choice: str | None) -> str | None:
        """Why this choice cannot be adopted, in words; None when it can."""
        if not choice:
            return t("exp.pick_winner")
        spec = ctx.spec(bot_id)
        if spec is None or choice not in spec.variant_ids():
            return t("exp.no_such_variant", variant=choice)
        return None

    def ask(bot_id: str | None, choice: str | None):
        why = refusal(bot_id, choice)
        if why:
            return gr.update(visible=False), why
        return gr.update(visible=True), t("exp.ask", variant=choice)

    def do_adopt(bot_id: str | None, choice: str | None, picked: str | None):
        why = refusal(bot_id, choice)
        if why:
            return (gr.update(visible=False), why, *show(bot_id, picked))
        spec = workspace.dialogue.spec(bot_id)
        report = report_for(workspace.journal, spec, ctx.lang)
        adopt(workspace.bots, spec, choice, report, workspace.data_dir / "experiments")
        done = f'<span class="status-ok">✔ {t("exp.adopted", variant=choice)}</span>'
        return (gr.update(visible=False), done, *show(bot_id, picked))

    def rehearse(bot_id: str | None, text: str, count: float | None):
        """Runs on a worker thread; progress lines stream in as each conversation ends.
        Yields (progress, table, the stop switch kept in this session's state)."""
        same = gr.update()
        if not bot_id:
            yield "", same, same
            return
        if count is None or count != int(count) or not 1 <= count <= MAX_RUNS:
            shown = "" if count is None else f"{count:g}"
            yield "⚠️ " + t("rehearse.bad_count", low=1, high=MAX_RUNS, value=shown), same, same
            return
        try:
            spec = workspace.dialogue.spec(bot_id)
        except (KeyError, SpecError) as exc:
            yield f"⚠️ {explain(ctx, exc)}", gr.update(value=None), same
            return
        try:
            plan = parse_customers((text or "").encode(), "customers.yaml", spec, ctx.lang)
        except SpecError as exc:  # say which line of the customers, not "the bot file"
            found = [t("rehearse.bad_line", line=p.line, message=p.message) for p in exc.problems]
            yield "⚠️ " + "  \n".join(found), gr.update(value=None), same
            return
        steps: queue.Queue = queue.Queue()
        rehearsal = Rehearsal(workspace.dialogue, ctx.lang)
        stop = threading.Event()

        def work() -> None:
            try:

                def step(done: int, total: int, result: Run) -> None:
                    steps.put(("step", describe(ctx.lang, done, total, result)))

                def turn(
                    done: int, total: int, customer: str, variant: str, at: int, turns: int
                ) -> None:
                    steps.put(
                        (
                            "turn",
                            t(
                                "rehearse.turn",
                                done=done,
                                total=total,
                                customer=customer,
                                variant=variant,
                                turn=at,
                                turns=turns,
                            ),
                        )
                    )

                report = rehearsal.run(spec, plan, int(count or 1), step, stop, on_turn=turn)
                steps.put(("done", report))
            except Exception as exc:  # shown in the tab, in words, not as a traceback
                steps.put(("error", exc))

        threading.Thread(target=work, name="rehearsal", daemon=True).start()
        # Stop reaches the worker through `stop` and this loop through `steps`: the loop stays
        # the only writer of the progress line, so a late line can never hide "stopped".
        running = Running(stop, steps)
        yield t("rehearse.starting"), same, running
        lines: list[str] = []
        try:
            while True:
                kind, value = steps.get()
                if kind == "turn":  # the conversation under way, under the ones that ended
                    yield "  \n".join([*lines[-7:], value]), same, same
                elif kind == "step":
                    lines.append(value)
                    yield "  \n".join(lines[-8:]), same, same
                elif kind == "stopping":
                    yield "  \n".join([*lines[-7:], t("rehearse.stopping")]), same, same
                elif kind == "error":
                    yield f"⚠️ {explain(ctx, value)}", same, None
                    return
                elif value["rehearsal"]["stopped"]:  # the conversations that ended, in a table
                    yield t("rehearse.stopped"), rehearsal_rows(value, spec), None
                    return
                else:
                    heading = f"### {t('rehearse.heading')} {value['advice']}"
                    yield heading, rehearsal_rows(value, spec), None
                    return
        finally:  # the page closed or the event was cancelled: the model is let go as well
            stop.set()

    def halt_rehearsal(running: Running | None) -> None:
        """The worker stops after the model's current reply, and no longer holds it."""
        if running is not None and not running.stop.is_set():
            running.stop.set()
            running.steps.put(("stopping", None))

    def rehearsal_rows(report: dict, spec):
        labels = {fld.key: fld.label for fld in spec.lead_capture.fields}  # words, not keys
        rows = []
        for v in report["variants"]:
            turns = v["median_turns_to_conversion"]
            captured = t("cron.and").join(
                f"{labels.get(k, k)} {r:.0%}" for k, r in v["capture_rates"].items()
            )
            rate = f"{v['rate']:.0%} [{v['ci_low']:.0%}, {v['ci_high']:.0%}]"
            rate = t("exp.no_data") if v.get("no_data") else rate
            chance = "—" if v["chance_to_win"] is None else f"{int(v['chance_to_win'] * 100)}%"
            rows.append(
                [
                    v["id"],
                    v["runs"],
                    v["conversions"],
                    rate,
                    "—" if turns is None else f"{turns:g}",
                    captured,
                    chance,
                ]
            )
        columns = ("variant", "runs", "conversions", "rate", "turns", "captured", "chance")
        return gr.update(value=rows or None, headers=[t(f"exp.col.{c}") for c in columns])

    def sample(bot_id: str | None) -> str:
        spec = ctx.spec(bot_id)
        return sample_customers(spec) if spec else ""

    outputs = [advice, warning, table, picture, over_time, behaviour, winner, source]
    chosen = [ctx.bot_picker, source]
    ctx.bot_picker.change(sample, ctx.bot_picker, customers)
    ctx.on_load.append((sample, ctx.bot_picker, customers))
    stopper = gr.State(None)  # this session's running rehearsal, for the Stop button
    start.click(rehearse, [ctx.bot_picker, customers, runs], [progress, rehearsal_table, stopper])
    halt.click(halt_rehearsal, stopper, None)

    def another_bot(bot_id: str | None):
        """Another bot's variants: the winner picked for the last one no longer applies."""
        *shown, winners, sources = show(bot_id)
        return (*shown, {**winners, "value": None}, sources)

    ctx.bot_picker.change(another_bot, ctx.bot_picker, outputs)
    ctx.on_load.append((show, chosen, outputs))
    source.input(show, chosen, outputs)
    ctx.refresh(show, chosen, outputs)  # people since, variants saved in 编辑; the pick stays
    adopt_btn.click(ask, [ctx.bot_picker, winner], [confirm, status])
    ctx.bump(confirm.click(do_adopt, [*chosen[:1], winner, source], [confirm, status, *outputs]))
