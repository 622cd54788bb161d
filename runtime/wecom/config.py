"""Where WeCom is: configurable so that tests (and private deployments) can point elsewhere."""

from __future__ import annotations

import os


def api_base() -> str:
    return os.environ.get("BOTSTUDIO_WECOM_API", "https://qyapi.weixin.qq.com").rstrip("/")


def ws_base() -> str:
    return os.environ.get("BOTSTUDIO_WECOM_WS", "wss://openws.work.weixin.qq.com").rstrip("/")
