"""What a 微信客服 (kf) API error means and who retries it (shared/wecom/KF.md §8).

WeCom answers HTTP 200 with an `errcode`; the client branches on the code, never on
`errmsg`. Every failure becomes one `KfError`: its errcode (None for the network or an
answer that is not WeCom's JSON), a technical `reason` in the form runtime/wecom/reasons.py
reads ("errcode 95001: send msg count limit", "HTTP 502", "network: ConnectTimeout"), and
words in either language (`text(lang)`, from the string table's `kf.errcode.<code>` when it
has them, else the general delivery words).

Who retries what:

- 40014, 42001, 41001 (access token invalid, expired, missing): the client itself fetches a
  new token once and repeats the call once (`TOKEN_CODES`). A send repeated this way cannot
  show twice: WeCom refused the first call before looking at it.
- 95007 (the doorbell's msg token is invalid or older than 10 minutes): `sync_msg` repeats the
  call once without it (`MSG_TOKEN_CODES`).
- -1, 45009, 45033 (busy, frequency, concurrency limits) and the network: `retry_later` — the
  caller (the outbox) tries again with backoff, with the same msgid (`RETRY_CODES`).
- Never retried:
  - 95001, 95002, 95013 (five replies since the customer wrote, 48 hours passed, conversation
    ended): `stop_customer` — nothing more goes to this customer until they write again.
  - 95018 (the session is queued or with a human): `human_owns` — the bot stays silent.
  - 40001, 40013, 48002, 95017, 60020, 95000, 95004, 95011, 95012 (secret, corp id, no
    permission, API switch off, IP not trusted, bad or missing kf account, kf not served by
    the API): `broken` — the binding is wrong until a person fixes it.
  - 40007, 40096 (media gone, unknown customer): the message is dropped.
  - any answer to `send_msg_on_event` (a code works once and lives 20 s or 48 h), a duplicate
    msgid, and every code not named here.
"""

from __future__ import annotations

import re
from typing import Any

from runtime.i18n import STRINGS, Explained
from runtime.wecom.webhook import SendResult

TOKEN_CODES = frozenset({40014, 42001, 41001})
MSG_TOKEN_CODES = frozenset({95007})
RETRY_CODES = frozenset({-1, 45009, 45033})
STOP_CUSTOMER_CODES = frozenset({95001, 95002, 95013})
HUMAN_CODES = frozenset({95018})
BROKEN_CODES = frozenset({40001, 40013, 48002, 95017, 60020, 95000, 95004, 95011, 95012})
DROP_CODES = frozenset({40007, 40096})


class KfError(Explained):
    """A 微信客服 call that failed: `errcode` (None: network, HTTP status or not JSON),
    `errmsg` as WeCom wrote it, the API `path`, and what to do about it."""

    def __init__(self, path: str, errcode: int | None, errmsg: str, reason: str):
        self.path, self.errcode, self.errmsg, self.reason = path, errcode, errmsg, reason
        if errcode is None:
            message_id = "delivery.network" if reason.startswith("network:") else "delivery.http"
            detail = reason.removeprefix("network:").strip()
            status = re.match(r"HTTP (\d+)", reason)
            code = status.group(1) if status else ""
        else:
            kf_id = f"kf.errcode.{errcode}"
            message_id = kf_id if kf_id in STRINGS else "delivery.errcode"
            detail, code = errmsg or "—", str(errcode)
        super().__init__(message_id, None, code=code, detail=detail)

    @classmethod
    def from_answer(cls, path: str, answer: dict[str, Any]) -> KfError:
        code = answer.get("errcode")
        errmsg = str(answer.get("errmsg", ""))
        if not isinstance(code, int) or isinstance(code, bool):
            return cls(path, None, errmsg, "HTTP 200, errcode is not a number")
        return cls(path, code, errmsg, f"errcode {code}: {errmsg}".strip())

    @classmethod
    def unreachable(cls, path: str, reason: str) -> KfError:
        return cls(path, None, "", reason)

    @property
    def retry_later(self) -> bool:
        """Busy, throttled or unreachable: worth the same call again after a pause."""
        return self.errcode is None or self.errcode in RETRY_CODES

    @property
    def stop_customer(self) -> bool:
        """Nothing more may go to this customer until they write again."""
        return self.errcode in STOP_CUSTOMER_CODES

    @property
    def human_owns(self) -> bool:
        """The session is queued for or served by a person: the bot keeps out."""
        return self.errcode in HUMAN_CODES

    @property
    def broken(self) -> bool:
        """The binding (secret, corp id, account, permissions) is wrong until fixed."""
        return self.errcode in BROKEN_CODES

    @property
    def dropped(self) -> bool:
        """The message can never be sent as it is (its customer or media is gone)."""
        return self.errcode in DROP_CODES

    def as_send_result(self) -> SendResult:
        """The outbox's view of this failure."""
        return SendResult(False, retry=self.retry_later, broken=self.broken, error=self.reason)

    def __str__(self) -> str:
        return f"{self.path}: {super().__str__()}"
