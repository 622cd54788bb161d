"""Reading a 微信客服 account's messages: drains, at most one per account at a time.

A doorbell (or the slow periodic ring that heals a missed one) asks for a drain of one
account. Two drains of one account at once would read from the same cursor and journal the
same page twice, so a ring that comes while its account is being drained only asks the
running drain to go round once more when it is done, with the newest doorbell token: three
doorbells at once make one drain and, at most, one more pass that finds nothing new.

A drain reads `sync_msg` page by page from the account's cursor until `has_more` is 0; each
page is journaled with the cursor after it in one transaction (`KfIntake`), and only then
are its messages handed to the responder.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from runtime.channels.wecom.kf_accounts import BoundAccount
from runtime.channels.wecom.kf_intake import ANSWER_WITHIN, FIRST_READ_WITHIN, Journaled, KfIntake
from runtime.i18n import language_from_env, said, t
from runtime.wecom.bindings import Bindings
from runtime.wecom.kf import KfClient, KfError
from runtime.wecom.kf_cursors import KfCursors

log = logging.getLogger(__name__)
Key = tuple[str, str]  # (corp id, open_kfid)


class Drains:
    """Runs `drain(key, token)` on worker threads, never twice at once for one key."""

    def __init__(self, drain: Callable[[Key, str], None], workers: int = 4):
        self._drain = drain
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kf-drain")
        self._lock = threading.Lock()
        self._running: set[Key] = set()
        self._again: dict[Key, str] = {}  # rung while running: go round again, with this token
        self._closed = False

    def ring(self, key: Key, token: str = "") -> None:
        with self._lock:
            if self._closed:
                return
            if key in self._running:
                # the newest doorbell's token; an untokened ring keeps the one already asked for
                self._again[key] = token or self._again.get(key, "")
                return
            self._running.add(key)
        self._pool.submit(self._loop, key, token)

    def busy(self) -> bool:
        with self._lock:
            return bool(self._running)

    def close(self) -> None:
        """No more drains; the ones running finish."""
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=True)

    def _loop(self, key: Key, token: str) -> None:
        while True:
            try:
                self._drain(key, token)
            except Exception:  # one account's trouble must not stop the next doorbell
                log.exception("微信客服 drain of %s failed", key[1])
            with self._lock:
                if key not in self._again:
                    self._running.discard(key)
                    return
                token = self._again.pop(key)


class KfReader:
    """Drains one account into the journal and hands what is new to `after`."""

    def __init__(
        self,
        bindings: Bindings,
        cursors: KfCursors,
        intake: KfIntake,
        owner: Callable[[Key], BoundAccount | None],
        after: Callable[[BoundAccount, Journaled], None],
        clock: Callable[[], float] = time.time,
    ):
        self.bindings, self.cursors, self.intake = bindings, cursors, intake
        self.owner, self.after, self.clock = owner, after, clock

    def drain(self, key: Key, token: str) -> None:
        account = self.owner(key)  # as bound now: it may have changed since the doorbell
        if account is None:
            return
        cursor = self.cursors.get(account.corp_id, account.open_kfid)
        now = self.clock()
        since = now - (FIRST_READ_WITHIN if cursor is None else ANSWER_WITHIN)
        position = cursor or ""
        client = KfClient(account.corp_id, account.secret)
        try:
            for page in client.pages(token or None, position, account.open_kfid):
                position = page.next_cursor or position
                taken = self.intake.take(
                    account, page.messages, position, since=since, now=self.clock()
                )
                self.after(account, taken)
        except KfError as exc:
            # retried by the next doorbell or the periodic ring; a broken binding is shown
            lang = language_from_env()
            log.warning("bot %s: %s", account.bot_id, t("kf.sync_failed", lang, why=exc.text(lang)))
            if exc.broken or exc.retry_later:
                words = said("kf.sync_failed", why=said(exc.message_id, **exc.params))
                self.bindings.failed(account.bot_id, "kf", words, broken=exc.broken)
            return
        self.bindings.succeeded(account.bot_id, "kf")
