"""企业微信 → 🌐 网页聊天链接: the bot's public chat page (runtime/channels/web_chat.py)
switched on or off with its title and colour (saved into the bot file as `web_chat`), its
link, a link per campaign (`?src=`, the customers' source in 线索 and the reports) with
its QR code to download, and the one line a website pastes for a floating "在线咨询"
button. The picture is sent inside the page (a data: address): nothing is written to disk
for it."""

from __future__ import annotations

import base64
import html
import re
from typing import Any

import gradio as gr
from pydantic import ValidationError

from runtime.channels.web_chat import CAMPAIGN, PREFIX
from runtime.spec import BotSpec
from runtime.spec.web import WebChatSettings
from runtime.wecom.kf_links import qr_png
from studio.context import StudioContext
from studio.tabs.kf_bind import bad, ok

QR_WIDTH = 240  # CSS pixels on screen; the file keeps its full size for print
TITLE_LIMIT = 60
RGB = re.compile(r"rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)")
SHORT_HEX = re.compile(r"#([0-9a-fA-F])([0-9a-fA-F])([0-9a-fA-F])")


def hex_color(value: str | None) -> str:
    """What the colour picker gives (#rrggbb, #rgb or rgb(…)) as #rrggbb; "" when unread."""
    value = (value or "").strip()
    if re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        return value.lower()
    if match := SHORT_HEX.fullmatch(value):
        return "#" + "".join(c * 2 for c in match.groups()).lower()
    if match := RGB.match(value):
        parts = [min(255, int(n)) for n in match.groups()]
        return "#" + "".join(f"{n:02x}" for n in parts)
    return ""


def server_address(request: gr.Request | None) -> str:
    """This server as the browser reached it (the WeCom tab's callback URLs say the same)."""
    headers = request.headers if request is not None else {}
    host = headers.get("host", "127.0.0.1:7860")
    scheme = "https" if headers.get("x-forwarded-proto", "") == "https" else "http"
    return f"{scheme}://{host}"


def chat_link(local: str, bot_id: str, campaign: str = "") -> str:
    return f"{local}{PREFIX}/{bot_id}" + (f"?src={campaign}" if campaign else "")


def embed_line(local: str, bot_id: str, campaign: str = "") -> str:
    query = f"?src={campaign}" if campaign else ""
    return f'<script src="{local}{PREFIX}/{bot_id}/embed.js{query}" async></script>'


def qr_html(ctx: StudioContext, bot_id: str, url: str, campaign: str) -> str:
    """The link's QR code and a download of the picture."""
    data = "data:image/png;base64," + base64.b64encode(qr_png(url)).decode()
    alt = html.escape(ctx.t("webchat.qr_alt"), quote=True)
    name = html.escape(f"{bot_id}-{campaign or 'chat'}.png", quote=True)
    shown = html.escape(url, quote=True)
    return (
        f'<div class="kf-qr"><img src="{data}" alt="{alt}" width="{QR_WIDTH}"'
        f' height="{QR_WIDTH}" style="image-rendering: pixelated">'
        f'<p class="kf-qr-url"><a href="{shown}" target="_blank" rel="noopener">{shown}</a></p>'
        f'<p><a class="webchat-download" download="{name}" href="{data}">'
        f"⬇ {html.escape(ctx.t('webchat.download'))}</a></p></div>"
    )


def save_web_chat(ctx: StudioContext, bot_id: str, settings: dict[str, Any]) -> BotSpec:
    """The bot file with `web_chat` replaced, the rest as it is on disk now (read again:
    another tab may have saved since). Raises ValidationError."""
    spec = ctx.workspace.bots.load(bot_id)
    data = spec.model_dump(mode="json", exclude_unset=True)
    data["web_chat"] = settings
    saved = BotSpec.model_validate(data)
    ctx.workspace.bots.save(saved)
    return saved


def build(ctx: StudioContext) -> None:
    """The section, inside the tab being built."""
    t = ctx.t
    with gr.Accordion(t("webchat.studio_title"), open=False, elem_id="webchat-section"):
        gr.Markdown(t("webchat.studio_help"), elem_classes="help")
        with gr.Row(equal_height=True):
            enabled = gr.Checkbox(label=t("webchat.enabled"), elem_id="webchat-enabled", scale=1)
            title = gr.Textbox(
                label=t("webchat.title_label"),
                placeholder=t("webchat.title_placeholder"),
                max_length=TITLE_LIMIT,
                elem_id="webchat-title",
                scale=2,
            )
            color = gr.ColorPicker(
                label=t("webchat.color_label"), value="#2563eb", elem_id="webchat-color", scale=1
            )
            save = gr.Button(t("webchat.save"), variant="primary", elem_id="webchat-save", scale=1)
        result = gr.Markdown(elem_id="webchat-result")
        link = gr.Markdown(elem_id="webchat-link")
        with gr.Row(equal_height=True):
            campaign = gr.Textbox(
                label=t("webchat.campaign"),
                info=t("webchat.campaign_info"),
                placeholder=t("webchat.campaign_placeholder"),
                max_length=32,
                elem_id="webchat-campaign",
                scale=3,
            )
            make = gr.Button(t("webchat.make"), elem_id="webchat-make", scale=1)
        made = gr.Markdown(elem_id="webchat-made")
        qr = gr.HTML(elem_id="webchat-qr")
        embed = gr.Textbox(
            label=t("webchat.embed"),
            info=t("webchat.embed_info"),
            interactive=False,
            buttons=["copy"],
            elem_id="webchat-embed",
        )

    def shown(bot_id: str | None, key: str, request: gr.Request | None):
        """The link, QR code and embed line for the campaign `key` ("" for none)."""
        spec = ctx.spec(bot_id)
        if spec is None or bot_id is None:
            return "", "", ""
        local = server_address(request)
        url = chat_link(local, bot_id, key)
        said = t("webchat.link", local=local, url=url)
        if not spec.web_chat.enabled:
            said += "\n\n" + t("webchat.off_note")
        return said, qr_html(ctx, bot_id, url, key), embed_line(local, bot_id, key)

    def view(bot_id: str | None, key: str | None, request: gr.Request):
        """The bot's settings as saved, and its link for the campaign typed (kept when the
        tab is read again: a refresh does not take the marketer's QR code away)."""
        spec = ctx.spec(bot_id)
        settings = spec.web_chat if spec is not None else WebChatSettings()
        key = (key or "").strip()
        key = key if CAMPAIGN.fullmatch(key) else ""
        link_parts = shown(bot_id, key, request)
        return (settings.enabled, settings.title or "", settings.color, *link_parts)

    def on_save(
        bot_id: str | None, on: bool, name: str, picked: str, key: str, request: gr.Request
    ):
        if not bot_id or ctx.spec(bot_id) is None:
            return (*view(bot_id, key, request), bad(t("bots.pick_first")))
        colour = hex_color(picked)
        if not colour:
            why = t("webchat.bad_color")
            return (*view(bot_id, key, request), bad(t("webchat.save_failed", why=why)))
        name = " ".join((name or "").split())
        if len(name) > TITLE_LIMIT:
            why = t("webchat.bad_title", n=TITLE_LIMIT)
            return (*view(bot_id, key, request), bad(t("webchat.save_failed", why=why)))
        settings: dict[str, Any] = {"enabled": bool(on), "color": colour}
        if name:
            settings["title"] = name
        try:
            save_web_chat(ctx, bot_id, settings)
        except (ValidationError, OSError, KeyError) as exc:
            why = str(exc)[:200]
            return (*view(bot_id, key, request), bad(t("webchat.save_failed", why=why)))
        said = t("webchat.saved_on" if on else "webchat.saved_off")
        return (*view(bot_id, key, request), ok(said))

    def on_make(bot_id: str | None, key: str, request: gr.Request):
        if not bot_id or ctx.spec(bot_id) is None:
            return "", "", "", bad(t("bots.pick_first"))
        key = (key or "").strip()
        if key and not CAMPAIGN.fullmatch(key):
            return (*shown(bot_id, "", request), bad(t("webchat.bad_campaign")))
        return (*shown(bot_id, key, request), ok(t("webchat.made")))

    outputs = [enabled, title, color, link, qr, embed]
    picked = [ctx.bot_picker, campaign]
    ctx.bot_picker.change(view, picked, outputs)
    ctx.on_load.append((view, picked, outputs))
    ctx.refresh(view, picked, outputs)  # the bot file saved elsewhere, the tab opened
    saved = save.click(
        on_save, [ctx.bot_picker, enabled, title, color, campaign], [*outputs, result]
    )
    ctx.bump(saved)  # the bot file changed: the other tabs read it again
    make.click(on_make, [ctx.bot_picker, campaign], [link, qr, embed, made])
