"""试聊 Try: chat with the bot as a simulated customer, in a chosen variant; replies stream.
Under the chat, what the last reply used: the FAQ entry it answered from, or the
passages of the bot's documents it was given. The side panel shows the lead fields and
the exact prompt the model received."""

from __future__ import annotations

import html

import gradio as gr

from runtime.reply import Reply
from runtime.spec import SpecError
from studio.context import StudioContext
from studio.demo_model import notice_box
from studio.lists import ListDropdown, kept
from studio.streaming import drain
from studio.tabs.errors import EXPECTED, explain, stats_line

CONVERSATION_PREFIX = "studio:"  # studio conversations never mix with real customers'


def _conversation(user: str) -> str:
    return CONVERSATION_PREFIX + ((user or "").strip() or "tester")


def sources_html(ctx: StudioContext, reply: Reply) -> str:
    """What `reply` used: "" when neither the FAQ nor a document had a part in it."""
    lines = []
    faq = reply.faq
    if faq is not None and faq.best is not None:
        if faq.kind == "answer":
            lines.append(ctx.t("kbui.try.faq_answer", question=faq.best.entry.question))
        elif faq.kind == "ask":
            asked = " / ".join(m.entry.question for m in faq.matches)
            lines.append(ctx.t("kbui.try.faq_ask", questions=asked))
        elif faq.kind == "hint":
            lines.append(ctx.t("kbui.try.faq_hint", question=faq.best.entry.question))
    if reply.passages:
        lines.append(ctx.t("kbui.try.passages"))
        for hit in reply.passages:
            where = hit.passage.source
            if hit.passage.heading:
                where += f" · {hit.passage.heading}"
            lines.append(f"· {ctx.t('kbui.try.passage', where=where, score=f'{hit.score:.2f}')}")
    if not lines:
        return ""
    lines[0] = f"📚 {lines[0]}"
    return "".join(f"<div>{html.escape(line)}</div>" for line in lines)


def build(ctx: StudioContext) -> None:
    dialogue = ctx.workspace.dialogue
    notice_box(ctx, "try")  # the demo model writes nonsense in Chinese: say so here
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
                    label=ctx.t("try.message"),  # read by screen readers, not shown
                    show_label=False,
                    scale=5,
                    elem_id="try-message",
                )
                send = gr.Button(ctx.t("try.send"), variant="primary", scale=1, elem_id="try-send")
            sources = gr.HTML(elem_classes="stats", elem_id="try-sources")
            with gr.Row():
                stats = gr.Markdown(elem_classes="stats", elem_id="try-stats")
                reset = gr.Button(ctx.t("try.reset"), size="sm", scale=0, elem_id="try-reset")
            gr.Markdown(ctx.t("try.reset_help"), elem_classes="help", elem_id="try-reset-help")
        with gr.Column(scale=2):
            user = gr.Textbox(
                value=ctx.t("person.default"),
                label=ctx.t("try.user"),
                info=ctx.t("try.user_help"),
                elem_id="try-user",
            )
            variant = ListDropdown(label=ctx.t("try.variant"), choices=[], elem_id="try-variant")
            with gr.Accordion(ctx.t("try.leads"), open=True):
                leads = gr.Markdown(elem_id="try-leads")
            with gr.Accordion(ctx.t("try.prompt"), open=False):
                prompt = gr.Code(
                    language=None,
                    lines=12,
                    elem_id="try-prompt",
                    interactive=False,
                    label=ctx.t("try.prompt"),
                    show_label=False,
                )

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
        greeting = dialogue.resolve(bot_id, chosen or None).greeting
        note = ""
        if history and history[0].role == "assistant" and history[0].content != greeting:
            if len(history) == 1:  # nothing said yet: greet with the greeting as saved now
                dialogue.reset(bot_id, conversation)
                dialogue.greet(bot_id, conversation, chosen or None)
                history = ctx.workspace.conversations.history(bot_id, conversation)
            elif greeting:
                note = ctx.t("try.greeting_changed")
        messages = [{"role": turn.role, "content": turn.content} for turn in history]
        choices = [(v, v) for v in ids] or [(ctx.t("try.no_variants"), "")]
        return messages, gr.update(choices=choices, value=chosen), lead_panel(bot_id, who), note

    def respond(bot_id: str | None, who: str, variant_id: str | None, text: str, history: list):
        text = (text or "").strip()
        if not bot_id or not text:  # nothing to answer: say so, generate nothing
            said = ctx.t("bots.pick_first") if not bot_id else ctx.t("chat.empty")
            yield history, text, gr.update(), f"⚠️ {said}", gr.update(), gr.update()
            return
        history = [
            *history,
            {"role": "user", "content": text},
            {"role": "assistant", "content": ""},
        ]
        yield history, "", gr.update(), ctx.t("try.thinking"), gr.update(), ""
        try:
            reply = dialogue.reply(bot_id, _conversation(who), text, variant_id or None)
        except EXPECTED as exc:
            history[-1]["content"] = f"⚠️ {explain(ctx, exc)}"
            yield history, "", gr.update(), "", gr.update(), ""
            return
        shown = reply.generation.prompt_text
        for chunk in drain(reply):
            history[-1]["content"] += chunk
            yield history, "", shown, gr.update(), gr.update(), gr.update()
        history[-1]["content"] = reply.text  # the blocked_reply, if a blocked word came out
        stats = stats_line(ctx, reply.generation.stats, reply.text)
        if reply.lead is not None and reply.lead.converted_now:
            ctx.hub.responder.alert(dialogue.spec(bot_id), reply.lead.lead)  # as in WeCom
        yield history, "", shown, stats, lead_panel(bot_id, who), sources_html(ctx, reply)

    def on_reset(bot_id: str | None, who: str, variant_id: str | None):
        """A fresh window; what was said, and a lead captured from it, are kept (set aside
        under a new id, shown in 线索), never deleted."""
        if bot_id:
            dialogue.set_aside(bot_id, _conversation(who))
        messages, variants, panel, note = open_conversation(bot_id, who, variant_id)
        return messages, variants, panel, note or ctx.t("try.cleared")

    def reopened(bot_id: str | None, who: str, variant_id: str | None):
        """Shown again (tab opened, bot saved elsewhere): the stats line stays unless a note."""
        messages, variants, panel, note = open_conversation(bot_id, who, variant_id)
        return messages, kept(variants, variant_id), panel, note or gr.skip()

    def rate(bot_id: str | None, who: str, variant_id: str | None, data: gr.LikeData):
        """👍/👎 under a reply: a team rating of this variant, kept apart from customers'."""
        if not bot_id:
            return gr.update()
        value = 1 if data.liked is True else -1 if data.liked is False else 0
        dialogue.feedback(
            bot_id, _conversation(who), value, str(data.index), "studio", variant=variant_id or None
        )
        return ctx.t("try.rated")

    opened = [chat, variant, leads, stats]
    chat.like(rate, [ctx.bot_picker, user, variant], stats)
    ctx.bot_picker.change(open_conversation, [ctx.bot_picker, user, variant], opened)
    user.submit(open_conversation, [ctx.bot_picker, user, variant], opened)
    ctx.on_load.append((open_conversation, [ctx.bot_picker, user, variant], opened))
    ctx.refresh(reopened, [ctx.bot_picker, user, variant], opened)  # greeting, fields, variants
    reset.click(on_reset, [ctx.bot_picker, user, variant], opened)
    inputs = [ctx.bot_picker, user, variant, message, chat]
    replied = [chat, message, prompt, stats, leads, sources]
    send.click(respond, inputs, replied)
    message.submit(respond, inputs, replied)
    for cleared in (reset.click, ctx.bot_picker.change, user.submit):  # another conversation
        cleared(lambda: "", None, sources, show_progress="hidden")
