"""企业微信 → 微信客服 · 活动二维码: a contact link per campaign for the bot's kf account
(runtime/wecom/kf_links.py), each with its QR code to show, download and print. The picture
is sent inside the page (a data: address): nothing is written to disk for it."""

from __future__ import annotations

import base64
import html
from datetime import datetime

import gradio as gr

from runtime.wecom.kf import KfError
from runtime.wecom.kf_links import KfLink, KfLinkError, KfLinks, qr_png
from studio.context import StudioContext
from studio.lists import ListDropdown
from studio.tabs.kf_bind import bad, ok

COLUMNS = ("label", "url", "created")
QR_WIDTH = 240  # CSS pixels on screen; the file keeps its full size for print


def named_link(link: KfLink) -> str:
    """The campaign's name, its key beside it (the key alone when it is its name)."""
    return link.label if link.label == link.scene else f"{link.label}（{link.scene}）"


def qr_html(ctx: StudioContext, link: KfLink | None) -> str:
    """The link's QR code, its address and a download of the picture named after the
    campaign."""
    if link is None:
        return ""
    data = "data:image/png;base64," + base64.b64encode(qr_png(link.url)).decode()
    alt = html.escape(ctx.t("kfs.qr_alt", label=link.label), quote=True)
    url = html.escape(link.url, quote=True)
    shown = ctx.t("kfs.qr_link", url=f'<a href="{url}" target="_blank" rel="noopener">{url}</a>')
    name = html.escape(link.file_name, quote=True)
    return (
        f'<div class="kf-qr"><img src="{data}" alt="{alt}" width="{QR_WIDTH}"'
        f' height="{QR_WIDTH}" style="image-rendering: pixelated">'
        f'<p class="kf-qr-url">{shown}</p>'
        f'<p><a class="kf-qr-download" download="{name}" href="{data}">'
        f"⬇ {html.escape(ctx.t('kfs.download'))}</a></p></div>"
    )


def build(ctx: StudioContext) -> None:
    """The section, inside the tab being built."""
    t = ctx.t
    links = KfLinks(ctx.workspace.journal, ctx.workspace.bindings)
    with gr.Accordion(t("kfs.links_title"), open=False):
        gr.Markdown(t("kfs.links_help"), elem_classes="help")
        note = gr.Markdown(elem_id="kf-links-note")
        with gr.Row(equal_height=True):
            label = gr.Textbox(label=t("kfs.label.campaign"), elem_id="kf-link-label", scale=2)
            scene = gr.Textbox(
                label=t("kfs.label.scene"),
                placeholder=t("kfs.scene_placeholder"),
                info=t("kfs.scene_info"),
                elem_id="kf-link-scene",
                scale=2,
            )
            create = gr.Button(t("kfs.create"), variant="primary", elem_id="kf-link-create")
        result = gr.Markdown(elem_id="kf-link-result")
        table = gr.Dataframe(
            headers=[t(f"kfs.col.{c}") for c in COLUMNS],
            interactive=False,
            wrap=True,
            elem_id="kf-links",
        )
        with gr.Row(equal_height=True):
            picked = ListDropdown(label=t("kfs.pick"), choices=[], elem_id="kf-link-pick", scale=3)
            delete = gr.Button(t("kfs.delete"), variant="stop", elem_id="kf-link-delete", scale=1)
        qr = gr.HTML(elem_id="kf-link-qr")

    def chosen(bot_id: str | None, value: str | None) -> KfLink | None:
        if not bot_id or not value or not str(value).isdigit():
            return None
        return links.get(bot_id, int(value))

    def view(bot_id: str | None, value: str | None):
        """The bot's links, the one picked kept picked (the newest when `value` is "new")."""
        listed = links.list(bot_id) if bot_id else []
        bound = bool(bot_id and ctx.workspace.bindings.get(bot_id, "kf"))
        named = [(link, named_link(link)) for link in listed]
        rows = [
            [name, link.url, datetime.fromtimestamp(link.created_at).strftime("%Y-%m-%d %H:%M")]
            for link, name in named
        ]
        current = chosen(bot_id, value)
        current = current if current in listed else None
        choices = [(name, str(link.id)) for link, name in named]
        return (
            "" if bound or not bot_id else t("kfs.unbound"),
            gr.update(value=rows or None),
            gr.update(choices=choices, value=str(current.id) if current else None),
            qr_html(ctx, current),
        )

    def on_create(bot_id: str | None, name: str, key: str, value: str | None):
        if not bot_id:
            return (*view(bot_id, value), bad(t("bots.pick_first")))
        try:
            link, made = links.create(bot_id, name or "", key or "")
        except KfLinkError as exc:
            return (*view(bot_id, value), bad(exc.text(ctx.lang)))
        except KfError as exc:
            return (*view(bot_id, value), bad(t("kfs.link_failed", why=exc.text(ctx.lang))))
        said = t("kfs.created", label=link.label, scene=link.scene)
        if not made:
            said = t("kfs.kept", scene=link.scene, label=link.label)
        return (*view(bot_id, str(link.id)), ok(said))

    def on_delete(bot_id: str | None, value: str | None):
        link = chosen(bot_id, value)
        if bot_id is None or link is None:
            return (*view(bot_id, value), bad(t("kfs.no_link")))
        links.delete(bot_id, link.id)
        return (*view(bot_id, None), ok(t("kfs.deleted", label=link.label)))

    shown = [note, table, picked, qr]
    picked.change(lambda b, v: qr_html(ctx, chosen(b, v)), [ctx.bot_picker, picked], qr)
    ctx.bot_picker.change(lambda b: view(b, None), ctx.bot_picker, shown)
    ctx.on_load.append((view, [ctx.bot_picker, picked], shown))
    ctx.refresh(view, [ctx.bot_picker, picked], shown)  # a binding saved, the tab opened
    create.click(on_create, [ctx.bot_picker, label, scene, picked], [*shown, result])
    delete.click(on_delete, [ctx.bot_picker, picked], [*shown, result])
