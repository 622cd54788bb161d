"""Adopting the winner: its overrides become the bot's own, the experiment's results are
archived, and a new seed starts the next experiment. The YAML is updated in place, so
comments and layout survive."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from runtime.spec import BotRepository, BotSpec
from runtime.store.private import private_dir, write_private

OVERRIDABLE = ("persona", "system_prompt", "greeting", "few_shot")


def adopt(
    repo: BotRepository, spec: BotSpec, winner: str, report: dict[str, Any], archive_dir: Path
) -> BotSpec:
    variant = next(v for v in spec.variants if v.id == winner)  # KeyError-free: caller checks
    data = spec.model_dump(mode="json", exclude_unset=True)
    for key in OVERRIDABLE:
        value = getattr(variant, key)
        if value is not None:
            data[key] = value if key != "few_shot" else [ex.model_dump() for ex in value]
    if variant.model is not None:
        data["model"] = {**data.get("model", {}), **variant.model.model_dump(exclude_none=True)}
    # The winner is the new control; the others stay, now without their overrides' edge,
    # as plain copies to test against in the next experiment.
    data["variants"] = [{"id": v.id, "weight": v.weight} for v in spec.variants]
    old_seed = spec.experiment.seed
    data["experiment"] = {"seed": _next_seed(old_seed)}
    adopted = BotSpec.model_validate(data)
    private_dir(archive_dir)  # under data/: readable by its owner only
    record = {
        "bot": spec.id,
        "seed": old_seed,
        "adopted": winner,
        "at": time.time(),
        "report": report,
    }
    archive = archive_dir / f"{spec.id}-{old_seed}.json"
    write_private(archive, json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8"))
    repo.save(adopted)
    return adopted


def _next_seed(seed: str) -> str:
    return str(int(seed) + 1) if seed.isdigit() else f"{seed}-2"
