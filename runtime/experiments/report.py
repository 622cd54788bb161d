"""The experiment report: per variant, people, conversions and the statistics, and one
sentence that says what to do, in the bot's language."""

from __future__ import annotations

import math
from typing import Any

from runtime.experiments import stats
from runtime.i18n import t
from runtime.spec.model import BotSpec
from runtime.store.db import Journal

CONFIDENT = 0.95
SRM_ALARM = 0.001


def counts(journal: Journal, spec: BotSpec) -> dict[str, tuple[int, int]]:
    """variant -> (people assigned in this experiment, of them converted)."""
    rows = journal.connection().execute(
        "SELECT a.variant, COUNT(*), SUM(COALESCE(l.converted, 0)) FROM assignments a"
        " LEFT JOIN leads l ON l.bot_id = a.bot_id AND l.user = a.user"
        " WHERE a.bot_id = ? AND a.seed = ? GROUP BY a.variant",
        (spec.id, spec.experiment.seed),
    )
    found = {row[0]: (row[1], row[2] or 0) for row in rows}
    return {v.id: found.get(v.id, (0, 0)) for v in spec.variants}


def build_report(spec: BotSpec, data: dict[str, tuple[int, int]], lang: str) -> dict[str, Any]:
    ids = [v.id for v in spec.variants]
    results = [data[i] for i in ids]
    chances = stats.chance_to_win([(c, n) for n, c in results]) if results else []
    control_n, control_c = results[0] if results else (0, 0)
    variants = []
    for index, (variant_id, (users, conversions)) in enumerate(zip(ids, results, strict=True)):
        low, high = stats.wilson(conversions, users)
        entry: dict[str, Any] = {
            "id": variant_id,
            "users": users,
            "conversions": conversions,
            "rate": conversions / users if users else 0.0,
            "ci_low": low,
            "ci_high": high,
            "p_value": None,
            "chance_to_win": chances[index] if chances else None,
        }
        if index > 0:
            entry["p_value"] = stats.two_proportion_p(control_c, control_n, conversions, users)
            entry["diff"] = entry["rate"] - (control_c / control_n if control_n else 0.0)
            entry["diff_low"], entry["diff_high"] = stats.difference_interval(
                control_c, control_n, conversions, users
            )
        variants.append(entry)
    srm = stats.srm_p([n for n, _ in results], [v.weight for v in spec.variants])
    report = {"bot": spec.id, "seed": spec.experiment.seed, "variants": variants, "srm_p": srm}
    report["advice"] = advice(variants, srm, lang)
    return report


def advice(variants: list[dict[str, Any]], srm: float, lang: str) -> str:
    if len(variants) < 2:
        return t("report.no_experiment", lang)
    if srm < SRM_ALARM:
        return t("report.srm", lang, p=f"{srm:.2g}")
    best = max(variants, key=lambda v: v["chance_to_win"] or 0)
    chance = math.floor((best["chance_to_win"] or 0) * 100)  # never "100%": it is not certain
    if (best["chance_to_win"] or 0) >= CONFIDENT:
        key = "report.keep_control" if best is variants[0] else "report.adopt"
        return t(key, lang, variant=best["id"], chance=chance)
    control = variants[0]
    rival = best if best is not control else max(variants[1:], key=lambda v: v["rate"])
    needed = stats.sample_size(control["rate"], rival["rate"])
    if needed is None or control["users"] == 0:
        return t("report.no_difference", lang)
    more = max(0, needed - min(control["users"], rival["users"]))
    return t("report.need_more", lang, n=more, variant=best["id"], chance=chance)
