"""The group push webhook client: one POST, and what WeCom's answer means for us.

WeCom answers HTTP 200 with an errcode; a frequency error or a network error is
worth retrying, a bad key is not (the binding is broken until someone fixes it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from runtime.wecom.config import api_base

RETRY_CODES = {-1, 45009, 45033}  # system busy; frequency limits
BROKEN_CODES = {93000, 93004, 93008}  # invalid or disabled webhook key


@dataclass(frozen=True)
class SendResult:
    ok: bool
    retry: bool = False
    broken: bool = False
    error: str = ""


def classify(response: requests.Response) -> SendResult:
    if response.status_code >= 500 or response.status_code == 429:
        return SendResult(False, retry=True, error=f"HTTP {response.status_code}")
    try:
        answer = response.json()
    except ValueError:
        return SendResult(False, retry=True, error=f"HTTP {response.status_code}, not JSON")
    code = answer.get("errcode", 0)
    if code == 0:
        return SendResult(True)
    error = f"errcode {code}: {answer.get('errmsg', '')}".strip()
    if code in RETRY_CODES:
        return SendResult(False, retry=True, error=error)
    return SendResult(False, broken=code in BROKEN_CODES, error=error)


def post_json(url: str, body: dict[str, Any], timeout: float = 10) -> SendResult:
    try:
        response = requests.post(url, json=body, timeout=timeout)
    except requests.RequestException as exc:
        return SendResult(False, retry=True, error=f"network: {type(exc).__name__}")
    return classify(response)


def webhook_url(key: str) -> str:
    return f"{api_base()}/cgi-bin/webhook/send?key={key}"


def message_body(text: str, markdown: bool) -> dict[str, Any]:
    kind = "markdown" if markdown else "text"
    return {"msgtype": kind, kind: {"content": text}}
