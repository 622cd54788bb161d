"""The experiment report: per variant, people, conversions and the statistics, and one
sentence that says what to do, in the bot's language."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from runtime.assignments import Assignments
from runtime.experiments import stats
from runtime.i18n import t
from runtime.spec.model import BotSpec
from runtime.store.db import Journal
from runtime.store.events import CONVERTED, FEEDBACK, MESSAGE, EventLog

CONFIDENT = 0.95
SRM_ALARM = 0.001


def counts(
    journal: Journal, spec: BotSpec, source: str | None = None, channel: str | None = None
) -> dict[str, tuple[int, int]]:
    """variant -> (people assigned in this experiment, of them converted); with `source`
    (`channel`), only the people who came first from that campaign (channel)."""
    found = Assignments(journal).conversions(spec, source, channel)
    return {v.id: found.get(v.id, (0, 0)) for v in spec.variants}


def report_for(
    journal: Journal,
    spec: BotSpec,
    lang: str,
    source: str | None = None,
    channel: str | None = None,
) -> dict[str, Any]:
    """The whole report: conversions and their statistics, what people did, and when; with
    `source` (`channel`: wecom | kf | web | api), of the people who came first from that
    campaign (channel) only."""
    found = counts(journal, spec, source, channel)
    report = build_report(spec, found, lang, behaviour(journal, spec, source, channel))
    report["conversions_by_day"] = conversions_by_day(journal, spec, source, channel)
    report["source"] = source
    report["channel"] = channel
    return report


def behaviour(
    journal: Journal, spec: BotSpec, source: str | None = None, channel: str | None = None
) -> dict[str, dict[str, Any]]:
    """Per variant, from the events of people in this experiment (the studio's testers and
    rehearsals are not in it): replies, median reply latency, median turns to conversion,
    the 👍 rate, and the team's own ratings from the studio, shown apart."""
    rows = Assignments(journal).events(spec, (MESSAGE, CONVERTED, FEEDBACK), source, channel)
    latencies: dict[str, list[float]] = defaultdict(list)
    turns: dict[str, list[float]] = defaultdict(list)
    ratings: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)  # latest per reply
    for variant, kind, user, data in rows:
        if kind == "message":
            latencies[variant].append(data.get("latency_ms", 0))
        elif kind == "converted":
            turns[variant].append(data.get("turn", 0))
        else:
            ratings[variant][(user, data.get("reply", ""))] = data.get("value", 0)
    team: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for voted, payload in EventLog(journal).team_feedback(spec.id):
        value = payload.get("value", 0)
        if voted and value:
            team[voted][0 if value > 0 else 1] += 1
    result = {}
    for v in spec.variants:
        votes = [x for x in ratings[v.id].values() if x]
        ups = sum(1 for x in votes if x > 0)
        result[v.id] = {
            "replies": len(latencies[v.id]),
            "median_latency_ms": _median(latencies[v.id]),
            "median_turns_to_conversion": _median(turns[v.id]),
            "feedback": len(votes),
            "thumbs_up_rate": ups / len(votes) if votes else None,
            "team_up": team[v.id][0],
            "team_down": team[v.id][1],
        }
    return result


def conversions_by_day(
    journal: Journal, spec: BotSpec, source: str | None = None, channel: str | None = None
) -> list[dict[str, Any]]:
    """[{"day": "2026-11-20", "A": 3, "B": 5}, ...], days in the bot's time zone."""
    zone = ZoneInfo(spec.timezone)
    rows = Assignments(journal).conversion_times(spec, source, channel)
    days: dict[str, dict[str, int]] = defaultdict(lambda: {v.id: 0 for v in spec.variants})
    for variant, at in rows:
        day = datetime.fromtimestamp(at, zone).date().isoformat()
        if variant in days[day]:
            days[day][variant] += 1
    return [{"day": day, **days[day]} for day in sorted(days)]


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def build_report(
    spec: BotSpec,
    data: dict[str, tuple[int, int]],
    lang: str,
    extra: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    ids = [v.id for v in spec.variants]
    results = [data[i] for i in ids]
    everyone = results and all(n for n, _ in results)  # a group with nobody has no numbers
    chances = stats.chance_to_win([(c, n) for n, c in results]) if everyone else []
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
            "no_data": users == 0,  # shown as "还没有数据", not as 0% [0%, 100%]
        }
        if index > 0 and users and control_n:
            entry["p_value"] = stats.two_proportion_p(control_c, control_n, conversions, users)
            entry["diff"] = entry["rate"] - (control_c / control_n if control_n else 0.0)
            entry["diff_low"], entry["diff_high"] = stats.difference_interval(
                control_c, control_n, conversions, users
            )
        entry.update((extra or {}).get(variant_id, {}))
        variants.append(entry)
    srm = stats.srm_p([n for n, _ in results], [v.weight for v in spec.variants])
    report = {"bot": spec.id, "seed": spec.experiment.seed, "variants": variants, "srm_p": srm}
    report["advice"] = advice(variants, srm, lang)
    return report


def advice(variants: list[dict[str, Any]], srm: float, lang: str) -> str:
    if len(variants) < 2:
        return t("report.no_experiment", lang)
    if not any(v["users"] for v in variants):
        return t("report.no_data", lang)
    empty = [v["id"] for v in variants if not v["users"]]
    if empty:
        return t("report.some_empty", lang, variants=", ".join(empty))
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
