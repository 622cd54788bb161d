"""线索 Leads: the current bot's leads with filters, the conversation behind one, erasure
(asks first), a CSV export that opens in Excel with Chinese intact, and, for a 微信客服
customer, their WeChat nickname, where they came from, and 转人工 (a person takes over).

The CSV holds phone numbers, so it is written only when the export button is pressed,
readable by its owner only, where Gradio serves it without a copy of its own
(studio/downloads.py); earlier exports are removed, and the rest when the server stops.
"""

from __future__ import annotations

from datetime import date, datetime

import gradio as gr

from runtime.channels.wecom.kf_accounts import bound_account
from runtime.channels.wecom.kf_handover import hand_over_from_studio
from runtime.leads.export import FIXED, STUDIO_PREFIX, person, row, write_csv
from runtime.wecom.kf import KfClient
from runtime.wecom.kf_customers import KfCustomers
from studio.context import StudioContext
from studio.downloads import PrivateDownloads
from studio.lists import ListDropdown

ALL = ""

# The download itself: once the click handler has put the new file in the button, the
# browser fetches it (the button alone would download the value it had before the click).
DOWNLOAD_JS = """(file) => { if (!file || !file.url) return;
  const link = document.createElement('a'); link.href = file.url;
  link.download = file.orig_name || file.url.split('/').pop(); document.body.appendChild(link);
  link.click(); link.remove(); }"""


def build(ctx: StudioContext) -> None:
    t = ctx.t
    workspace = ctx.workspace
    with gr.Row(equal_height=True):
        variant = ListDropdown(
            label=t("leads.variant"),
            choices=[(t("leads.all"), ALL)],
            value=ALL,
            elem_id="leads-variant",
        )
        states = [(t("leads.all"), ALL), (t("leads.converted"), "yes")]
        states.append((t("leads.not_converted"), "no"))
        converted = gr.Radio(states, value=ALL, label=t("leads.state"))
        since = gr.Textbox(label=t("leads.since"), placeholder="2026-11-01", elem_id="leads-since")
        refresh = gr.Button(t("leads.refresh"), elem_id="leads-refresh")
    table = gr.Dataframe(interactive=False, wrap=True, elem_id="leads-table")
    with gr.Row(equal_height=True):
        who = ListDropdown(label=t("leads.person"), choices=[], elem_id="leads-person", scale=2)
        handover = gr.Button(t("leads.handover"), elem_id="leads-handover", scale=1)
        delete = gr.Button(t("leads.delete"), variant="stop", elem_id="leads-delete", scale=1)
        confirm = gr.Button(
            t("leads.confirm_delete"),
            variant="stop",
            visible=False,
            elem_id="leads-confirm",
            scale=1,
        )
        export = gr.DownloadButton(t("leads.export"), elem_id="leads-export", scale=1)
    status = gr.Markdown(elem_id="leads-status")
    chat = gr.Chatbot(label=t("leads.conversation"), height=320, elem_id="leads-chat")

    exports = PrivateDownloads()
    ctx.on_shutdown.append(exports.remove_all)

    def filtered(bot_id, variant_id, state, since_text):
        leads = workspace.leads.list(bot_id)
        if variant_id:
            leads = [lead for lead in leads if lead.variant == variant_id]
        if state:
            leads = [lead for lead in leads if lead.converted == (state == "yes")]
        try:
            start = date.fromisoformat(since_text.strip()) if (since_text or "").strip() else None
        except ValueError:
            start = None
        if start:
            leads = [
                lead for lead in leads if datetime.fromtimestamp(lead.updated_at).date() >= start
            ]
        return leads

    def nicknames(bot_id: str, users: list[str]) -> dict[str, str]:
        """微信客服 customers' WeChat nicknames (cached; none when WeCom cannot be asked)."""
        account = bound_account(workspace.bindings, bot_id)
        customers = [u for u in users if not u.startswith(STUDIO_PREFIX)]
        if account is None or not customers:
            return {}
        client = KfClient(account.corp_id, account.secret, timeout=5)
        return KfCustomers(workspace.journal).nicknames(client, customers)

    def named(user: str, names: dict[str, str]) -> str:
        who = person(user, ctx.lang)
        return t("leads.nickname", name=names[user], user=who) if user in names else who

    def listing(bot_id, variant_id, state, since_text):
        spec = ctx.spec(bot_id)
        if spec is None:
            return gr.update(value=[]), gr.update(choices=[]), gr.update()
        leads = filtered(bot_id, variant_id, state, since_text)
        names = nicknames(spec.id, [lead.user for lead in leads])
        rows = [[named(lead.user, names), *row(spec, lead, ctx.lang)[1:]] for lead in leads]
        labels = [t(f"leads.col.{c}") for c in FIXED]
        labels += [fld.label for fld in spec.lead_capture.fields]
        variants = [(t("leads.all"), ALL)] + [(v, v) for v in spec.variant_ids()]
        return (
            gr.update(value=rows or None, headers=labels),
            gr.update(choices=[(named(lead.user, names), lead.user) for lead in leads]),
            gr.update(choices=variants),
        )

    def export_csv(bot_id, variant_id, state, since_text):
        """The leads as listed, as a CSV file: written now, on the click."""
        spec = ctx.spec(bot_id)
        if spec is None:
            return None
        path = exports.new_file(f"{bot_id}-leads.csv")
        write_csv(spec, filtered(bot_id, variant_id, state, since_text), path, ctx.lang)
        return str(path)

    def conversation(bot_id, user):
        if not bot_id or not user:
            return []
        lead = workspace.leads.get(bot_id, user)
        conv = lead.conversation if lead else user
        return [
            {"role": m.role, "content": m.content}
            for m in workspace.conversations.history(bot_id, conv)
        ]

    def hand_over(bot_id, user):
        spec = ctx.spec(bot_id)
        if spec is None or not user:
            return t("bots.pick_first")
        done = hand_over_from_studio(ctx.hub.outbox, workspace.bindings, spec, user)
        return t(f"leads.handover.{done}", user=named(user, nicknames(spec.id, [user])))

    def ask(user):
        if not user:
            return gr.update(visible=False), t("bots.pick_first")
        return gr.update(visible=True), t("leads.ask_delete", user=person(user, ctx.lang))

    def erase(bot_id, user, variant_id, state, since_text):
        workspace.leads.delete(bot_id, user)
        listed = listing(bot_id, variant_id, state, since_text)
        done = t("leads.deleted", user=person(user, ctx.lang))
        return (gr.update(visible=False), done, [], *listed)

    inputs = [ctx.bot_picker, variant, converted, since]
    outputs = [table, who, variant]
    for trigger in (refresh.click, converted.change, variant.input, since.submit):
        trigger(listing, inputs, outputs)
    ctx.bot_picker.change(listing, inputs, outputs)
    ctx.on_load.append((listing, inputs, outputs))

    def current(bot_id, variant_id, state, since_text, user):
        """What is in the journal now: new leads and the open conversation as it grew."""
        return (*listing(bot_id, variant_id, state, since_text), conversation(bot_id, user))

    ctx.refresh(current, [*inputs, who], [*outputs, chat], every=True)
    exported = export.click(export_csv, inputs, export)
    downloaded = exported.then(None, export, None, js=DOWNLOAD_JS)
    downloaded.then(lambda: None, None, export)  # the next click exports again, not this file
    who.change(conversation, [ctx.bot_picker, who], chat)
    delete.click(ask, who, [confirm, status])
    handover.click(hand_over, [ctx.bot_picker, who], status)
    confirm.click(erase, [ctx.bot_picker, who, *inputs[1:]], [confirm, status, chat, *outputs])
