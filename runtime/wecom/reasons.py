"""Why a message was not delivered, in words: the senders record short technical reasons
("HTTP 502", "errcode 93000: invalid webhook url", "network: ConnectTimeout"); the
studio, /healthz and `status` show them in the reader's language, the technical part
only beside the words."""

from __future__ import annotations

import re

from runtime.i18n import shown, t

_FORMS = [  # (pattern of a recorded reason, message id); groups fill {code} and {detail}
    (re.compile(r"errcode (?P<code>-?\d+):?\s*(?P<detail>.*)"), "delivery.errcode"),
    (re.compile(r"HTTP (?P<code>\d+)(?P<detail>.*)"), "delivery.http"),
    (re.compile(r"network: (?P<detail>.+)"), "delivery.network"),
    (
        re.compile(r"(long connection is not connected|no long connection)"),
        "delivery.longconn_down",
    ),
    (re.compile(r"(long connection|connection): (?P<detail>.+)"), "delivery.longconn"),
    (re.compile(r"no app binding"), "delivery.no_app"),
    (re.compile(r"access token keeps expiring"), "delivery.token"),
]
_CJK = re.compile(r"[\u3400-\u9fff]")


def delivery_error(reason: str | None, lang: str) -> str:
    """A recorded reason in `lang`; one already in words (or stored with `said`) as it is."""
    text = str(shown(reason or "", lang)).strip()
    if not text or text == "—" or _CJK.search(text):
        return text
    for pattern, message_id in _FORMS:
        found = pattern.fullmatch(text)
        if found:
            groups = found.groupdict()
            detail = (groups.get("detail") or "").strip(" ,:") or "—"
            return t(message_id, lang, code=groups.get("code", ""), detail=detail)
    return t("delivery.other", lang, detail=text)
