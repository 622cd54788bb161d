"""A fake 微信客服 (kf) API on 127.0.0.1 that behaves, and fails, as shared/wecom/KF.md §9 says
WeCom does: the kf counterpart of tests/fake_wecom.py (whose `Served` runs it).

- `gettoken`: 7200 s tokens; `revoke_tokens` (→ 40014) and `expire_tokens` (→ 42001);
  no token → 41001. Every kf route checks the token first.
- One message log per corp: what simulated customers and servicers do (`customer_says`,
  `customer_enters`, `customer_opens`, `customer_recalls`, `servicer_says`, `servicer_takes`,
  `servicer_ends`, `send_fails`), each item with origin, send_time and a unique msgid, as
  `sync_msg` returns it; entries older than 3 days vanish; what `send_msg` sends is never
  logged. `repeat` logs an item again (a message that comes twice).
- Doorbells (`ring`): a fresh msg token per ring, valid 10 minutes (older or unknown → 95007),
  encrypted and signed as PROTOCOL.md §2 with receive_id = CorpID and POSTed to the callback
  URL, re-sent up to 3 more times without an HTTP 200 within 5 s; the URL must pass the GET
  echostr check first (`verify_callback`), as WeCom checks it before saving it.
- `sync_msg`: an opaque cursor (a log position), none = the oldest entry within 3 days;
  `limit` ≤1000, `open_kfid` filter, `has_more`; `page_cap` gives short pages, `empty_pages`
  empty pages with has_more=1; without a msg token at most `untokened_per_minute` calls → 45009.
- Sessions per (open_kfid, external_userid): state 0–4, the time of the customer's last own
  message and sends since. `send_msg`: 95000/95004 account, 40096 customer, 95018 in state
  2/3, 95013 ended, 95002 after 48 h, 95001 on the 6th send; a msgid used before in the
  account, or text over 2048 bytes → `INVALID` (those codes are unconfirmed). Accepted sends
  are kept in `sent`.
- `send_msg_on_event`: a welcome code only when the customer had no welcome and wrote nothing
  in 48 h, valid 20 s; queue/taken codes 48 h, end codes 20 s; each once, and (except a
  welcome) only while the session is still in the state it was issued in.
- `service_state/get`, `service_state/trans` with KF.md §6's moves (others → `FORBIDDEN_MOVE`),
  a msg_code on the first move to 2 or 3 and on a move to 4; `account/list`,
  `add_contact_way`, `customer/batchget`.
- Errors on demand: `fail(route, *errcodes)`; answers held back: `stall(route, seconds)`.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import string
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from runtime.wecom.crypto import WeComCrypto, signature
from tests.fake_wecom import Served

__all__ = ["FakeKf", "Served"]

HOUR = 3600
WINDOW = 48 * HOUR  # a customer's message opens 48 h of replies
KEEP = 72 * HOUR  # the log forgets after 3 days
MSG_TOKEN_TTL = 600
SEND_ALLOWANCE = 5
TEXT_BYTES = 2048
# KF.md leaves these codes unconfirmed; the fake uses one code each, named here, and the
# client never branches on them (any non-zero is final).
INVALID = 40058  # invalid parameter: duplicate msgid, text too long, bad cursor or code
FORBIDDEN_MOVE = 95016  # a service_state move §6 does not allow
NOT_RECEIVING = 95014  # servicer missing, unknown, or not receiving
MOVES = {0: {1, 2, 3}, 1: {2, 3}, 2: {3}, 3: {3, 4}, 4: set()}
MSGID = re.compile(r"[0-9A-Za-z_-]{1,32}")
ALPHABET = string.ascii_letters + string.digits


def _random(n: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(n))


@dataclass
class Session:
    state: int = 4
    last_customer_at: float | None = None
    sends: int = 0  # since the customer's last own message
    ended: bool = False  # ended by a person or the API (not by the 48 h running out)
    servicer: str = ""
    welcomed_at: float | None = None
    coded: set[int] = field(default_factory=set)  # states a msg_code was given for


@dataclass
class Code:
    kind: str  # welcome, queue, taken, end
    key: tuple[str, str]
    issued_at: float
    ttl: float
    state: int | None  # the session state it belongs to; None for a welcome
    types: frozenset[str]
    used: bool = False


@dataclass
class Entry:
    item: dict[str, Any]  # as sync_msg returns it
    open_kfid: str
    external_userid: str


@dataclass
class FakeKf:
    corp_id: str = "wwkfcorp00000001"
    secret: str = "kf-app-secret-0001"
    accounts: dict[str, str] = field(
        default_factory=lambda: {"wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q": "咨询客服"}
    )
    servicers: dict[str, int] = field(default_factory=lambda: {"zhangsan": 0})  # 0 receiving
    customers: dict[str, str] = field(default_factory=dict)  # external_userid -> nickname
    callback_url: str = ""
    callback_token: str = ""
    callback_aes_key: str = ""
    agent_id: str = "1000002"
    now: float | None = None  # None: real time
    token_ttl: int = 7200
    untokened_per_minute: int = 5
    page_cap: int | None = None  # short pages: at most this many items whatever the limit
    empty_pages: int = 0  # this many empty pages with has_more=1 before the next real one
    # what happened, for assertions
    sent: list[dict[str, Any]] = field(default_factory=list)  # accepted send_msg bodies
    event_sent: list[dict[str, Any]] = field(default_factory=list)  # send_msg_on_event
    refused: list[tuple[str, int]] = field(default_factory=list)  # (route, errcode)
    calls: list[str] = field(default_factory=list)  # routes called, in order
    gettoken_calls: int = 0
    deliveries: list[list[int | None]] = field(default_factory=list)  # statuses per doorbell
    verified: bool = False
    _tokens: dict[str, float] = field(default_factory=dict)  # access token -> expiry
    _revoked: set[str] = field(default_factory=set)
    _msg_tokens: dict[str, float] = field(default_factory=dict)  # doorbell token -> issued
    _untokened: list[float] = field(default_factory=list)
    _log: list[Entry] = field(default_factory=list)
    _sessions: dict[tuple[str, str], Session] = field(default_factory=dict)
    _codes: dict[str, Code] = field(default_factory=dict)
    _msgids: set[tuple[str, str]] = field(default_factory=set)  # (open_kfid, msgid) used
    _links: dict[str, str] = field(default_factory=dict)  # kfc id -> open_kfid
    _scenes: dict[str, tuple[str, str]] = field(default_factory=dict)  # enc -> (kfid, scene)
    _entered: dict[tuple[str, str], tuple[float, dict[str, Any]]] = field(default_factory=dict)
    _fail: dict[str, list[int]] = field(default_factory=dict)
    _stall: dict[str, float] = field(default_factory=dict)
    _epoch: str = field(default_factory=lambda: _random(8))  # cursors of this fake only
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # --- the clock and test hooks ----------------------------------------------------------

    def clock(self) -> float:
        return time.time() if self.now is None else self.now

    def advance(self, seconds: float) -> None:
        self.now = self.clock() + seconds

    def revoke_tokens(self) -> None:
        """WeCom revoking every access token early: 40014 from now on."""
        with self._lock:
            self._revoked |= set(self._tokens)

    def expire_tokens(self) -> None:
        """Every access token issued so far runs out now: 42001."""
        with self._lock:
            now = self.clock()
            self._tokens = {token: min(until, now) for token, until in self._tokens.items()}

    def fail(self, route: str, *errcodes: int) -> None:
        """Answer the next calls of `route` ("send_msg", "sync_msg", …) with these errcodes."""
        with self._lock:
            self._fail.setdefault(route, []).extend(errcodes)

    def stall(self, route: str, seconds: float) -> None:
        """Do the next call of `route`, then hold its answer back `seconds` (a lost answer)."""
        self._stall[route] = seconds

    def state_of(self, open_kfid: str, external_userid: str) -> int:
        with self._lock:
            return self._session((open_kfid, external_userid)).state

    def texts_to(self, external_userid: str) -> list[str]:
        """What the customer sees from the bot, in order (send_msg and send_msg_on_event)."""
        with self._lock:
            shown = [b for b in self.sent if b["touser"] == external_userid]
            shown += [b for b in self.event_sent if b["_touser"] == external_userid]
            shown.sort(key=lambda b: b["_at"])
            return [b["text"]["content"] for b in shown if b["msgtype"] == "text"]

    # --- what customers and servicers do ---------------------------------------------------

    def customer_says(
        self, open_kfid: str, external_userid: str, text: str, menu_id: str = ""
    ) -> str:
        body = {"content": text, **({"menu_id": menu_id} if menu_id else {})}
        return self.customer_sends(open_kfid, external_userid, "text", body)

    def customer_sends(
        self, open_kfid: str, external_userid: str, msgtype: str, body: dict[str, Any]
    ) -> str:
        """Any customer message (image: {"media_id": …}, location, …), origin 3."""
        with self._lock:
            self.customers.setdefault(external_userid, f"微信用户{len(self.customers) + 1}")
            session = self._session((open_kfid, external_userid))
            if session.state == 4:
                self._sessions[(open_kfid, external_userid)] = session = Session(
                    state=0, welcomed_at=session.welcomed_at
                )
            session.last_customer_at, session.sends = self.clock(), 0
            item = {
                "msgid": f"from_msgid_{secrets.randbelow(10**19)}",
                "open_kfid": open_kfid,
                "external_userid": external_userid,
                "send_time": int(self.clock()),
                "origin": 3,
                "msgtype": msgtype,
                msgtype: body,
            }
            return self._append(item, open_kfid, external_userid)

    def customer_enters(
        self, open_kfid: str, external_userid: str, scene: str = "", scene_param: str = ""
    ) -> str:
        """The customer opens the chat: enter_session, with a welcome_code when they had no
        welcome and wrote nothing in 48 h. The session stays as it was."""
        with self._lock:
            self.customers.setdefault(external_userid, f"微信用户{len(self.customers) + 1}")
            key = (open_kfid, external_userid)
            session, now = self._session(key), self.clock()
            event: dict[str, Any] = {
                "event_type": "enter_session",
                "open_kfid": open_kfid,
                "external_userid": external_userid,
                "scene": scene,
                "scene_param": scene_param,
            }
            quiet = session.last_customer_at is None or now - session.last_customer_at > WINDOW
            unwelcomed = session.welcomed_at is None or now - session.welcomed_at > WINDOW
            if quiet and unwelcomed:
                event["welcome_code"] = self._code("welcome", key, 20, None, {"text", "msgmenu"})
            self._entered[key] = (now, {"scene": scene, "scene_param": scene_param})
            return self._event(event, open_kfid, external_userid)

    def customer_opens(self, link: str, external_userid: str) -> str:
        """The customer opens a link from add_contact_way (maybe with &scene_param=…);
        a link whose other parameters were edited loses its scene."""
        parts = urllib.parse.urlsplit(link)
        open_kfid = self._links[parts.path.rsplit("/", 1)[-1]]
        query = urllib.parse.parse_qs(parts.query)
        kfid, scene = self._scenes.get((query.get("enc_scene") or [""])[0], ("", ""))
        param = (query.get("scene_param") or [""])[0]
        if kfid != open_kfid or len(param.encode()) > 128:
            scene, param = "", ""
        return self.customer_enters(open_kfid, external_userid, scene, param)

    def customer_recalls(self, open_kfid: str, external_userid: str, msgid: str) -> str:
        event = {
            "event_type": "user_recall_msg",
            "open_kfid": open_kfid,
            "external_userid": external_userid,
            "recall_msgid": msgid,
        }
        return self._event(event, open_kfid, external_userid)

    def servicer_says(self, open_kfid: str, external_userid: str, servicer: str, text: str) -> str:
        """A servicer typing in the WeCom client: origin 5."""
        with self._lock:
            item = {
                "msgid": f"servicer_{_random(20)}",
                "open_kfid": open_kfid,
                "external_userid": external_userid,
                "send_time": int(self.clock()),
                "origin": 5,
                "servicer_userid": servicer,
                "msgtype": "text",
                "text": {"content": text},
            }
            return self._append(item, open_kfid, external_userid)

    def servicer_takes(self, open_kfid: str, external_userid: str, servicer: str) -> str:
        """A servicer takes the session from the queue in the WeCom client (change_type 1)."""
        with self._lock:
            key = (open_kfid, external_userid)
            session = self._session(key)
            session.state, session.servicer = 3, servicer
            code = self._code("taken", key, WINDOW, 3, {"text"})
            event = {
                "event_type": "session_status_change",
                "open_kfid": open_kfid,
                "external_userid": external_userid,
                "change_type": 1,
                "new_servicer_userid": servicer,
                "msg_code": code,
            }
            return self._event(event, open_kfid, external_userid)

    def servicer_ends(self, open_kfid: str, external_userid: str) -> str:
        """The servicer ends the session in the WeCom client (change_type 3)."""
        with self._lock:
            key = (open_kfid, external_userid)
            session = self._session(key)
            old = session.servicer
            session.state, session.ended, session.servicer = 4, True, ""
            code = self._code("end", key, 20, 4, {"text", "msgmenu"})
            event = {
                "event_type": "session_status_change",
                "open_kfid": open_kfid,
                "external_userid": external_userid,
                "change_type": 3,
                "old_servicer_userid": old,
                "msg_code": code,
            }
            return self._event(event, open_kfid, external_userid)

    def send_fails(self, fail_msgid: str, fail_type: int) -> str:
        """A message send_msg accepted is reported undelivered (fail_type 4 session expired,
        6 over the limit, 10 customer refuses, …)."""
        with self._lock:
            body = next(b for b in self.sent if b["msgid"] == fail_msgid)
            event = {
                "event_type": "msg_send_fail",
                "open_kfid": body["open_kfid"],
                "external_userid": body["touser"],
                "fail_msgid": fail_msgid,
                "fail_type": fail_type,
            }
            return self._event(event, body["open_kfid"], body["touser"])

    def repeat(self, msgid: str) -> None:
        """The same item once more, later in the log: a message that comes twice."""
        with self._lock:
            entry = next(e for e in self._log if e.item["msgid"] == msgid)
            self._log.append(Entry(dict(entry.item), entry.open_kfid, entry.external_userid))

    # --- the callback ----------------------------------------------------------------------

    def _crypto(self) -> WeComCrypto:
        return WeComCrypto(self.callback_token, self.callback_aes_key, self.corp_id)

    def verify_callback(self) -> bool:
        """WeCom's GET check of the callback URL: the decrypted echostr must come back as it
        is, within 1 s."""
        plain = str(secrets.randbelow(10**19))
        crypto = self._crypto()
        echostr = crypto.encrypt(plain)
        timestamp, nonce = str(int(self.clock())), str(secrets.randbelow(10**10))
        params = {
            "msg_signature": signature(self.callback_token, timestamp, nonce, echostr),
            "timestamp": timestamp,
            "nonce": nonce,
            "echostr": echostr,
        }
        try:
            answer = httpx.get(self.callback_url, params=params, timeout=1)
        except httpx.HTTPError:
            return False
        self.verified = answer.status_code == 200 and answer.text == plain
        return self.verified

    def ring(self, open_kfid: str = "") -> str:
        """A doorbell for news on `open_kfid`: a fresh msg token (returned), and, when a
        callback URL is set, the encrypted, signed callback POSTed to it."""
        with self._lock:
            token = "ENC" + _random(44)
            self._msg_tokens[token] = self.clock()
            created = int(self.clock())
        kfid = f"<OpenKfId><![CDATA[{open_kfid}]]></OpenKfId>" if open_kfid else ""
        self.deliver(
            f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName>"
            f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            "<Event><![CDATA[kf_msg_or_event]]></Event>"
            f"<Token><![CDATA[{token}]]></Token>{kfid}</xml>"
        )
        return token

    def auth_change(self, added: list[str], removed: list[str]) -> None:
        """kf_account_auth_change: accounts given to or taken from this app."""
        items = "".join(f"<AuthAddOpenKfId><![CDATA[{k}]]></AuthAddOpenKfId>" for k in added)
        items += "".join(f"<AuthDelOpenKfId><![CDATA[{k}]]></AuthDelOpenKfId>" for k in removed)
        self.deliver(
            f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName>"
            "<FromUserName><![CDATA[sys]]></FromUserName>"
            f"<CreateTime>{int(self.clock())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[kf_account_auth_change]]></Event>{items}</xml>"
        )

    def deliver(self, plaintext: str, attempts: int = 4, wait: float = 5) -> None:
        """POST one callback; without an HTTP 200 within `wait`, the same again, `attempts`
        times in all. Nothing when no callback URL is set."""
        if not self.callback_url:
            return
        assert self.verified, "WeCom saves a callback URL only after its GET check passed"
        crypto = self._crypto()
        encrypted = crypto.encrypt(plaintext)
        timestamp, nonce = str(int(self.clock())), str(secrets.randbelow(10**10))
        params = {
            "msg_signature": signature(self.callback_token, timestamp, nonce, encrypted),
            "timestamp": timestamp,
            "nonce": nonce,
        }
        envelope = (
            f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt>"
            f"<AgentID><![CDATA[{self.agent_id}]]></AgentID></xml>"
        )
        statuses: list[int | None] = []
        self.deliveries.append(statuses)
        for _ in range(attempts):
            try:
                answer = httpx.post(
                    self.callback_url, params=params, content=envelope.encode(), timeout=wait
                )
                statuses.append(answer.status_code)
                if answer.status_code == 200:
                    return
            except httpx.HTTPError:
                statuses.append(None)

    # --- the server ------------------------------------------------------------------------

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/cgi-bin/gettoken")
        async def gettoken(corpid: str = "", corpsecret: str = "") -> dict[str, Any]:
            with self._lock:
                self.gettoken_calls += 1
                if corpid != self.corp_id:
                    return {"errcode": 40013, "errmsg": "invalid corpid"}
                if corpsecret != self.secret:
                    return {"errcode": 40001, "errmsg": "invalid credential"}
                token = "at" + _random(60)
                self._tokens[token] = self.clock() + self.token_ttl
                return {
                    "errcode": 0,
                    "errmsg": "ok",
                    "access_token": token,
                    "expires_in": self.token_ttl,
                }

        routes: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "sync_msg": self._sync_msg,
            "send_msg": self._send_msg,
            "send_msg_on_event": self._send_msg_on_event,
            "service_state/get": self._state_get,
            "service_state/trans": self._state_trans,
            "account/list": self._account_list,
            "add_contact_way": self._add_contact_way,
            "customer/batchget": self._batchget,
        }
        for name, handler in routes.items():
            app.add_api_route(
                f"/cgi-bin/kf/{name}",
                self._endpoint(name, handler),
                methods=["GET", "POST"] if name == "account/list" else ["POST"],
            )
        return app

    def _endpoint(
        self, name: str, handler: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> JSONResponse:
            raw = await request.body()  # before the lock: awaiting under it would block
            with self._lock:
                self.calls.append(name)
                answer = self._answer(name, handler, request.query_params.get("access_token"), raw)
                if answer["errcode"]:
                    self.refused.append((name, answer["errcode"]))
            hold = self._stall.pop(name, 0)
            if hold:
                await asyncio.sleep(hold)
            return JSONResponse(answer)

        return endpoint

    def _answer(
        self,
        name: str,
        handler: Callable[[dict[str, Any]], dict[str, Any]],
        token: str | None,
        raw: bytes,
    ) -> dict[str, Any]:
        if not token:
            return {"errcode": 41001, "errmsg": "access_token missing"}
        if token not in self._tokens or token in self._revoked:
            return {"errcode": 40014, "errmsg": "invalid access_token"}
        if self._tokens[token] <= self.clock():
            return {"errcode": 42001, "errmsg": "access_token expired"}
        if self._fail.get(name):
            return {"errcode": self._fail[name].pop(0), "errmsg": "injected"}
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return {"errcode": 47001, "errmsg": "data format error, Warning: wrong json format."}
        if not isinstance(body, dict):
            return {"errcode": 47001, "errmsg": "data format error"}
        return {"errcode": 0, "errmsg": "ok", **handler(body)}

    # --- the routes (under the lock; each returns the answer's fields or an error) ---------

    def _sync_msg(self, body: dict[str, Any]) -> dict[str, Any]:
        now, limit = self.clock(), body.get("limit", 1000)
        if not isinstance(limit, int) or limit < 1:
            return _error(INVALID, "invalid limit")
        limit = min(limit, 1000, self.page_cap or 1000)
        open_kfid = body.get("open_kfid", "")
        if open_kfid and open_kfid not in self.accounts:
            return _error(95004, "open_kfid not exist")
        token = body.get("token")
        if token:
            issued = self._msg_tokens.get(token)
            if issued is None or now - issued > MSG_TOKEN_TTL:
                return _error(95007, "invalid msg token")
        else:
            self._untokened = [t for t in self._untokened if t > now - 60]
            if len(self._untokened) >= self.untokened_per_minute:
                return _error(45009, "api freq out of limit")
            self._untokened.append(now)
        start = self._position(body.get("cursor", ""))
        if start is None:
            return _error(INVALID, "invalid cursor")
        if self.empty_pages > 0:
            self.empty_pages -= 1
            return {"next_cursor": self._cursor(start), "has_more": 1, "msg_list": []}
        items, position = [], start
        while position < len(self._log) and len(items) < limit:
            entry = self._log[position]
            position += 1
            if self._visible(entry, open_kfid, now):
                items.append(entry.item)
        more = any(self._visible(e, open_kfid, now) for e in self._log[position:])
        return {"next_cursor": self._cursor(position), "has_more": int(more), "msg_list": items}

    def _send_msg(self, body: dict[str, Any]) -> dict[str, Any]:
        open_kfid, touser = body.get("open_kfid"), body.get("touser")
        if not open_kfid or not isinstance(open_kfid, str):
            return _error(95000, "invalid open_kfid")
        if open_kfid not in self.accounts:
            return _error(95004, "open_kfid not exist")
        if touser not in self.customers:
            return _error(40096, "invalid external userid")
        msgid = body.get("msgid") or "gen_" + _random(28)
        if not isinstance(msgid, str) or not MSGID.fullmatch(msgid):
            return _error(INVALID, "invalid msgid")
        if (open_kfid, msgid) in self._msgids:
            return _error(INVALID, "msgid duplicated")
        checked = self._content(body, {"text", "msgmenu"})
        if checked:
            return checked
        session, now = self._session((open_kfid, touser)), self.clock()
        if session.state in (2, 3):
            return _error(95018, "send msg session status invalid")
        if session.ended:
            return _error(95013, "conversation end")
        if session.last_customer_at is None or now - session.last_customer_at > WINDOW:
            return _error(95002, "send msg time limit")
        if session.sends >= SEND_ALLOWANCE:
            return _error(95001, "send msg count limit")
        session.sends += 1
        self._msgids.add((open_kfid, msgid))
        self.sent.append({**body, "msgid": msgid, "_at": now})
        return {"msgid": msgid}

    def _send_msg_on_event(self, body: dict[str, Any]) -> dict[str, Any]:
        now, code = self.clock(), self._codes.get(str(body.get("code", "")))
        if code is None or code.used or now - code.issued_at > code.ttl:
            return _error(INVALID, "invalid code")
        session = self._session(code.key)
        if code.state is not None and session.state != code.state:
            return _error(INVALID, "invalid code: session state changed")
        msgid = body.get("msgid") or "gen_" + _random(28)
        if not isinstance(msgid, str) or not MSGID.fullmatch(msgid):
            return _error(INVALID, "invalid msgid")
        if (code.key[0], msgid) in self._msgids:
            return _error(INVALID, "msgid duplicated")
        checked = self._content(body, code.types)
        if checked:
            return checked
        code.used = True
        if code.kind == "welcome":
            session.welcomed_at = now
        self._msgids.add((code.key[0], msgid))
        self.event_sent.append({**body, "msgid": msgid, "_at": now, "_touser": code.key[1]})
        return {"msgid": msgid}

    def _state_get(self, body: dict[str, Any]) -> dict[str, Any]:
        key = self._who(body)
        if isinstance(key, dict):
            return key
        session = self._session(key)
        answer: dict[str, Any] = {"service_state": session.state}
        if session.state == 3:
            answer["servicer_userid"] = session.servicer
        return answer

    def _state_trans(self, body: dict[str, Any]) -> dict[str, Any]:
        key = self._who(body)
        if isinstance(key, dict):
            return key
        target, servicer = body.get("service_state"), body.get("servicer_userid", "")
        if target not in (0, 1, 2, 3, 4):
            return _error(INVALID, "invalid service_state")
        session = self._session(key)
        if target not in MOVES[session.state]:
            return _error(FORBIDDEN_MOVE, "service state transition not allowed")
        if target == 3 and self.servicers.get(servicer) != 0:
            return _error(NOT_RECEIVING, "servicer not receiving or not activated")
        answer: dict[str, Any] = {}
        if target in (2, 3) and target not in session.coded:
            session.coded.add(target)
            kind = "queue" if target == 2 else "taken"
            answer["msg_code"] = self._code(kind, key, WINDOW, target, {"text"})
        if target == 4:
            answer["msg_code"] = self._code("end", key, 20, 4, {"text", "msgmenu"})
            session.ended = True
        session.state, session.servicer = target, servicer if target == 3 else ""
        return answer

    def _account_list(self, body: dict[str, Any]) -> dict[str, Any]:
        offset, limit = body.get("offset", 0), body.get("limit", 100)
        if not isinstance(offset, int) or not isinstance(limit, int) or not 1 <= limit <= 100:
            return _error(INVALID, "invalid offset or limit")
        accounts = list(self.accounts.items())[offset : offset + limit]
        return {
            "account_list": [
                {
                    "open_kfid": kfid,
                    "name": name,
                    "avatar": "https://wework.qpic.cn/wwhead/fake",
                    "manage_privilege": True,
                }
                for kfid, name in accounts
            ]
        }

    def _add_contact_way(self, body: dict[str, Any]) -> dict[str, Any]:
        open_kfid, scene = body.get("open_kfid"), body.get("scene", "")
        if not open_kfid or not isinstance(open_kfid, str):
            return _error(95000, "invalid open_kfid")
        if open_kfid not in self.accounts:
            return _error(95004, "open_kfid not exist")
        if not isinstance(scene, str) or not re.fullmatch(r"[0-9A-Za-z_-]{0,32}", scene):
            return _error(INVALID, "invalid scene")
        link = next((k for k, v in self._links.items() if v == open_kfid), "")
        if not link:
            link = "kfc" + secrets.token_hex(8)
            self._links[link] = open_kfid
        url = f"https://work.weixin.qq.com/kf/{link}"
        if scene:
            enc = "ENC" + _random(12)
            self._scenes[enc] = (open_kfid, scene)
            url += f"?enc_scene={enc}"
        return {"url": url}

    def _batchget(self, body: dict[str, Any]) -> dict[str, Any]:
        ids = body.get("external_userid_list")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            return _error(INVALID, "external_userid_list: 1 to 100 ids")
        now, found, invalid = self.clock(), [], []
        for userid in ids:
            if userid not in self.customers:
                invalid.append(userid)
                continue
            customer = {
                "external_userid": userid,
                "nickname": self.customers[userid],
                "avatar": "http://wx.qlogo.cn/mmhead/fake",
                "gender": 1,
                "unionid": "ox" + userid[-12:],
            }
            if body.get("need_enter_session_context") == 1:
                entered = [
                    (at, ctx)
                    for (_, ext), (at, ctx) in self._entered.items()
                    if ext == userid and now - at <= WINDOW
                ]
                if entered:
                    customer["enter_session_context"] = max(entered, key=lambda e: e[0])[1]
            found.append(customer)
        return {"customer_list": found, "invalid_external_userid": invalid}

    # --- inside ----------------------------------------------------------------------------

    def _session(self, key: tuple[str, str]) -> Session:
        session = self._sessions.setdefault(key, Session())
        last = session.last_customer_at
        if session.state != 4 and last is not None and self.clock() - last > WINDOW:
            session.state, session.servicer = 4, ""  # 48 h passed: over, not "ended"
        return session

    def _who(self, body: dict[str, Any]) -> tuple[str, str] | dict[str, Any]:
        open_kfid, userid = body.get("open_kfid"), body.get("external_userid")
        if not open_kfid or not isinstance(open_kfid, str):
            return _error(95000, "invalid open_kfid")
        if open_kfid not in self.accounts:
            return _error(95004, "open_kfid not exist")
        if not isinstance(userid, str) or userid not in self.customers:
            return _error(40096, "invalid external userid")
        return (open_kfid, userid)

    def _content(self, body: dict[str, Any], types: set[str] | frozenset[str]) -> dict[str, Any]:
        msgtype = body.get("msgtype")
        if msgtype not in types:
            return _error(40008, "invalid message type")
        if msgtype == "msgmenu":
            menu = body.get("msgmenu") or {}
            return _error(95008, "too many menu items") if len(menu.get("list", [])) > 10 else {}
        content = (body.get("text") or {}).get("content")
        if not isinstance(content, str) or not content:
            return _error(44004, "empty content")
        if len(content.encode()) > TEXT_BYTES:
            return _error(INVALID, "content exceed max length")
        return {}

    def _code(
        self, kind: str, key: tuple[str, str], ttl: float, state: int | None, types: set[str]
    ) -> str:
        code = _random(32)
        self._codes[code] = Code(kind, key, self.clock(), ttl, state, frozenset(types))
        return code

    def _event(self, event: dict[str, Any], open_kfid: str, external_userid: str) -> str:
        with self._lock:
            item = {
                "msgid": _random(44),
                "send_time": int(self.clock()),
                "origin": 4,
                "msgtype": "event",
                "event": event,
            }
            return self._append(item, open_kfid, external_userid)

    def _append(self, item: dict[str, Any], open_kfid: str, external_userid: str) -> str:
        self._log.append(Entry(item, open_kfid, external_userid))
        return str(item["msgid"])

    def _visible(self, entry: Entry, open_kfid: str, now: float) -> bool:
        fresh = entry.item["send_time"] >= now - KEEP
        return fresh and (not open_kfid or entry.open_kfid == open_kfid)

    def _cursor(self, position: int) -> str:
        return f"{self._epoch}{position:x}"

    def _position(self, cursor: object) -> int | None:
        if not cursor:
            return 0  # the oldest entry; those past 3 days are skipped as invisible
        if not isinstance(cursor, str) or not cursor.startswith(self._epoch):
            return None
        try:
            position = int(cursor[len(self._epoch) :], 16)
        except ValueError:
            return None
        return position if 0 <= position <= len(self._log) else None


def _error(code: int, message: str) -> dict[str, Any]:
    """A refusal: `_answer` spreads it over errcode 0, so it is the errcode that counts."""
    return {"errcode": code, "errmsg": message}
