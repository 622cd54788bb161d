"""实验 Experiments: the A/B report in one sentence, the numbers, rates with their 95%
intervals as a chart, the sample-ratio warning, and "adopt the winner"."""

from __future__ import annotations

import html

import gradio as gr

from runtime.experiments.adopt import adopt
from runtime.experiments.report import SRM_ALARM, build_report, counts
from runtime.spec import SpecError
from studio.context import StudioContext


def chart(report: dict) -> str:
    """Rates as bars with their 95% intervals as whiskers, in plain SVG."""
    variants = report["variants"]
    if not variants:
        return ""
    top = max(0.05, *(v["ci_high"] for v in variants)) * 1.1
    width, row = 560, 38
    size = f'width="{width + 120}" height="{row * len(variants) + 24}"'
    parts = [f'<svg {size} xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">']
    for i, v in enumerate(variants):
        y = 10 + i * row
        scale = width / top
        bar, low, high = v["rate"] * scale, v["ci_low"] * scale, v["ci_high"] * scale
        colour = "#2563eb" if i else "#94a3b8"
        parts += [
            f'<text x="0" y="{y + 17}">{html.escape(v["id"])}</text>',
            f'<rect x="60" y="{y + 4}" width="{bar:.1f}" height="18" rx="4" fill="{colour}"/>',
            f'<line x1="{60 + low:.1f}" x2="{60 + high:.1f}" y1="{y + 13}" y2="{y + 13}" '
            'stroke="#0f172a" stroke-width="2"/>',
            f'<text x="{60 + max(bar, high) + 8:.1f}" y="{y + 17}">{v["rate"]:.1%}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


def build(ctx: StudioContext) -> None:
    t = ctx.t
    workspace = ctx.workspace
    advice = gr.Markdown(elem_id="exp-advice")
    warning = gr.Markdown(visible=False, elem_classes="section-error", elem_id="exp-srm")
    table = gr.Dataframe(interactive=False, elem_id="exp-table")
    picture = gr.HTML(elem_id="exp-chart")
    with gr.Row(equal_height=True):
        winner = gr.Dropdown(label=t("exp.winner"), choices=[], elem_id="exp-winner", scale=2)
        adopt_btn = gr.Button(t("exp.adopt"), variant="primary", elem_id="exp-adopt", scale=1)
        confirm = gr.Button(t("exp.confirm"), variant="stop", visible=False, elem_id="exp-confirm")
    status = gr.Markdown(elem_id="exp-status")
    gr.Markdown(t("exp.help"), elem_classes="help")

    def show(bot_id: str | None):
        empty = ("", gr.update(visible=False), gr.update(value=None), "", gr.update(choices=[]))
        if not bot_id:
            return empty
        try:
            spec = workspace.dialogue.spec(bot_id)
        except (KeyError, SpecError):
            return empty
        report = build_report(spec, counts(workspace.journal, spec), ctx.lang)
        rows = []
        for v in report["variants"]:
            p = "—" if v["p_value"] is None else f"{v['p_value']:.3g}"
            diff = (
                "—"
                if "diff" not in v
                else f"{v['diff']:+.1%} [{v['diff_low']:+.1%}, {v['diff_high']:+.1%}]"
            )
            chance = "—" if v["chance_to_win"] is None else f"{int(v['chance_to_win'] * 100)}%"
            rate = f"{v['rate']:.1%} [{v['ci_low']:.1%}, {v['ci_high']:.1%}]"
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
            chart(report),
            gr.update(choices=spec.variant_ids(), value=None),
        )

    def ask(choice: str | None):
        if not choice:
            return gr.update(visible=False), t("exp.pick_winner")
        return gr.update(visible=True), t("exp.ask", variant=choice)

    def do_adopt(bot_id: str | None, choice: str | None):
        spec = workspace.dialogue.spec(bot_id)
        report = build_report(spec, counts(workspace.journal, spec), ctx.lang)
        adopt(workspace.bots, spec, choice, report, workspace.data_dir / "experiments")
        done = f'<span class="status-ok">✔ {t("exp.adopted", variant=choice)}</span>'
        return (gr.update(visible=False), done, *show(bot_id))

    outputs = [advice, warning, table, picture, winner]
    ctx.bot_picker.change(show, ctx.bot_picker, outputs)
    ctx.on_load.append((show, ctx.bot_picker, outputs))
    adopt_btn.click(ask, winner, [confirm, status])
    confirm.click(do_adopt, [ctx.bot_picker, winner], [confirm, status, *outputs])
