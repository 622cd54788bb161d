"""Sticky, weighted assignment of people to variants.

A person's variant is a deterministic hash of (bot, experiment seed, person),
mapped onto the variants' weights, and recorded at first contact. It never
changes after that, also when the weights change or the process restarts; a
new seed (a new experiment) is the only way to assign everyone afresh.
"""

from __future__ import annotations

import hashlib
import time

from runtime.spec.model import BotSpec
from runtime.store.db import Journal


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
            return row[0]
        return spec.variants[0].id if len(spec.variants) == 1 else None
