"""Access tokens for the 微信客服 API: one per (WeCom, corp id, secret), shared by every
caller in the process (KF.md §2: gettoken per request is frequency-blocked).

A token is fetched once, kept until `MARGIN` seconds before its `expires_in` runs out, and
fetched again then; when WeCom says a token is invalid or expired before that (40014,
42001), the caller hands back the token that failed (`stale=`) and gets a new one — or the
one another thread fetched meanwhile, so a burst of refusals costs one gettoken. Callers
of different apps never wait for each other.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from runtime.wecom.config import api_base
from runtime.wecom.kf_errors import KfError

MARGIN = 300  # seconds before expiry a token is replaced
GETTOKEN = "/cgi-bin/gettoken"


@dataclass(frozen=True)
class _Held:
    token: str
    until: float  # our clock; replaced from here on


class AccessTokens:
    def __init__(self, clock: Callable[[], float] = time.time, timeout: float = 10):
        self.clock, self.timeout = clock, timeout
        self._held: dict[tuple[str, str, str], _Held] = {}
        self._locks: dict[tuple[str, str, str], threading.Lock] = {}
        self._guard = threading.Lock()
        self.fetched = 0  # gettoken calls that returned a token

    def get(self, corp_id: str, secret: str, *, stale: str = "") -> str:
        """The token for this app; a new one when the held one is near expiry or is `stale`
        (the one WeCom just refused). Raises KfError when WeCom gives none."""
        key = (api_base(), corp_id, secret)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            held = self._held.get(key)
            if held and held.token != stale and held.until > self.clock():
                return held.token
            token, expires_in = self._fetch(key[0], corp_id, secret)
            self._held[key] = _Held(token, self.clock() + max(expires_in - MARGIN, 0))
            self.fetched += 1
            return token

    def forget(self, corp_id: str, secret: str) -> None:
        """Drop the held token (an unbound app's), so that nothing keeps using it."""
        with self._guard:
            self._held.pop((api_base(), corp_id, secret), None)

    def _fetch(self, base: str, corp_id: str, secret: str) -> tuple[str, int]:
        answer = answer_of(
            GETTOKEN,
            lambda: requests.get(
                base + GETTOKEN,
                params={"corpid": corp_id, "corpsecret": secret},
                timeout=self.timeout,
            ),
        )
        token, expires_in = answer.get("access_token"), answer.get("expires_in", 7200)
        if answer.get("errcode", 0) != 0:
            raise KfError.from_answer(GETTOKEN, answer)
        if not isinstance(token, str) or not token or not isinstance(expires_in, int):
            raise KfError.unreachable(GETTOKEN, "HTTP 200, no access_token")
        return token, expires_in


SHARED = AccessTokens()  # every KfClient's unless it is given its own


def answer_of(path: str, call: Callable[[], requests.Response]) -> dict[str, Any]:
    """The JSON object a kf call answered; a KfError naming the path when the network
    failed or the answer is not a JSON object (its errcode is the caller's to read)."""
    try:
        response = call()
    except requests.RequestException as exc:
        raise KfError.unreachable(path, f"network: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise KfError.unreachable(path, f"HTTP {response.status_code}")
    try:
        answer = response.json()
    except ValueError:
        raise KfError.unreachable(path, "HTTP 200, not JSON") from None
    if not isinstance(answer, dict):
        raise KfError.unreachable(path, "HTTP 200, not a JSON object")
    return answer
