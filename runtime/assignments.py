"""Sticky, weighted assignment of people to variants.

A person's variant is a deterministic hash of (bot, experiment seed, person),
mapped onto the variants' weights, and recorded at first contact. It never
changes after that, also when the weights change or the process restarts; a
new seed (a new experiment) is the only way to assign everyone afresh.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from runtime.inbox import people_on
from runtime.spec.model import BotSpec
from runtime.store.db import Journal
from runtime.store.sources import people_from


def bucket(bot_id: str, seed: str, user: str) -> float:
    """A number in [0, 1) fixed by who it is for: the same on every machine and run."""
    digest = hashlib.sha256(f"{bot_id}\0{seed}\0{user}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def pick(spec: BotSpec, user: str) -> str | None:
    """The variant the weights give this person now (None for a bot without variants)."""
    if not spec.variants:
        return None
    total = sum(v.weight for v in spec.variants)
    point = bucket(spec.id, spec.experiment.seed, user) * total
    for variant in spec.variants:
        point -= variant.weight
        if point < 0:
            return variant.id
    return spec.variants[-1].id


class Assignments:
    def __init__(self, journal: Journal):
        self.journal = journal

    def variant_for(self, spec: BotSpec, user: str) -> str | None:
        """The person's variant: recorded at first contact, the same ever after."""
        if len(spec.variants) < 2:
            return spec.variants[0].id if spec.variants else None
        seed = spec.experiment.seed
        with self.journal.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO assignments (bot_id, seed, user, variant, assigned_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (spec.id, seed, user, pick(spec, user), time.time()),
            )
            row = db.execute(
                "SELECT variant FROM assignments WHERE bot_id = ? AND seed = ? AND user = ?",
                (spec.id, seed, user),
            ).fetchone()
        recorded = row[0]
        # a variant removed from the file since: fall back to what the weights give now
        return recorded if recorded in spec.variant_ids() else pick(spec, user)

    def recorded(self, spec: BotSpec, user: str) -> str | None:
        """The person's variant in the current experiment, without assigning anyone."""
        row = (
            self.journal.connection()
            .execute(
                "SELECT variant FROM assignments WHERE bot_id = ? AND seed = ? AND user = ?",
                (spec.id, spec.experiment.seed, user),
            )
            .fetchone()
        )
        if row is not None:
            variant: str = row[0]  # the TEXT column
            return variant
        return spec.variants[0].id if len(spec.variants) == 1 else None

    # --- what the people in an experiment did, for its report ---------------------------

    def conversions(
        self, spec: BotSpec, source: str | None = None, channel: str | None = None
    ) -> dict[str, tuple[int, int]]:
        """variant -> (people assigned in the current experiment, of them converted); with
        `source` or `channel`, only the people who came first from it."""
        where, args = _from(spec, source, channel, "a.user")
        rows = self.journal.connection().execute(
            "SELECT a.variant, COUNT(*), SUM(COALESCE(l.converted, 0)) FROM assignments a"
            " LEFT JOIN leads l ON l.bot_id = a.bot_id AND l.user = a.user"
            f" WHERE a.bot_id = ? AND a.seed = ?{where} GROUP BY a.variant",
            (spec.id, spec.experiment.seed, *args),
        )
        return {variant: (n, converted or 0) for variant, n, converted in rows}

    def events(
        self,
        spec: BotSpec,
        kinds: tuple[str, ...],
        source: str | None = None,
        channel: str | None = None,
    ) -> list[tuple[str, str, str, Any]]:
        """(variant, kind, user, payload) of the events of `kinds` of people in the current
        experiment (who came first from `source` or `channel`, with one), since each was
        assigned, in the order they happened."""
        marks = ",".join("?" * len(kinds))
        where, args = _from(spec, source, channel, "e.user")
        rows = self.journal.connection().execute(
            "SELECT a.variant, e.kind, e.user, e.payload FROM events e JOIN assignments a"
            " ON a.bot_id = e.bot_id AND a.user = e.user AND a.seed = ?"
            f" WHERE e.bot_id = ? AND e.kind IN ({marks})"
            f" AND e.created_at >= a.assigned_at{where} ORDER BY e.id",
            (spec.experiment.seed, spec.id, *kinds, *args),
        )
        return [(variant, kind, user, json.loads(payload)) for variant, kind, user, payload in rows]

    def conversion_times(
        self, spec: BotSpec, source: str | None = None, channel: str | None = None
    ) -> list[tuple[str, float]]:
        """(variant, when) of each conversion of a person in the current experiment (who
        came first from `source` or `channel`, with one)."""
        where, args = _from(spec, source, channel, "a.user")
        rows = self.journal.connection().execute(
            "SELECT a.variant, l.converted_at FROM assignments a JOIN leads l"
            " ON l.bot_id = a.bot_id AND l.user = a.user"
            " WHERE a.bot_id = ? AND a.seed = ? AND l.converted = 1 AND l.converted_at IS NOT NULL"
            f"{where}",
            (spec.id, spec.experiment.seed, *args),
        )
        return [(variant, at) for variant, at in rows]


def _from(
    spec: BotSpec, source: str | None, channel: str | None, column: str
) -> tuple[str, tuple[str, ...]]:
    """The SQL condition (and its parameters) that keeps people who came first from
    `source` and first wrote on `channel` (a channel family); nothing without either."""
    where, args = "", tuple[str, ...]()
    if source is not None:
        where, args = " AND " + people_from(column), (spec.id, source)
    if channel is not None:
        on, members = people_on(channel, column)
        where, args = f"{where} AND {on}", (*args, spec.id, *members)
    return where, args
