"""试聊 Try: chat with the bot as a simulated customer, in a chosen variant; replies stream.
The side panel shows the lead fields and the exact prompt the model received."""

from __future__ import annotations

import gradio as gr

from runtime.spec import SpecError
from studio.context import StudioContext
from studio.streaming import drain
from studio.tabs.errors import EXPECTED, explain, stats_line

CONVERSATION_PREFIX = "studio:"  # studio conversations never mix with real customers'


def _conversation(user: str) -> str:
    return CONVERSATION_PREFIX + ((user or "").strip() or "tester")


def build(ctx: StudioContext) -> None:
    dialogue = ctx.workspace.dialogue
    with gr.Row():
        with gr.Column(scale=3):
            chat = gr.Chatbot(
                label=ctx.t("try.chat"),
                height=460,
                elem_id="try-chat",
                buttons=["copy"],
                layout="bubble",
            )
            with gr.Row(equal_height=True):
                message = gr.Textbox(
                    placeholder=ctx.t("try.placeholder"),
                    show_label=False,
                    scale=5,
                    elem_id="try-message",
                )
                send = gr.Button(ctx.t("try.send"), variant="primary", scale=1, elem_id="try-send")
            with gr.Row():
                stats = gr.Markdown(elem_classes="stats", elem_id="try-stats")
                reset = gr.Button(ctx.t("try.reset"), size="sm", scale=0, elem_id="try-reset")
        with gr.Column(scale=2):
            user = gr.Textbox(
                value="tester",
                label=ctx.t("try.user"),
                info=ctx.t("try.user_help"),
                elem_id="try-user",
            )
            variant = gr.Dropdown(label=ctx.t("try.variant"), choices=[], elem_id="try-variant")
            with gr.Accordion(ctx.t("try.leads"), open=True):
                leads = gr.Markdown(elem_id="try-leads")
            with gr.Accordion(ctx.t("try.prompt"), open=False):
                prompt = gr.Code(language=None, lines=12, elem_id="try-prompt", interactive=False)

    def lead_panel(bot_id: str | None, who: str = "") -> str:
        spec = ctx.spec(bot_id)
        if spec is None or not spec.lead_capture.fields:
            return ctx.t("try.no_lead_fields")
        lead = ctx.workspace.leads.get(bot_id, _conversation(who))
        lines = [f"| {ctx.t('try.lead_field')} | {ctx.t('try.lead_value')} |", "|---|---|"]
        for fld in spec.lead_capture.fields:
            if lead and fld.key in lead.declined:
                shown = ctx.t("try.declined")
            elif lead and fld.key in lead.fields:
                shown = f"**{lead.value(fld.key)}**"
            else:
                shown = ctx.t("try.not_captured")
            lines.append(f"| {fld.label} | {shown} |")
        if lead and lead.converted:
            lines.append(f"\n✅ {ctx.t('try.converted')}")
        return "\n".join(lines)

    def open_conversation(bot_id: str | None, who: str, variant_id: str | None):
        """The conversation so far (greeting first, for a new one), the variants, the lead panel."""
        if not bot_id:
            return [], gr.update(choices=[], value=None), "", ""
        try:
            spec = dialogue.spec(bot_id)
        except (KeyError, SpecError) as exc:
            return [], gr.update(choices=[], value=None), "", explain(ctx, exc)
        ids = spec.variant_ids()
        chosen = variant_id if variant_id in ids else (ids[0] if ids else "")
        conversation = _conversation(who)
        dialogue.greet(bot_id, conversation, chosen or None)
        history = ctx.workspace.conversations.history(bot_id, conversation)
        messages = [{"role": turn.role, "content": turn.content} for turn in history]
        choices = [(v, v) for v in ids] or [(ctx.t("try.no_variants"), "")]
        return messages, gr.update(choices=choices, value=chosen), lead_panel(bot_id, who), ""

    def respond(bot_id: str | None, who: str, variant_id: str | None, text: str, history: list):
        text = (text or "").strip()
        if not bot_id or not text:
            yield history, text, gr.update(), gr.update(), gr.update()
            return
        history = [
            *history,
            {"role": "user", "content": text},
            {"role": "assistant", "content": ""},
        ]
        yield history, "", gr.update(), ctx.t("try.thinking"), gr.update()
        try:
            reply = dialogue.reply(bot_id, _conversation(who), text, variant_id or None)
        except EXPECTED as exc:
            history[-1]["content"] = f"⚠️ {explain(ctx, exc)}"
            yield history, "", gr.update(), "", gr.update()
            return
        shown = reply.generation.prompt_text
        for chunk in drain(reply):
            history[-1]["content"] += chunk
            yield history, "", shown, gr.update(), gr.update()
        history[-1]["content"] = reply.text  # the blocked_reply, if a blocked word came out
        stats = stats_line(ctx, reply.generation.stats, reply.text)
        if reply.lead is not None and reply.lead.converted_now and ctx.hub is not None:
            ctx.hub.responder.alert(dialogue.spec(bot_id), reply.lead.lead)  # as in WeCom
        yield history, "", shown, stats, lead_panel(bot_id, who)

    def on_reset(bot_id: str | None, who: str, variant_id: str | None):
        if bot_id:
            dialogue.reset(bot_id, _conversation(who))
        messages, variants, panel, note = open_conversation(bot_id, who, variant_id)
        return messages, variants, panel, note or ctx.t("try.was_reset")

    def rate(bot_id: str | None, who: str, variant_id: str | None, data: gr.LikeData):
        """👍/👎 under a reply: a team rating of this variant, kept apart from customers'."""
        if not bot_id:
            return gr.update()
        value = 1 if data.liked is True else -1 if data.liked is False else 0
        dialogue.feedback(bot_id, _conversation(who), value, str(data.index), "studio",
                          variant=variant_id or None)  # fmt: skip
        return ctx.t("try.rated")

    opened = [chat, variant, leads, stats]
    chat.like(rate, [ctx.bot_picker, user, variant], stats)
    ctx.bot_picker.change(open_conversation, [ctx.bot_picker, user, variant], opened)
    user.submit(open_conversation, [ctx.bot_picker, user, variant], opened)
    ctx.on_load.append((open_conversation, [ctx.bot_picker, user, variant], opened))
    reset.click(on_reset, [ctx.bot_picker, user, variant], opened)
    inputs = [ctx.bot_picker, user, variant, message, chat]
    send.click(respond, inputs, [chat, message, prompt, stats, leads])
    message.submit(respond, inputs, [chat, message, prompt, stats, leads])
