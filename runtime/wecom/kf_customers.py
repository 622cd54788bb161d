"""微信客服 customers' nicknames for the studio's lead view: `customer/batchget`, cached in
the journal's kf_customers table (SQL all here) for a day, never phone numbers or anything
else WeCom knows of a customer. A nickname that cannot be fetched (WeCom down, a customer
WeCom no longer knows) is simply not shown: the customer's id stands in."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from runtime.store.db import Journal
from runtime.wecom.kf import KfClient, KfError

log = logging.getLogger(__name__)
FRESH_FOR = 86_400  # nicknames change rarely; ask WeCom again after a day
RETRY_AFTER = 300  # WeCom could not be asked: try again after five minutes


class KfCustomers:
    def __init__(self, journal: Journal):
        self.journal = journal

    def cached(self, corp_id: str, customers: Sequence[str]) -> dict[str, tuple[str, float]]:
        """customer -> (nickname, when fetched) for those kept."""
        found: dict[str, tuple[str, float]] = {}
        db = self.journal.connection()
        ids = list(dict.fromkeys(customers))
        for start in range(0, len(ids), 500):  # SQLite's limit on parameters
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(
                f"SELECT customer, nickname, fetched_at FROM kf_customers"
                f" WHERE corp_id = ? AND customer IN ({marks})",
                (corp_id, *chunk),
            )
            found.update({row[0]: (row[1], row[2]) for row in rows})
        return found

    def nicknames(
        self, client: KfClient, customers: Sequence[str], now: float | None = None
    ) -> dict[str, str]:
        """customer -> nickname: from the cache, asking WeCom for those missing or stale."""
        now = time.time() if now is None else now
        kept = self.cached(client.corp_id, customers)
        stale = [
            c for c in dict.fromkeys(customers) if c not in kept or now - kept[c][1] > FRESH_FOR
        ]
        if stale:
            at = now
            try:
                fetched = {c.external_userid: c.nickname for c in client.customer_batchget(stale)}
            except KfError as exc:  # shown without nicknames; asked again in a few minutes
                log.info("微信客服 nicknames not fetched: %s", exc.text("en"))
                fetched, at = {}, now - FRESH_FOR + RETRY_AFTER
            # an id WeCom does not know is kept too (without a name): not asked every time
            found = [(c, fetched.get(c, ""), at) for c in stale]
            with self.journal.transaction() as db:
                db.executemany(
                    "INSERT INTO kf_customers (corp_id, customer, nickname, fetched_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (corp_id, customer) DO UPDATE SET"
                    " nickname = excluded.nickname, fetched_at = excluded.fetched_at",
                    [(client.corp_id, c, name, when) for c, name, when in found],
                )
            kept.update({c: (name, when) for c, name, when in found})
        return {c: kept[c][0] for c in customers if c in kept and kept[c][0]}
