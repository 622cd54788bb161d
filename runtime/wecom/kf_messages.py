"""What the 微信客服 (kf) API hands us, typed: the callback's doorbell, `sync_msg` items and
pages, session states, accounts and customers (shared/wecom/KF.md §1, §3, §6, §7).

Reading is forgiving of what WeCom adds and strict about what we rely on: an item without
a msgid cannot be deduplicated and is skipped (counted in `SyncPage.skipped`); a field of
the wrong type reads as empty. Event items carry `open_kfid`/`external_userid` inside
`event`; a `KfMessage` has them at the top either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CUSTOMER, SYSTEM, SERVICER = 3, 4, 5  # origin of a sync_msg item
NEW, BOT, QUEUED, HUMAN, ENDED = 0, 1, 2, 3, 4  # service_state
MAX_MSG_TOKEN = 128  # bytes of a doorbell's Token


@dataclass(frozen=True)
class Doorbell:
    """A `kf_msg_or_event` callback: news is waiting; `token` unlocks `sync_msg` for 10
    minutes; `open_kfid` names the account ("" from old standalone-kf set-ups)."""

    token: str
    open_kfid: str
    create_time: int


def read_doorbell(fields: Mapping[str, str], corp_id: str) -> Doorbell | None:
    """A decrypted callback's flat XML fields as a Doorbell; None for another event (such
    as `kf_account_auth_change`). ValueError when a doorbell is not shaped as WeCom sends."""
    if fields.get("MsgType") != "event" or fields.get("Event") != "kf_msg_or_event":
        return None
    if fields.get("ToUserName") != corp_id:
        raise ValueError("doorbell for another corp id")
    token, open_kfid = fields.get("Token", ""), fields.get("OpenKfId", "")
    created = fields.get("CreateTime", "")
    if not token or len(token.encode()) > MAX_MSG_TOKEN or not token.isascii():
        raise ValueError("doorbell Token is missing or not WeCom's")
    if not token.isprintable() or not (open_kfid.isascii() and open_kfid.isprintable()):
        raise ValueError("doorbell Token or OpenKfId has characters WeCom never sends")
    if not (created.isascii() and created.isdigit() and len(created) <= 12):
        raise ValueError("doorbell CreateTime is not a number of seconds")
    return Doorbell(token, open_kfid, int(created))


@dataclass(frozen=True)
class KfEvent:
    """The `event` of a `msgtype: event` item; fields its `event_type` lacks are empty."""

    event_type: str
    scene: str = ""  # enter_session: what add_contact_way was given
    scene_param: str = ""  # enter_session: what was appended to the link
    welcome_code: str = ""  # enter_session: for one welcome, within 20 s
    fail_msgid: str = ""  # msg_send_fail
    fail_type: int | None = None
    change_type: int | None = None  # session_status_change: 1 taken, 2 moved, 3 ended, 4 reopened
    old_servicer_userid: str = ""
    new_servicer_userid: str = ""
    msg_code: str = ""  # session_status_change 1 and 3: for send_msg_on_event
    servicer_userid: str = ""  # servicer_status_change, reject switch, servicer recall
    status: int | None = None  # servicer_status_change: 1 receiving, 2 stopped
    stop_type: int | None = None
    recall_msgid: str = ""  # user_recall_msg, servicer_recall_msg
    reject_switch: int | None = None  # reject_customer_msg_switch_change: 1 blocked


@dataclass(frozen=True)
class KfMessage:
    """One `sync_msg` item. `text` is a text's content (a tapped menu item's words, with
    `menu_id` set); `media_id` an image's, voice's, video's or file's."""

    msgid: str
    open_kfid: str
    external_userid: str
    send_time: int
    origin: int  # 3 customer, 4 system event, 5 servicer in the WeCom client
    msgtype: str
    text: str = ""
    menu_id: str = ""
    media_id: str = ""
    servicer_userid: str = ""
    event: KfEvent | None = None

    @property
    def from_customer(self) -> bool:
        return self.origin == CUSTOMER


@dataclass(frozen=True)
class SyncPage:
    messages: tuple[KfMessage, ...]
    next_cursor: str
    has_more: bool
    skipped: int = 0  # items without a msgid


@dataclass(frozen=True)
class SyncBatch:
    """Every page of one drain, each msgid once, oldest first; `cursor` to keep (after the
    messages are journaled) for the next drain."""

    messages: tuple[KfMessage, ...]
    cursor: str
    pages: int
    duplicates: int  # items seen twice within this drain


@dataclass(frozen=True)
class ServiceState:
    state: int  # 0 new, 1 bot, 2 queued, 3 human, 4 ended or not started
    servicer_userid: str = ""  # only in state 3


@dataclass(frozen=True)
class KfAccount:
    open_kfid: str
    name: str
    manage_privilege: bool  # this app may send and assign for the account


@dataclass(frozen=True)
class KfCustomer:
    """What a bot may know of a WeChat customer: the nickname, never more."""

    external_userid: str
    nickname: str


def text_of(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def int_of(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def read_event(body: Mapping[str, Any]) -> KfEvent:
    def s(key: str) -> str:
        return text_of(body.get(key))

    def n(key: str) -> int | None:
        return int_of(body.get(key))

    return KfEvent(
        event_type=s("event_type"),
        scene=s("scene"),
        scene_param=s("scene_param"),
        welcome_code=s("welcome_code"),
        fail_msgid=s("fail_msgid"),
        fail_type=n("fail_type"),
        change_type=n("change_type"),
        old_servicer_userid=s("old_servicer_userid"),
        new_servicer_userid=s("new_servicer_userid"),
        msg_code=s("msg_code"),
        servicer_userid=s("servicer_userid"),
        status=n("status"),
        stop_type=n("stop_type"),
        recall_msgid=s("recall_msgid"),
        reject_switch=n("reject_switch"),
    )


def read_message(item: object) -> KfMessage | None:
    """A `msg_list` item, or None when it has no msgid."""
    raw = _dict(item)
    msgid = text_of(raw.get("msgid"))
    if not msgid:
        return None
    msgtype = text_of(raw.get("msgtype"))
    body = _dict(raw.get(msgtype)) if msgtype else {}
    event = read_event(body) if msgtype == "event" else None
    where = body if event else raw
    return KfMessage(
        msgid=msgid,
        open_kfid=text_of(where.get("open_kfid")) or text_of(raw.get("open_kfid")),
        external_userid=text_of(where.get("external_userid"))
        or text_of(raw.get("external_userid")),
        send_time=int_of(raw.get("send_time")) or 0,
        origin=int_of(raw.get("origin")) or 0,
        msgtype=msgtype,
        text=text_of(body.get("content")) if msgtype == "text" else "",
        menu_id=text_of(body.get("menu_id")) if msgtype == "text" else "",
        media_id=text_of(body.get("media_id")),
        servicer_userid=text_of(raw.get("servicer_userid")) or text_of(body.get("servicer_userid")),
        event=event,
    )


def read_page(answer: Mapping[str, Any]) -> SyncPage:
    items = answer.get("msg_list")
    items = items if isinstance(items, list) else []
    messages = [read_message(item) for item in items]
    kept = tuple(m for m in messages if m is not None)
    return SyncPage(
        messages=kept,
        next_cursor=text_of(answer.get("next_cursor")),
        has_more=int_of(answer.get("has_more")) == 1,
        skipped=len(messages) - len(kept),
    )
