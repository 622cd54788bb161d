"""Every channel adapter of the server, in the order they are built (an adapter may use
those before it, through `Parts.built`). Adding a channel: one adapter module (a
runtime/channels/adapter.Adapter), the fields of its binding (runtime/wecom/bindings.py),
and its line here; the server and the hub change not at all."""

from __future__ import annotations

from runtime.channels.adapter import Adapter
from runtime.channels.openai_api import ApiChannel
from runtime.channels.web_chat import WebChatChannel
from runtime.channels.wecom.aibot import AIBotChannel
from runtime.channels.wecom.app import AppChannel
from runtime.channels.wecom.kf import KfChannel
from runtime.channels.wecom.longconn import LongConnections

ADAPTERS: tuple[type[Adapter], ...] = (
    AIBotChannel,  # the AI bot's callback (智能机器人)
    AppChannel,  # the self-built app's callback (自建应用)
    LongConnections,  # the AI bot's long connections: handled like its callback
    KfChannel,  # 微信客服: WeChat customers, through a kf account's doorbell and sync_msg
    ApiChannel,  # the OpenAI-compatible API (/v1/…), for callers with a key (apikey create)
    WebChatChannel,  # the public web chat page of a bot (/chat/BOT), when it is switched on
)
