"""The 微信客服 (kf) API client: WeChat customers writing to a WeCom kf account
(shared/wecom/KF.md). Typed answers (`kf_messages`), one error type (`kf_errors`, which
also says which errcodes are retried and by whom), shared access tokens (`kf_tokens`).

The callback is only a doorbell (`read_doorbell`); the messages come from `sync_msg`,
drained page by page while `has_more` (`pages`, `drain`). What the bot sends leaves through
`send_msg` with a msgid of our own (`make_msgid`): WeCom refuses a msgid it has seen, so a
send repeated after a lost answer is never shown twice. Base URL: BOTSTUDIO_WECOM_API.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from typing import Any

import requests

from runtime.wecom.config import api_base
from runtime.wecom.kf_errors import MSG_TOKEN_CODES, TOKEN_CODES, KfError
from runtime.wecom.kf_messages import (
    BOT,
    ENDED,
    HUMAN,
    QUEUED,
    Doorbell,
    KfAccount,
    KfCustomer,
    KfMessage,
    ServiceState,
    SyncBatch,
    SyncPage,
    int_of,
    read_doorbell,
    read_page,
    text_of,
)
from runtime.wecom.kf_tokens import SHARED, AccessTokens, answer_of
from runtime.wecom.split import TEXT_LIMIT

__all__ = [
    "Doorbell",
    "KfAccount",
    "KfClient",
    "KfCustomer",
    "KfError",
    "KfMessage",
    "ServiceState",
    "SyncBatch",
    "SyncPage",
    "make_msgid",
    "read_doorbell",
]

SYNC_LIMIT = 1000  # most items sync_msg returns at once
BATCHGET_LIMIT = 100  # external_userids per customer/batchget
ACCOUNT_PAGE = 100
MSGID = re.compile(r"[0-9A-Za-z_-]{1,32}")
SCENE = re.compile(r"[0-9A-Za-z_-]{0,32}")
TARGETS = {BOT, QUEUED, HUMAN, ENDED}  # states service_state/trans may move a session to


def make_msgid(*parts: str) -> str:
    """A msgid for `send_msg` made from what identifies one message on our side (bot,
    inbox row, chunk): the same parts give the same msgid, so a retry is the same message."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return "bs" + digest[:30]


class KfClient:
    """One app's calls: `corp_id` and the self-built app's `secret` (KF.md §2)."""

    def __init__(
        self,
        corp_id: str,
        secret: str,
        *,
        tokens: AccessTokens | None = None,
        timeout: float = 10,
    ):
        self.corp_id, self.secret = corp_id, secret
        self.tokens = tokens if tokens is not None else SHARED
        self.timeout = timeout

    # --- messages in ---------------------------------------------------------------------

    def sync_msg(
        self,
        token: str | None = None,
        cursor: str = "",
        open_kfid: str = "",
        limit: int = SYNC_LIMIT,
    ) -> SyncPage:
        """One page of messages after `cursor` ("" = the oldest of the last 3 days).
        `token` is the doorbell's; when WeCom calls it invalid (95007) the page is asked
        for once more without it."""
        if not 1 <= limit <= SYNC_LIMIT:
            raise ValueError(f"limit must be 1..{SYNC_LIMIT}")
        body: dict[str, Any] = {"limit": limit}
        if cursor:
            body["cursor"] = cursor
        if open_kfid:
            body["open_kfid"] = open_kfid
        try:
            answer = self._call(
                "/cgi-bin/kf/sync_msg", {**body, **({"token": token} if token else {})}
            )
        except KfError as exc:
            if not token or exc.errcode not in MSG_TOKEN_CODES:
                raise
            answer = self._call("/cgi-bin/kf/sync_msg", body)
        return read_page(answer)

    def pages(
        self,
        token: str | None = None,
        cursor: str = "",
        open_kfid: str = "",
        limit: int = SYNC_LIMIT,
        max_pages: int = 1000,
    ) -> Iterator[SyncPage]:
        """Every page from `cursor` until `has_more` is 0 (an empty page with `has_more`
        is followed too), at most `max_pages`. Keep each page's `next_cursor` once its
        messages are journaled; never only the last item of a page."""
        for _ in range(max_pages):
            page = self.sync_msg(token, cursor, open_kfid, limit)
            yield page
            cursor = page.next_cursor or cursor
            if not page.has_more:
                return

    def drain(
        self,
        token: str | None = None,
        cursor: str = "",
        open_kfid: str = "",
        limit: int = SYNC_LIMIT,
        max_pages: int = 1000,
    ) -> SyncBatch:
        """All pages at once, each msgid once (a message may come twice: across pages, and
        across drains, where the inbox's unique key catches it)."""
        seen: set[str] = set()
        kept: list[KfMessage] = []
        count = duplicates = 0
        for page in self.pages(token, cursor, open_kfid, limit, max_pages):
            count += 1
            cursor = page.next_cursor or cursor
            for message in page.messages:
                if message.msgid in seen:
                    duplicates += 1
                    continue
                seen.add(message.msgid)
                kept.append(message)
        return SyncBatch(tuple(kept), cursor, count, duplicates)

    # --- messages out --------------------------------------------------------------------

    def send_msg(self, open_kfid: str, touser: str, text: str, *, msgid: str) -> str:
        """Send `text` (≤2048 bytes) from account `open_kfid` to customer `touser`; the
        msgid WeCom accepted. Accepted is not delivered: a failure comes later as a
        `msg_send_fail` event naming this msgid."""
        body = {
            "touser": touser,
            "open_kfid": open_kfid,
            "msgid": _checked_msgid(msgid),
            "msgtype": "text",
            "text": {"content": _checked_text(text)},
        }
        return text_of(self._call("/cgi-bin/kf/send_msg", body).get("msgid")) or msgid

    def send_msg_on_event(self, code: str, text: str, *, msgid: str) -> str:
        """The one message a `welcome_code` (or a `msg_code`) allows; a code works once,
        a welcome code for 20 s. Any error is final: never fall back to `send_msg`."""
        if not code:
            raise ValueError("no code: there is nothing to answer")
        body = {
            "code": code,
            "msgid": _checked_msgid(msgid),
            "msgtype": "text",
            "text": {"content": _checked_text(text)},
        }
        return text_of(self._call("/cgi-bin/kf/send_msg_on_event", body).get("msgid")) or msgid

    # --- sessions ------------------------------------------------------------------------

    def service_state_get(self, open_kfid: str, external_userid: str) -> ServiceState:
        answer = self._call(
            "/cgi-bin/kf/service_state/get",
            {"open_kfid": open_kfid, "external_userid": external_userid},
        )
        state = int_of(answer.get("service_state"))
        if state is None:
            raise KfError.unreachable("/cgi-bin/kf/service_state/get", "HTTP 200, no state")
        servicer = text_of(answer.get("servicer_userid")) or text_of(answer.get("service_userid"))
        return ServiceState(state, servicer)

    def service_state_trans(
        self, open_kfid: str, external_userid: str, state: int, servicer_userid: str = ""
    ) -> str:
        """Move the session to `state` (1 bot, 2 queue, 3 a servicer, 4 end); the msg_code
        WeCom gives for one message on that move (for send_msg_on_event), or ""."""
        if state not in TARGETS:
            raise ValueError("a session can be moved to 1, 2, 3 or 4")
        if state == HUMAN and not servicer_userid:
            raise ValueError("moving to a servicer (3) needs servicer_userid")
        body: dict[str, Any] = {
            "open_kfid": open_kfid,
            "external_userid": external_userid,
            "service_state": state,
        }
        if servicer_userid:
            body["servicer_userid"] = servicer_userid
        return text_of(self._call("/cgi-bin/kf/service_state/trans", body).get("msg_code"))

    # --- accounts, links, customers ------------------------------------------------------

    def account_list(self) -> list[KfAccount]:
        """Every kf account this app can see, paged until a short page."""
        accounts: list[KfAccount] = []
        offset = 0
        while True:
            answer = self._call(
                "/cgi-bin/kf/account/list", {"offset": offset, "limit": ACCOUNT_PAGE}
            )
            items = answer.get("account_list")
            items = items if isinstance(items, list) else []
            for item in items:
                if isinstance(item, dict) and text_of(item.get("open_kfid")):
                    accounts.append(
                        KfAccount(
                            text_of(item.get("open_kfid")),
                            text_of(item.get("name")),
                            item.get("manage_privilege") is True,
                        )
                    )
            if len(items) < ACCOUNT_PAGE:
                return accounts
            offset += len(items)

    def add_contact_way(self, open_kfid: str, scene: str = "") -> str:
        """The link customers open to chat with `open_kfid`; `scene` (≤32 of
        [0-9A-Za-z_-]) comes back in their `enter_session` event. Append
        `&scene_param=<urlencoded ≤128 bytes>` for more; change nothing else in it."""
        if not SCENE.fullmatch(scene):
            raise ValueError("scene: at most 32 of 0-9 A-Z a-z _ -")
        body = {"open_kfid": open_kfid, **({"scene": scene} if scene else {})}
        url = text_of(self._call("/cgi-bin/kf/add_contact_way", body).get("url"))
        if not url:
            raise KfError.unreachable("/cgi-bin/kf/add_contact_way", "HTTP 200, no url")
        return url

    def customer_batchget(self, external_userids: Sequence[str]) -> list[KfCustomer]:
        """The nicknames of these customers (asked 100 at a time); unknown ids are left
        out. Nothing else WeCom knows of them is kept."""
        customers: list[KfCustomer] = []
        ids = list(dict.fromkeys(external_userids))
        for start in range(0, len(ids), BATCHGET_LIMIT):
            answer = self._call(
                "/cgi-bin/kf/customer/batchget",
                {
                    "external_userid_list": ids[start : start + BATCHGET_LIMIT],
                    "need_enter_session_context": 0,
                },
            )
            items = answer.get("customer_list")
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and text_of(item.get("external_userid")):
                    customers.append(
                        KfCustomer(
                            text_of(item.get("external_userid")), text_of(item.get("nickname"))
                        )
                    )
        return customers

    # --- the wire ------------------------------------------------------------------------

    def _call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST `body` with the shared token; on 40014/42001/41001 once more with a new one."""
        token = self.tokens.get(self.corp_id, self.secret)
        answer = self._post(path, token, body)
        if answer.get("errcode") in TOKEN_CODES:
            token = self.tokens.get(self.corp_id, self.secret, stale=token)
            answer = self._post(path, token, body)
        if answer.get("errcode", 0) != 0:
            raise KfError.from_answer(path, answer)
        return answer

    def _post(self, path: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
        return answer_of(
            path,
            lambda: requests.post(
                api_base() + path,
                params={"access_token": token},
                json=body,
                timeout=self.timeout,
            ),
        )


def _checked_msgid(msgid: str) -> str:
    if not MSGID.fullmatch(msgid):
        raise ValueError("msgid: 1 to 32 of 0-9 A-Z a-z _ - (see make_msgid)")
    return msgid


def _checked_text(text: str) -> str:
    if not text.strip():
        raise ValueError("empty text")
    if len(text.encode()) > TEXT_LIMIT:
        raise ValueError(f"text over {TEXT_LIMIT} bytes: split it first (runtime/wecom/split)")
    return text
