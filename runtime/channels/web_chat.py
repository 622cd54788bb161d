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
and a small script a website embeds for a floating button. The studio password does not
guard `/chat/` (runtime/web/auth.py), its bodies are held to 16 KB (runtime/web/limits.py),
the Host and Origin checks stay (runtime/web/guard.py: the page posts to its own origin),
and messages are counted per browser and per address in sliding windows in memory, on
top of the bot's own `safety.rate_limit` (the responder's).
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import logging
import math
import re
import secrets
import threading
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

from runtime.channels.adapter import Adapter, Parts
from runtime.channels.asking import Asking, Question
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
MAX_TEXT = 1000  # characters of one message
MAX_CONTACT = 64  # characters of a contact left with a handover
MAX_NOTE = 500  # characters of its note
HISTORY = 200  # turns shown again on a reload
PER_BROWSER = 10  # messages (and handovers) a minute from one browser
PER_ADDRESS = 30  # from one client address, whatever its cookies
WINDOW = 60.0  # seconds
STREAM_HEADERS = {"cache-control": "no-cache", "x-accel-buffering": "no"}


class Windows:
    """Sliding windows in memory: at most `limit` hits per key in any `seconds`. Safe from
    the event loop and the thread pool alike."""

    KEYS = 50_000  # keys kept before the idle ones are dropped

    def __init__(
        self, limit: int, seconds: float = WINDOW, clock: Callable[[], float] = time.monotonic
    ):
        self.limit, self.seconds, self.clock = limit, seconds, clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, key: str) -> int | None:
        """None when one more hit of `key` is within the limit, else the seconds until one
        would be."""
        now = self.clock()
        with self._lock:
            hits = self._hits.get(key)
            while hits and hits[0] <= now - self.seconds:
                hits.popleft()
            if hits is None or len(hits) < self.limit:
                return None
            return max(1, math.ceil(hits[0] + self.seconds - now))

    def add(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            self._hits.setdefault(key, deque()).append(now)
            if len(self._hits) > self.KEYS:
                self._forget_idle(now)

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, v in self._hits.items() if not v or v[-1] <= now - self.seconds]
        for key in idle:
            del self._hits[key]


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

    async def answer(self, inbox_id: int, lang: str) -> AsyncIterator[bytes]:
        """Server-sent events: `{"delta"}` as the answer grows, then `{"done", "text"}`
        with the answer as it was delivered."""
        text = ""
        try:
            async for piece in self.asking.pieces(inbox_id):
                if piece.delta:
                    yield _event({"delta": piece.delta})
                text = piece.text
                if piece.finished:
                    break
        except Exception:
            log.exception("web chat: streaming the answer to inbox %s failed", inbox_id)
            text = text or t("webchat.unavailable", lang)
        yield _event({"done": True, "text": text or t("webchat.unavailable", lang)})


def _event(body: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n".encode()


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
        response = HTMLResponse(chat_page(spec, campaign))
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

    @router.post(PREFIX + "/{bot}/send")
    async def send(bot: str, request: Request) -> Response:
        spec = await open_bot(bot)
        if spec is None:
            return not_found()
        lang = spec.language
        try:
            browser = known_browser(request, lang)
            channel.count(request, browser, lang)
            body = await read_json(request, lang)
            question = channel.question(spec, who_is(browser), body)
        except Refusal as refusal:
            return refusal.response()
        inbox_id = await asyncio.to_thread(channel.asking.ask, question)
        return StreamingResponse(
            channel.answer(inbox_id, lang), media_type="text/event-stream", headers=STREAM_HEADERS
        )

    @router.post(PREFIX + "/{bot}/handover")
    async def handover(bot: str, request: Request) -> Response:
        spec = await open_bot(bot)
        if spec is None:
            return not_found()
        lang = spec.language
        try:
            browser = known_browser(request, lang)
            channel.count(request, browser, lang)
            body = await read_json(request, lang)
            said = await asyncio.to_thread(channel.hand_over, spec, who_is(browser), body)
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


# --- what the browser gets ------------------------------------------------------------------


def _json_for_script(value: object) -> str:
    """JSON safe inside a <script> element: nothing in it can close the element."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


PAGE_STRINGS = (
    "placeholder",
    "send",
    "typing",
    "handover",
    "handover_title",
    "handover_help",
    "contact",
    "note",
    "submit",
    "cancel",
    "handover_empty",
    "failed",
    "unavailable",
    "empty",
    "too_long",
)


def chat_page(spec: BotSpec, campaign: str) -> str:
    lang = spec.language
    title = spec.web_chat.title or spec.name
    words = {key: t(f"webchat.{key}", lang, n=MAX_TEXT) for key in PAGE_STRINGS}
    config = {
        "base": f"{PREFIX}/{spec.id}",
        "src": campaign,
        "max": MAX_TEXT,
        "maxContact": MAX_CONTACT,
        "maxNote": MAX_NOTE,
        "s": words,
    }
    return (
        PAGE.replace("__LANG__", "zh-CN" if lang == "zh" else "en")
        .replace("__TITLE__", html.escape(title))
        .replace("__COLOR__", spec.web_chat.color)
        .replace("__HANDOVER__", html.escape(words["handover"]))
        .replace("__HANDOVER_TITLE__", html.escape(words["handover_title"]))
        .replace("__HANDOVER_HELP__", html.escape(words["handover_help"]))
        .replace("__CONTACT__", html.escape(words["contact"]))
        .replace("__NOTE__", html.escape(words["note"]))
        .replace("__SUBMIT__", html.escape(words["submit"]))
        .replace("__CANCEL__", html.escape(words["cancel"]))
        .replace("__PLACEHOLDER__", html.escape(words["placeholder"]))
        .replace("__SEND__", html.escape(words["send"]))
        .replace("__CONFIG__", _json_for_script(config))
    )


def embed_script(spec: BotSpec, campaign: str) -> str:
    """A floating button for a website that opens the chat page in a new window (the page
    cannot be framed: the server forbids it)."""
    config = {
        "label": t("webchat.embed_button", spec.language),
        "color": spec.web_chat.color,
        "query": f"?src={campaign}" if campaign else "",
    }
    return EMBED.replace("__CONFIG__", _json_for_script(config))


PAGE = """<!doctype html>
<html lang="__LANG__"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="theme-color" content="__COLOR__">
<meta name="robots" content="noindex">
<title>__TITLE__</title>
<style>
:root { --c: __COLOR__; }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { font-family: -apple-system, system-ui, "PingFang SC", "Microsoft YaHei", sans-serif;
  background: #f3f4f6; color: #111827; display: flex; flex-direction: column;
  height: 100vh; height: 100dvh; max-width: 720px; margin: 0 auto; }
header { background: var(--c); color: #fff; padding: 12px 14px;
  padding-top: calc(12px + env(safe-area-inset-top)); display: flex; align-items: center;
  gap: 10px; }
header h1 { font-size: 17px; margin: 0; flex: 1; font-weight: 600; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; }
#handover { border: 1px solid #ffffffaa; background: transparent; color: #fff;
  border-radius: 16px; padding: 5px 10px; font-size: 13px; cursor: pointer; flex: none; }
#msgs { flex: 1; overflow-y: auto; padding: 14px 12px; display: flex; flex-direction: column;
  gap: 10px; -webkit-overflow-scrolling: touch; }
.msg { max-width: 82%; padding: 9px 12px; border-radius: 14px; line-height: 1.55;
  font-size: 15px; white-space: pre-wrap; word-break: break-word; }
.bot { background: #fff; align-self: flex-start; border-bottom-left-radius: 4px;
  box-shadow: 0 1px 2px #0000000f; }
.me { background: var(--c); color: #fff; align-self: flex-end;
  border-bottom-right-radius: 4px; }
.typing { color: #9ca3af; }
.note { align-self: center; background: #e5e7eb; color: #374151; font-size: 13px;
  border-radius: 10px; max-width: 92%; }
.err { align-self: center; background: #fef2f2; color: #b91c1c; font-size: 13px;
  border-radius: 10px; max-width: 92%; }
form#composer { display: flex; gap: 8px; padding: 8px 10px;
  padding-bottom: calc(8px + env(safe-area-inset-bottom)); background: #fff;
  border-top: 1px solid #e5e7eb; }
#text { flex: 1; resize: none; border: 1px solid #d1d5db; border-radius: 18px;
  padding: 8px 12px; font: inherit; font-size: 16px; max-height: 120px; outline: none; }
#text:focus { border-color: var(--c); }
#send { background: var(--c); color: #fff; border: 0; border-radius: 18px;
  padding: 0 16px; font-size: 15px; cursor: pointer; }
#send:disabled { opacity: .5; }
#sheet { position: fixed; inset: 0; background: #0006; display: none;
  align-items: flex-end; justify-content: center; }
#sheet.open { display: flex; }
#sheet form { background: #fff; width: 100%; max-width: 720px; padding: 18px 16px;
  padding-bottom: calc(18px + env(safe-area-inset-bottom)); border-radius: 16px 16px 0 0; }
#sheet h2 { margin: 0 0 6px; font-size: 17px; }
#sheet p { margin: 0 0 12px; color: #6b7280; font-size: 14px; }
#sheet label { display: block; font-size: 14px; color: #374151; margin: 10px 0 4px; }
#sheet input, #sheet textarea { width: 100%; border: 1px solid #d1d5db; border-radius: 10px;
  padding: 9px 11px; font: inherit; font-size: 16px; }
#sheet .row { display: flex; gap: 10px; margin-top: 16px; }
#sheet button { flex: 1; padding: 11px; border-radius: 10px; font-size: 15px; border: 0;
  cursor: pointer; }
#sheet .primary { background: var(--c); color: #fff; }
#sheet .secondary { background: #f3f4f6; color: #374151; }
#sheet .err { margin-top: 10px; }
</style></head>
<body>
<header><h1>__TITLE__</h1>
<button id="handover" type="button">__HANDOVER__</button></header>
<main id="msgs" aria-live="polite"></main>
<form id="composer"><textarea id="text" rows="1" placeholder="__PLACEHOLDER__"
  maxlength="1000" enterkeyhint="send"></textarea>
<button id="send" type="submit">__SEND__</button></form>
<div id="sheet"><form id="leave"><h2>__HANDOVER_TITLE__</h2><p>__HANDOVER_HELP__</p>
<label for="contact">__CONTACT__</label>
<input id="contact" maxlength="64" autocomplete="tel" inputmode="text">
<label for="note">__NOTE__</label><textarea id="note" rows="3" maxlength="500"></textarea>
<div id="leave-error" class="err" hidden></div>
<div class="row"><button type="button" class="secondary" id="cancel">__CANCEL__</button>
<button type="submit" class="primary" id="submit">__SUBMIT__</button></div></form></div>
<script type="application/json" id="config">__CONFIG__</script>
<script>
(() => {
  const C = JSON.parse(document.getElementById('config').textContent);
  const S = C.s;
  const $ = (id) => document.getElementById(id);
  const msgs = $('msgs'), text = $('text'), send = $('send');
  let busy = false;
  const down = () => { msgs.scrollTop = msgs.scrollHeight; };
  function bubble(kind, words) {
    const el = document.createElement('div');
    el.className = 'msg ' + kind;
    el.textContent = words;
    msgs.appendChild(el);
    down();
    return el;
  }
  async function problem(response) {
    try { return (await response.json()).error || S.failed; } catch (e) { return S.failed; }
  }
  async function post(path, body) {
    return fetch(C.base + path, {
      method: 'POST', credentials: 'same-origin',
      headers: {'content-type': 'application/json'}, body: JSON.stringify(body),
    });
  }
  async function load() {
    try {
      const response = await fetch(C.base + '/history', {credentials: 'same-origin'});
      if (!response.ok) { bubble('err', await problem(response)); return; }
      for (const turn of (await response.json()).turns) {
        bubble(turn.role === 'user' ? 'me' : 'bot', turn.text);
      }
    } catch (e) { bubble('err', S.failed); }
  }
  async function ask(words) {
    busy = true; send.disabled = true;
    bubble('me', words);
    const answer = bubble('bot typing', S.typing);
    let shown = '';
    try {
      const response = await post('/send', {text: words, src: C.src});
      if (!response.ok) {
        answer.className = 'msg err'; answer.textContent = await problem(response); return;
      }
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const {done, value} = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, {stream: true});
        let end;
        while ((end = buffer.indexOf('\\n\\n')) >= 0) {
          const line = buffer.slice(0, end); buffer = buffer.slice(end + 2);
          if (!line.startsWith('data: ')) continue;
          const event = JSON.parse(line.slice(6));
          if (event.delta) shown += event.delta;
          if (event.done) shown = event.text;
          if (shown) { answer.className = 'msg bot'; answer.textContent = shown; down(); }
        }
      }
      if (!shown) { answer.className = 'msg err'; answer.textContent = S.unavailable; }
    } catch (e) {
      if (!shown) { answer.className = 'msg err'; answer.textContent = S.failed; }
    } finally {
      busy = false; send.disabled = false;
    }
  }
  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const words = text.value.trim();
    if (!words || busy) return;
    if (words.length > C.max) { bubble('err', S.too_long); return; }
    text.value = ''; text.style.height = '';
    ask(words);
  });
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault(); $('composer').requestSubmit();
    }
  });
  text.addEventListener('input', () => {
    text.style.height = ''; text.style.height = Math.min(text.scrollHeight, 120) + 'px';
  });
  const sheet = $('sheet'), leaveError = $('leave-error');
  $('handover').addEventListener('click', () => {
    leaveError.hidden = true; sheet.classList.add('open'); $('contact').focus();
  });
  $('cancel').addEventListener('click', () => sheet.classList.remove('open'));
  $('leave').addEventListener('submit', async (event) => {
    event.preventDefault();
    const contact = $('contact').value.trim(), note = $('note').value.trim();
    const fail = (words) => { leaveError.textContent = words; leaveError.hidden = false; };
    if (!contact && !note) { fail(S.handover_empty); return; }
    $('submit').disabled = true;
    try {
      const response = await post('/handover', {contact, note, src: C.src});
      if (!response.ok) { fail(await problem(response)); return; }
      sheet.classList.remove('open');
      $('contact').value = ''; $('note').value = '';
      bubble('note', (await response.json()).message);
    } catch (e) { fail(S.failed); } finally { $('submit').disabled = false; }
  });
  load();
})();
</script>
</body></html>
"""

EMBED = """(function () {
  var C = __CONFIG__;
  var me = document.currentScript;
  if (!me || document.getElementById('botstudio-chat-button')) return;
  var page = me.src.replace(/\\/embed\\.js(\\?.*)?$/, '') + C.query;
  var button = document.createElement('button');
  button.id = 'botstudio-chat-button';
  button.type = 'button';
  button.textContent = '💬 ' + C.label;
  button.style.cssText = 'position:fixed;right:20px;bottom:20px;z-index:2147483647;' +
    'background:' + C.color + ';color:#fff;border:0;border-radius:24px;padding:12px 18px;' +
    'font:15px/1 -apple-system,system-ui,"PingFang SC","Microsoft YaHei",sans-serif;' +
    'box-shadow:0 6px 20px rgba(0,0,0,.25);cursor:pointer';
  button.addEventListener('click', function () {
    var wide = window.innerWidth > 640;
    var features = wide ? 'noopener,width=420,height=720' : 'noopener';
    window.open(page, 'botstudio-chat', features);
  });
  (document.body || document.documentElement).appendChild(button);
})();
"""
