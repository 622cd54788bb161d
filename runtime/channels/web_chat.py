"""The public web chat page of a bot: `/chat/BOT`, for customers who arrive on a landing
page, a website or a QR code instead of WeCom. The channel is `web`.

A message goes the durable way every channel's does (journaled in the inbox, answered by
the responder through the person's sticky A/B variant, its leads captured, its events
counted under `web`), and its answer streams back to the page as server-sent events. A
browser is a person: a random secret in a cookie, the person `web:<its digest>`, its
conversation the bot's own memory, so that a reload shows it again. The page is off until
the bot's file says `web_chat: {enabled: true}`; a bot that is off, does not exist or does
not read answers the same 404, so that nobody learns which bots there are.

It is a public door, so it serves only what is here: the page, its conversation, a
message, a handover (转人工 / 留下联系方式: a lead, the customer's words in their
conversation, an alert to the team's group)
and a small script a website embeds for a floating button (the page and the script are
made in runtime/channels/web_chat_page.py). The studio password does not
guard `/chat/` (runtime/web/auth.py), its bodies are held to 16 KB (runtime/web/limits.py),
the Host and Origin checks stay (runtime/web/guard.py: the page posts to its own origin),
and messages are counted per browser and per address in sliding windows in memory, on
top of the bot's own `safety.rate_limit` (the responder's; the windows are in
runtime/channels/rate_windows.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import logging
import re
import secrets
import uuid
from collections.abc import AsyncIterator
from typing import Any, NamedTuple

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

from runtime.channels.adapter import Adapter, Parts
from runtime.channels.asking import Asked, Asking, Question
from runtime.channels.rate_windows import Windows
from runtime.channels.web_chat_page import MAX_CONTACT, MAX_NOTE, MAX_TEXT, chat_page, embed_script
from runtime.dialogue import Dialogue, UnknownBot
from runtime.i18n import DEFAULT_LANGUAGE, t
from runtime.inbox import Inbox
from runtime.leads.export import lead_lines, person
from runtime.leads.store import Lead, LeadStore
from runtime.logmask import mask_personal, mask_user
from runtime.outbox import Outbox
from runtime.spec import BotSpec, SpecError
from runtime.store import Turn
from runtime.store.events import CONVERTED, FIELD
from runtime.store.sources import Sources

log = logging.getLogger(__name__)
CHANNEL = "web"
PREFIX = "/chat"
COOKIE = "botstudio_chat"
COOKIE_SECONDS = 365 * 24 * 3600
BROWSER_ID = re.compile(r"[A-Za-z0-9_-]{20,64}")
CAMPAIGN = re.compile(r"[0-9A-Za-z_-]{1,32}")  # as a 微信客服 link's scene
HISTORY = 200  # turns shown again on a reload
PER_BROWSER = 10  # messages (and handovers) a minute from one browser
PER_ADDRESS = 30  # from one client address, whatever its cookies
STREAM_HEADERS = {"cache-control": "no-cache", "x-accel-buffering": "no"}


class Refusal(Exception):
    """An answer other than the one asked for: a status and the words the page shows."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}

    def response(self) -> JSONResponse:
        return JSONResponse({"error": self.message}, status_code=self.status, headers=self.headers)


class WebChatChannel(Adapter):
    name = CHANNEL

    def __init__(self, dialogue: Dialogue, asking: Asking, inbox: Inbox, outbox: Outbox):
        self.dialogue = dialogue
        self.asking = asking
        self.inbox = inbox
        self.outbox = outbox
        self.leads = LeadStore(outbox.journal)
        self.sources = Sources(outbox.journal)
        self.browsers = Windows(PER_BROWSER)
        self.addresses = Windows(PER_ADDRESS)

    @classmethod
    def build(cls, parts: Parts) -> WebChatChannel:
        asking = Asking(parts.inbox, parts.responder, parts.streams)
        return cls(parts.dialogue, asking, parts.inbox, parts.outbox)

    def routes(self) -> list[APIRouter]:
        return [web_chat_routes(self)]

    # --- who and which bot -------------------------------------------------------------

    def open_spec(self, bot_id: str) -> BotSpec | None:
        """The bot, when its page is on; None for one that is off, missing or unreadable
        (all three look the same from outside). Reads the file: off the event loop."""
        try:
            spec = self.dialogue.spec(bot_id)
        except (UnknownBot, SpecError):
            return None
        return spec if spec.web_chat.enabled else None

    def count(self, request: Request, browser: str, lang: str) -> None:
        """One more message or handover from this browser and address: 429 past either."""
        address = request.client.host if request.client else "?"
        wait = self.browsers.wait(browser) or self.addresses.wait(address)
        if wait is None:  # counted only when let through: a refused one costs nothing
            self.browsers.add(browser)
            self.addresses.add(address)
        else:
            log.info("web chat: %s is over the rate", mask_user(address, self.dialogue.log_salt))
            raise Refusal(429, t("webchat.too_many", lang), {"retry-after": str(wait)})

    def remember_source(self, spec: BotSpec, who: str, src: object) -> None:
        """The campaign in the page's `?src=`: the person's source, the first one kept."""
        if not isinstance(src, str) or not CAMPAIGN.fullmatch(src):
            return
        with self.outbox.journal.transaction() as db:
            self.sources.record(spec.id, who, CHANNEL, src, db=db)
            self.leads.learn_source(spec.id, who, db)

    # --- what the routes do -------------------------------------------------------------

    def history(self, spec: BotSpec, who: str) -> list[dict[str, str]]:
        """The conversation so far, the greeting said first on a first visit."""
        self.dialogue.greet(spec.id, who)
        turns = self.dialogue.conversations.history(spec.id, who, limit=HISTORY)
        return [{"role": turn.role, "text": turn.content} for turn in turns]

    def question(self, spec: BotSpec, who: str, body: dict[str, Any]) -> Question:
        lang = spec.language
        text = body.get("text")
        if not isinstance(text, str):
            raise Refusal(400, t("webchat.bad_request", lang))
        text = text.strip()
        if not text:
            raise Refusal(400, t("webchat.empty", lang))
        if len(text) > MAX_TEXT:
            raise Refusal(400, t("webchat.too_long", lang, n=MAX_TEXT))
        self.remember_source(spec, who, body.get("src"))
        return Question(
            channel=CHANNEL,
            bot_id=spec.id,
            person=who,
            text=text,
            msgid=f"web-{uuid.uuid4().hex}",
        )

    def hand_over(self, spec: BotSpec, who: str, body: dict[str, Any]) -> str:
        """The customer asks for a person, perhaps leaving a contact and a note: a phone
        number (or any lead field) in them is captured as the lead's, the note kept with
        the lead, and the team's alert group told (when one is bound)."""
        lang = spec.language
        contact, note = body.get("contact", ""), body.get("note", "")
        if not isinstance(contact, str) or not isinstance(note, str):
            raise Refusal(400, t("webchat.bad_request", lang))
        contact, note = " ".join(contact.split()), note.strip()
        if len(contact) > MAX_CONTACT or len(note) > MAX_NOTE:
            raise Refusal(400, t("webchat.too_long", lang, n=MAX_NOTE))
        if not contact and not note:
            raise Refusal(400, t("webchat.handover_empty", lang))
        self.remember_source(spec, who, body.get("src"))
        said = " · ".join(part for part in (contact, note) if part)
        lead = self.note(spec, who, said, self.capture(spec, who, said))
        self.alert(spec, who, contact, note, lead)
        return t("webchat.handover_done", lang)

    def capture(self, spec: BotSpec, who: str, said: str) -> Lead | None:
        """Lead fields in what the customer left, as from any message of theirs."""
        capture = self.dialogue.leads
        if capture is None or not spec.lead_capture.fields:
            return None
        seen = capture.observe(spec, who, who, said, variant=self.variant(spec, who))
        if seen is None:
            return None
        events = self.dialogue.events
        if events is not None:
            variant = seen.lead.variant
            for key in seen.captured:
                events.record(spec.id, FIELD, who, {"key": key}, variant=variant)
            if seen.converted_now:
                history = self.dialogue.conversations.history(spec.id, who)
                turn = 1 + sum(1 for turn in history if turn.role == "user")
                events.record(spec.id, CONVERTED, who, {"turn": turn}, variant=variant)
        return seen.lead

    def note(self, spec: BotSpec, who: str, said: str, lead: Lead | None) -> Lead:
        """The handover kept where the team reads the customer: their lead (made now if they
        had none, so that they are listed in 线索) and, as the customer's own words and the
        page's answer, their conversation (shown in 线索 beside the lead, again on a reload,
        known to the bot's next reply, and erased with the lead)."""
        lead = lead or self.leads.get(spec.id, who)
        if lead is None:
            lead = Lead(spec.id, who, who, self.variant(spec, who))
            self.leads.save(lead)
        lang = spec.language
        turns = [
            Turn("user", t("webchat.note_turn", lang, said=said)),
            Turn("assistant", t("webchat.handover_done", lang)),
        ]
        conversations = self.dialogue.conversations
        conversations.append(spec.id, who, turns, variant=lead.variant, speaker=who)
        return lead

    def variant(self, spec: BotSpec, who: str) -> str | None:
        assignments = self.dialogue.assignments
        return assignments.variant_for(spec, who) if assignments is not None else None

    def alert(self, spec: BotSpec, who: str, contact: str, note: str, lead: Lead) -> None:
        """Tell the team's alert group who asks, with their lead; nothing is lost when no
        group is bound (the lead and its note are in the studio all the same)."""
        if self.outbox.bindings.get(spec.id, "alert_webhook") is None:
            return
        lang = spec.language
        customer = person(who, lang)
        lines = [t("webchat.alert", lang, bot=spec.name, customer=customer)]
        masked = not spec.lead_capture.alert_unmasked
        if contact:
            shown = mask_personal(contact) if masked else contact
            lines.append(f"> {t('webchat.alert_contact', lang)}：{shown}")
        if note:
            shown = mask_personal(note) if masked else note
            lines.append(f"> {t('webchat.alert_note', lang)}：{shown[:200]}")
        lines += lead_lines(spec, lead)
        with self.outbox.journal.transaction() as db:
            self.outbox.push(spec.id, "\n".join(lines), markdown=True, kind="alert_webhook", db=db)
        self.outbox.wake()

    async def answer(self, asked: Asked, lang: str) -> AsyncIterator[bytes]:
        """Server-sent events: `{"delta"}` as the answer grows, then `{"done", "text"}`
        with the answer as it was delivered."""
        text = ""
        try:
            async for piece in self.asking.pieces(asked):
                if piece.delta:
                    yield _event({"delta": piece.delta})
                text = piece.text
                if piece.finished:
                    break
        except Exception:
            log.exception("web chat: streaming the answer to inbox %s failed", asked.inbox_id)
            text = text or t("webchat.unavailable", lang)
        yield _event({"done": True, "text": text or t("webchat.unavailable", lang)})


def _event(body: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n".encode()


class Posted(NamedTuple):
    """A message or handover let through to its work: whose, to which bot, saying what."""

    spec: BotSpec
    who: str  # the person (who_is)
    body: dict[str, Any]


def browser_of(request: Request) -> str | None:
    value = request.cookies.get(COOKIE, "")
    return value if BROWSER_ID.fullmatch(value) else None


def who_is(browser: str) -> str:
    """The person a browser is: named by a digest of its cookie, never the cookie itself,
    so that an id shown in 线索, an export or an alert opens nobody's conversation."""
    return f"{CHANNEL}:{hashlib.sha256(browser.encode()).hexdigest()[:20]}"


def not_found() -> HTMLResponse:
    """The one answer for a bot that is off, missing or unreadable: Chinese, as the page
    would be, since whose language to use is what it must not tell."""
    title = html.escape(t("webchat.not_found_title", DEFAULT_LANGUAGE))
    text = html.escape(t("webchat.not_found", DEFAULT_LANGUAGE))
    page = (
        f'<!doctype html><html lang="zh"><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><body style=\"font-family: system-ui, 'PingFang SC',"
        f" 'Microsoft YaHei', sans-serif; display: grid; place-items: center; height: 90vh;"
        f' color: #475569"><p>{text}</p></body></html>'
    )
    return HTMLResponse(page, status_code=404)


def web_chat_routes(channel: WebChatChannel) -> APIRouter:
    router = APIRouter()

    async def open_bot(bot: str) -> BotSpec | None:
        return await asyncio.to_thread(channel.open_spec, bot)

    async def read_json(request: Request, lang: str) -> dict[str, Any]:
        try:
            body = json.loads(await request.body())
        except (ValueError, RecursionError):
            raise Refusal(400, t("webchat.bad_request", lang)) from None
        if not isinstance(body, dict):
            raise Refusal(400, t("webchat.bad_request", lang))
        return body

    def known_browser(request: Request, lang: str) -> str:
        browser = browser_of(request)
        if browser is None:
            raise Refusal(400, t("webchat.no_cookie", lang))
        return browser

    @router.get(PREFIX + "/{bot}", response_class=HTMLResponse)
    async def page(bot: str, request: Request, src: str = "") -> Response:
        spec = await open_bot(bot)
        if spec is None:
            return not_found()
        campaign = src if CAMPAIGN.fullmatch(src) else ""
        response = HTMLResponse(chat_page(spec, campaign, f"{PREFIX}/{spec.id}"))
        response.headers["cache-control"] = "no-store"
        browser = browser_of(request)
        if browser is None:
            response.set_cookie(
                COOKIE,
                secrets.token_urlsafe(24),
                max_age=COOKIE_SECONDS,
                path=PREFIX + "/",
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
            )
        return response

    @router.get(PREFIX + "/{bot}/history")
    async def history(bot: str, request: Request) -> Response:
        spec = await open_bot(bot)
        if spec is None:
            return not_found()
        try:
            browser = known_browser(request, spec.language)
        except Refusal as refusal:
            return refusal.response()
        turns = await asyncio.to_thread(channel.history, spec, who_is(browser))
        return JSONResponse({"turns": turns}, headers={"cache-control": "no-store"})

    async def posted(bot: str, request: Request) -> Posted | Response:
        """What a message or a handover starts with: the bot (its page on), the browser
        (its cookie), one more post counted against the rates, and the JSON body; or the
        answer that refuses it, in that order."""
        spec = await open_bot(bot)
        if spec is None:
            return not_found()
        lang = spec.language
        try:
            browser = known_browser(request, lang)
            channel.count(request, browser, lang)
            body = await read_json(request, lang)
        except Refusal as refusal:
            return refusal.response()
        return Posted(spec, who_is(browser), body)

    @router.post(PREFIX + "/{bot}/send")
    async def send(bot: str, request: Request) -> Response:
        post = await posted(bot, request)
        if isinstance(post, Response):
            return post
        try:
            question = channel.question(post.spec, post.who, post.body)
        except Refusal as refusal:
            return refusal.response()
        asked = await asyncio.to_thread(channel.asking.ask, question)
        answer = channel.answer(asked, post.spec.language)
        return StreamingResponse(answer, media_type="text/event-stream", headers=STREAM_HEADERS)

    @router.post(PREFIX + "/{bot}/handover")
    async def handover(bot: str, request: Request) -> Response:
        post = await posted(bot, request)
        if isinstance(post, Response):
            return post
        try:
            said = await asyncio.to_thread(channel.hand_over, post.spec, post.who, post.body)
        except Refusal as refusal:
            return refusal.response()
        return JSONResponse({"message": said})

    @router.get(PREFIX + "/{bot}/embed.js")
    async def embed(bot: str, src: str = "") -> Response:
        spec = await open_bot(bot)
        if spec is None:
            return not_found()
        campaign = src if CAMPAIGN.fullmatch(src) else ""
        return Response(
            embed_script(spec, campaign),
            media_type="text/javascript; charset=utf-8",
            headers={"cache-control": "public, max-age=300"},
        )

    return router
