"""定时 Schedules: the bot's scheduled pushes with their next run times, a plain-language
cron helper, pause and resume, "run now", and what each run sent."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import gradio as gr
from pydantic import ValidationError

from runtime.schedules import cron
from runtime.schedules.figures import FIGURES
from runtime.spec import BotSpec
from runtime.spec.errors import problems_from_validation
from runtime.spec.schedule import Schedule
from runtime.spec.yaml_io import LoadedYaml
from studio.context import StudioContext
from studio.lists import ListDropdown, kept

NEW = "__new__"
CUSTOM = "custom"


def build(ctx: StudioContext) -> None:
    t = ctx.t
    workspace = ctx.workspace
    scheduler = ctx.hub.scheduler  # the running server's: "run now" pushes through its outbox
    gr.Markdown(t("sched.help"), elem_classes="help")
    listing = gr.Dataframe(interactive=False, elem_id="sched-table")
    with gr.Row(equal_height=True):
        picked = ListDropdown(label=t("sched.pick"), choices=[], elem_id="sched-pick", scale=2)
        run_now = gr.Button(t("sched.run_now"), elem_id="sched-run", scale=1)
        toggle = gr.Button(t("sched.pause"), elem_id="sched-toggle", scale=1)
        delete = gr.Button(t("sched.delete"), variant="stop", elem_id="sched-delete", scale=1)
    with gr.Group():
        with gr.Row():
            sched_id = gr.Textbox(label=t("sched.id"), info=t("sched.id_help"), elem_id="sched-id")
            frequency = gr.Dropdown(
                label=t("sched.frequency"),
                choices=[(t(key), key) for _, key in cron.PRESETS] + [(t("sched.custom"), CUSTOM)],
                value="cron.weekdays",
                elem_id="sched-frequency",
            )
            clock = gr.Textbox(label=t("sched.time"), value="09:00", elem_id="sched-time")
            cron_line = gr.Textbox(
                label=t("sched.cron"),
                value="0 9 * * 1-5",
                info=t("sched.cron_help"),
                elem_id="sched-cron",
            )
        meaning = gr.Markdown(elem_id="sched-meaning")
        with gr.Row():
            kind = gr.Radio(
                [(t("sched.kind_text"), "text"), (t("sched.kind_prompt"), "prompt")],
                value="text",
                label=t("sched.kind"),
                elem_id="sched-kind",
            )
            target = gr.Radio(
                [(t("wecom.mode.webhook"), "webhook"), (t("wecom.mode.alert_webhook"), "alert")],
                value="webhook",
                label=t("sched.to"),
                elem_id="sched-to",
            )
            zone = gr.Textbox(label=t("sched.timezone"), value="Asia/Shanghai", elem_id="sched-tz")
        names = ", ".join("{" + f + "}" for f in FIGURES)
        body = gr.Textbox(
            lines=4,
            label=t("sched.body"),
            elem_id="sched-body",
            info=t("sched.figures", names=names),
        )
        save = gr.Button(t("sched.save"), variant="primary", elem_id="sched-save")
    status = gr.Markdown(elem_id="sched-status")
    gr.Markdown(f"#### {t('sched.history')}")
    history = gr.Dataframe(interactive=False, elem_id="sched-history")

    def when(moment: float | None, zone_name: str) -> str:
        if moment is None:
            return "—"
        return datetime.fromtimestamp(moment, ZoneInfo(zone_name)).strftime("%m-%d %H:%M")

    def show(bot_id: str | None, choice: str | None = None):
        spec = ctx.spec(bot_id)
        schedules = spec.schedules if spec else []
        rows = [
            [
                s.id,
                cron.describe(s.cron, ctx.lang),
                t("sched.paused") if s.paused else when(scheduler.next_run(spec, s), s.timezone),
                t("sched.kind_text") if s.text is not None else t("sched.kind_prompt"),
                (s.text if s.text is not None else s.prompt or "")[:60],
                t("wecom.mode.webhook") if s.to == "webhook" else t("wecom.mode.alert_webhook"),
            ]
            for s in schedules
        ]
        headers = [t(f"sched.col.{c}") for c in ("id", "when", "next", "kind", "body", "to")]
        ids = [s.id for s in schedules]
        choice = choice if choice in ids else (ids[0] if ids else NEW)
        choices = [(s, s) for s in ids] + [(t("sched.new"), NEW)]
        return (
            gr.update(value=rows or None, headers=headers),
            gr.update(choices=choices, value=choice),
        )

    def fill(bot_id: str | None, choice: str | None):
        """The form for the picked schedule (or an empty one), its history, the pause label."""
        spec = ctx.spec(bot_id)
        found = next((s for s in spec.schedules if s.id == choice), None) if spec else None
        if found is None:
            line = "0 9 * * 1-5"
            return (
                "",
                "cron.weekdays",
                "09:00",
                line,
                cron.describe(line, ctx.lang),
                "text",
                "webhook",
                spec.timezone if spec else "Asia/Shanghai",
                "",
                gr.update(value=t("sched.pause")),
                gr.update(value=None),
            )
        parts = found.cron.split()
        guess = next(
            (
                k
                for c, k in cron.PRESETS
                if c.split()[2:] == parts[2:] and (k == "cron.hourly") == (parts[1] == "*")
            ),
            CUSTOM,
        )
        simple = parts[0].isdigit() and parts[1].isdigit()
        time_of_day = f"{parts[1]}:{int(parts[0]):02d}" if simple else ""
        return (
            found.id,
            guess,
            time_of_day,
            found.cron,
            cron.describe(found.cron, ctx.lang),
            "text" if found.text is not None else "prompt",
            found.to,
            found.timezone,
            found.text if found.text is not None else found.prompt,
            gr.update(value=t("sched.resume") if found.paused else t("sched.pause")),
            runs(bot_id, found.id),
        )

    def runs(bot_id: str, schedule_id: str):
        spec = ctx.spec(bot_id)
        zone_name = spec.timezone if spec else "Asia/Shanghai"
        rows = [
            [
                when(r.started_at, zone_name),
                t(f"sched.trigger.{r.trigger}"),
                t(f"sched.state.{r.state}") + (f" (+{r.missed})" if r.missed else ""),
                (r.text or "")[:80],
                r.error or "",
            ]
            for r in scheduler.history(bot_id, schedule_id, lang=ctx.lang)
        ]
        headers = [t(f"sched.col.{c}") for c in ("at", "trigger", "state", "sent", "error")]
        return gr.update(value=rows or None, headers=headers)

    def helper(kind_choice: str, time_text: str, current: str):
        """The cron line for a helper choice and a time of day; custom keeps what is typed."""
        if kind_choice == CUSTOM:
            return current, cron.describe(current, ctx.lang)
        try:
            hour, minute = (int(x) for x in (time_text or "").strip().split(":"))
            assert 0 <= hour < 24 and 0 <= minute < 60
        except (ValueError, AssertionError):
            return current, f"⚠️ {t('sched.bad_time', value=time_text)}"
        line = cron.preset(kind_choice, hour, minute)
        return line, cron.describe(line, ctx.lang)

    def save_it(bot_id, choice, new_id, line, kind_choice, to, zone_name, text):
        spec = ctx.spec(bot_id)
        if spec is None:
            return (t("sched.no_bot"), *show(bot_id, choice))
        data = {
            "id": (new_id or "").strip(),
            "cron": (line or "").strip(),
            "timezone": (zone_name or "").strip(),
            "to": to,
            kind_choice: text or "",
        }
        old = next((s for s in spec.schedules if s.id == choice), None)
        if old is not None:
            data["paused"] = old.paused
        try:
            schedule = Schedule.model_validate(data)
        except ValidationError as exc:
            found = problems_from_validation(exc, LoadedYaml(data), Schedule, ctx.lang)
            return ("⚠️ " + "  \n".join(p.message for p in found), *show(bot_id, choice))
        others = [s for s in spec.schedules if s.id != choice]
        if any(s.id == schedule.id for s in others):
            return (f"⚠️ {t('sched.duplicate', id=schedule.id)}", *show(bot_id, choice))
        position = [s.id for s in spec.schedules].index(choice) if old else len(others)
        others.insert(position, schedule)
        write(spec, others)
        return (
            f'<span class="status-ok">✔ {t("sched.saved", id=schedule.id)}</span>',
            *show(bot_id, schedule.id),
        )

    def write(spec: BotSpec, schedules: list[Schedule]) -> None:
        data = spec.model_dump(mode="json", exclude_unset=True)
        data["schedules"] = [s.model_dump(mode="json", exclude_unset=True) for s in schedules]
        workspace.bots.save(BotSpec.model_validate(data))
        scheduler.wake()  # the running scheduler picks the change up now, no restart

    def pause_or_resume(bot_id, choice):
        spec = ctx.spec(bot_id)
        found = next((s for s in spec.schedules if s.id == choice), None) if spec else None
        if found is None:
            return (t("sched.pick_first"), *show(bot_id, choice), gr.update(), gr.update())
        changed = found.model_copy(update={"paused": not found.paused})
        changed.model_fields_set.add("paused")
        write(spec, [changed if s.id == choice else s for s in spec.schedules])
        key = "sched.now_paused" if changed.paused else "sched.now_running"
        label = t("sched.resume") if changed.paused else t("sched.pause")
        return (t(key, id=choice), *show(bot_id, choice), label, runs(bot_id, choice))

    def remove(bot_id, choice):
        spec = ctx.spec(bot_id)
        if spec is None or not any(s.id == choice for s in spec.schedules):
            return (t("sched.pick_first"), *show(bot_id, choice))
        write(spec, [s for s in spec.schedules if s.id != choice])
        return (t("sched.deleted", id=choice), *show(bot_id, None))

    def run_it(bot_id, choice):
        spec = ctx.spec(bot_id)
        if spec is None or not any(s.id == choice for s in spec.schedules):
            return t("sched.pick_first"), gr.update()
        record = scheduler.run_now(bot_id, choice, lang=ctx.lang)
        if record.state == "failed":
            return f"⚠️ {t('sched.run_failed', error=record.error)}", runs(bot_id, choice)
        return f'<span class="status-ok">✔ {t("sched.run_queued")}</span>', runs(bot_id, choice)

    form = [
        sched_id,
        frequency,
        clock,
        cron_line,
        meaning,
        kind,
        target,
        zone,
        body,
        toggle,
        history,
    ]
    ctx.bot_picker.change(show, ctx.bot_picker, [listing, picked])
    ctx.on_load.append((show, ctx.bot_picker, [listing, picked]))

    def relisted(bot_id: str | None, choice: str | None):
        """Saved elsewhere: read again, keeping what is picked (and the form as it is)."""
        table, menu = show(bot_id, choice)
        return table, kept(menu, choice)

    ctx.refresh(relisted, [ctx.bot_picker, picked], [listing, picked])
    picked.change(fill, [ctx.bot_picker, picked], form)
    for trigger in (frequency.change, clock.change):
        trigger(helper, [frequency, clock, cron_line], [cron_line, meaning])
    cron_line.change(lambda line: cron.describe(line, ctx.lang), cron_line, meaning)
    ctx.bump(
        save.click(
            save_it,
            [ctx.bot_picker, picked, sched_id, cron_line, kind, target, zone, body],
            [status, listing, picked],
        )
    )
    ctx.bump(
        toggle.click(
            pause_or_resume, [ctx.bot_picker, picked], [status, listing, picked, toggle, history]
        )
    )
    ctx.bump(delete.click(remove, [ctx.bot_picker, picked], [status, listing, picked]))
    run_now.click(run_it, [ctx.bot_picker, picked], [status, history])
