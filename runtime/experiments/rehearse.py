"""Rehearsal before going live: a model plays simulated customers against each variant.

The customers come from a YAML file (who they are, what they want, what they will
share and when). Each customer talks to each variant `runs` times in a journal of
its own, so nothing reaches the real leads, assignments or reports. The customer's
words come from the model; what they share is scripted, so the capture rate says
how well a variant asks, not how a small model happens to invent phone numbers.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from runtime.dialogue import Dialogue
from runtime.experiments import stats
from runtime.experiments.report import build_report
from runtime.i18n import t
from runtime.leads.capture import LeadCapture
from runtime.leads.store import LeadStore
from runtime.spec import BotSpec, SpecError
from runtime.spec.errors import problems_from_validation
from runtime.spec.yaml_io import Problem, YamlProblem, decode_bot_file, parse_yaml
from runtime.store import Conversations, Journal

CUSTOMER_WORDS = 60  # tokens: customers write a sentence or two
Text = Annotated[str, Field(min_length=1, max_length=500)]


class Customer(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: Annotated[str, Field(min_length=1, max_length=40)]
    who: Text
    wants: Text
    opening: Text | None = None  # the first message, word for word; else the model writes it
    shares: dict[str, Annotated[str, Field(max_length=200)]] = {}  # lead field key -> value
    after_turn: Annotated[int, Field(ge=1, le=20)] = 1  # not before their n-th message
    only_if_asked: bool = True  # ...and only once the bot has asked for it


class Customers(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    max_turns: Annotated[int, Field(ge=1, le=20)] = 6
    customers: Annotated[list[Customer], Field(min_length=1, max_length=50)]


def parse_customers(raw: bytes, filename: str, spec: BotSpec, lang: str) -> Customers:
    """Validate a customers file; SpecError names each problem's line, as for bot files."""
    try:
        loaded = parse_yaml(decode_bot_file(raw, lang), lang)
    except YamlProblem as exc:
        raise SpecError(filename, [exc.problem]) from None
    try:
        customers = Customers.model_validate(loaded.data)
    except ValidationError as exc:
        raise SpecError(filename, problems_from_validation(exc, loaded, Customers, lang)) from None
    keys = [f.key for f in spec.lead_capture.fields]
    problems = [
        Problem(
            loaded.line_of(("customers", i, "shares", key)),
            t("rehearse.unknown_field", lang, field=key, known=", ".join(keys) or "-"),
        )
        for i, customer in enumerate(customers.customers)
        for key in customer.shares
        if key not in keys
    ]
    if problems:
        raise SpecError(filename, problems)
    return customers


@dataclass
class Run:
    variant: str
    customer: str
    run: int
    converted: bool = False
    turns: int | None = None  # the customer's message that converted
    captured: list[str] = field(default_factory=list)
    transcript: list[tuple[str, str]] = field(default_factory=list)


Progress = Callable[[int, int, Run], None]
# (this conversation's number, all of them, customer, variant, turn, max turns): per reply
TurnProgress = Callable[[int, int, str, str, int, int], None]


class Rehearsal:
    def __init__(self, dialogue: Dialogue, lang: str):
        self.live = dialogue
        self.lang = lang

    def run(
        self,
        spec: BotSpec,
        customers: Customers,
        runs: int,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
        on_turn: TurnProgress | None = None,
    ) -> dict[str, Any]:
        """`stop`, once set, ends the rehearsal after the model's current reply: the report
        then covers the conversations finished so far. `progress` is called as each
        conversation ends, `on_turn` after each reply within one."""
        stop = stop or threading.Event()
        variants: list[str | None] = [*spec.variant_ids()] or [None]
        total, done, results = len(variants) * len(customers.customers) * runs, 0, []
        with tempfile.TemporaryDirectory(prefix="rehearsal-") as scratch:
            journal = Journal(Path(scratch) / "rehearsal.sqlite3")
            conversations = Conversations(journal)
            extract = self.live.leads.generate_for if self.live.leads else None
            leads = LeadCapture(LeadStore(journal), extract)
            dialogue = Dialogue(
                self.live.bots, self.live.engine, conversations, leads, log_salt=self.live.log_salt
            )
            plan = [
                (run, number, customer, variant)
                for run in range(runs)
                for number, customer in enumerate(customers.customers)
                for variant in variants
            ]
            try:
                for run, number, customer, variant in plan:
                    # the same customer gets the same dice against every variant: a fair match
                    seed = run * 100 + number
                    where = (done + 1, total, customer.name, variant or "-")

                    def turn_done(turn: int, where: tuple[int, int, str, str] = where) -> None:
                        if on_turn is not None:
                            on_turn(*where, turn, customers.max_turns)

                    result = self._one(
                        dialogue, spec, customer, variant, run, customers, seed, stop, turn_done
                    )
                    if stop.is_set():
                        break  # a conversation cut short would count as not converted
                    results.append(result)
                    done += 1
                    if progress is not None:
                        progress(done, total, result)
            finally:
                journal.close()
        report = self.report(spec, results, runs)
        report["rehearsal"]["stopped"] = stop.is_set()
        return report

    def _one(
        self,
        dialogue: Dialogue,
        spec: BotSpec,
        customer: Customer,
        variant: str | None,
        run: int,
        customers: Customers,
        seed: int,
        stop: threading.Event,
        turn_done: Callable[[int], None] = lambda turn: None,
    ) -> Run:
        result = Run(variant or "-", customer.name, run + 1)
        person = f"rehearsal:{variant}:{customer.name}:{run}"
        greeting = dialogue.greet(spec.id, person, variant)
        if greeting:
            result.transcript.append(("assistant", greeting))
        given: set[str] = set()
        asked: set[str] = set()
        for turn in range(1, customers.max_turns + 1):
            if stop.is_set():
                break
            words = customer.opening if turn == 1 and customer.opening else None
            words = words or self._customer_says(spec, customer, result.transcript, seed + turn)
            sharing = [
                key
                for key in customer.shares
                if key not in given
                and turn >= customer.after_turn
                and (key in asked or not customer.only_if_asked)
            ]
            for key in sharing:
                label = next(f.label for f in spec.lead_capture.fields if f.key == key)
                value = customer.shares[key]
                words += t("rehearse.shares", spec.language, label=label, value=value)
                given.add(key)
            reply = dialogue.reply(spec.id, person, words, variant)
            answer = reply.read()
            result.transcript += [("user", words), ("assistant", answer)]
            turn_done(turn)
            lead = reply.lead.lead if reply.lead else None
            if lead is not None:
                result.captured = sorted(lead.fields)
                if lead.converted:
                    result.converted, result.turns = True, turn
                    break
                asked.update(
                    f.key
                    for f in spec.lead_capture.fields
                    if f.key == lead.last_asked or f.label in answer
                )
        return result

    def _customer_says(
        self, spec: BotSpec, customer: Customer, transcript: list[tuple[str, str]], seed: int
    ) -> str:
        """The customer's next message, written by the model from the customer's side."""
        lang = spec.language
        system = t("rehearse.customer_role", lang, who=customer.who, wants=customer.wants)
        messages = [{"role": "system", "content": system}]
        # From the customer's side the bot is the other speaker: roles swap.
        swapped = {"assistant": "user", "user": "assistant"}
        messages += [{"role": swapped[role], "content": text} for role, text in transcript]
        if len(messages) == 1 or messages[-1]["role"] != "user":
            messages.append({"role": "user", "content": t("rehearse.your_turn", lang)})
        settings = spec.model.model_copy(update={"temperature": 0.8, "seed": seed})
        # A long rehearsal outgrows the context: the customer remembers the latest turns.
        count = self.live.engine.token_counter(settings)
        while len(messages) > 2 and count(messages) > settings.context - CUSTOMER_WORDS - 16:
            del messages[1:3]  # the oldest exchange; the system prompt stays
        text = self.live.engine.generate(
            settings, messages, pinned=1, max_tokens=CUSTOMER_WORDS
        ).read_all()
        text = text.strip().strip('"“”').split("\n")[0].strip()
        return text[:300] or customer.wants

    def report(self, spec: BotSpec, results: list[Run], runs: int) -> dict[str, Any]:
        ids = spec.variant_ids() or ["-"]
        data, extra = {}, {}
        for variant in ids:
            mine = [r for r in results if r.variant == variant]
            converted = [r.turns for r in mine if r.converted and r.turns]
            data[variant] = (len(mine), len(converted))
            extra[variant] = {
                "runs": len(mine),
                "median_turns_to_conversion": statistics.median(converted) if converted else None,
                "capture_rates": {
                    f.key: sum(f.key in r.captured for r in mine) / len(mine) if mine else 0.0
                    for f in spec.lead_capture.fields
                },
            }
        if not spec.variants:  # no experiment: still worth knowing how well the bot captures
            runs_done, conversions = data["-"]
            low, high = stats.wilson(conversions, runs_done)
            rate = conversions / runs_done if runs_done else 0.0
            entry = {
                "id": "-",
                "users": runs_done,
                "conversions": conversions,
                "rate": rate,
                "ci_low": low,
                "ci_high": high,
                "p_value": None,
                "chance_to_win": None,
                **extra["-"],
            }
            advice = t("rehearse.single", self.lang, rate=f"{rate:.0%}")
            report = {"bot": spec.id, "variants": [entry], "srm_p": 1.0, "advice": advice}
        else:
            report = build_report(spec, data, self.lang, extra)
        report["rehearsal"] = {"runs_per_customer": runs, "results": [asdict(r) for r in results]}
        return report


SAMPLE_CUSTOMERS = {
    "zh": [
        ("王经理", "一家 50 人贸易公司的行政经理，说话简短直接", "想了解批量采购的价格和售后", 2),
        ("小李", "刚毕业的年轻人，第一次了解这类产品，有点犹豫", "想知道产品适不适合自己", 3),
        ("路人", "随便看看的访客，不打算买", "只是好奇问问", None),
    ],
    "en": [
        (
            "Ms. Wang",
            "office manager at a 50-person trading company, brief and direct",
            "wants bulk prices and after-sales service",
            2,
        ),
        (
            "Leo",
            "a recent graduate hearing about the product for the first time, hesitant",
            "wants to know whether the product suits him",
            3,
        ),
        ("Passer-by", "a visitor just looking around, not going to buy", "is just curious", None),
    ],
}
SAMPLE_HEADER = {
    "zh": "# 彩排用的模拟客户：每位客户会和每个变体各聊一遍。\n"
    "# shares：客户愿意提供的线索（字段 key: 值）；after_turn：最早在第几句话提供；\n"
    "# only_if_asked：只有机器人问过才提供。\n",
    "en": "# Simulated customers for a rehearsal: each talks to every variant.\n"
    "# shares: the lead fields they will give (field key: value); after_turn: not before\n"
    "# their n-th message; only_if_asked: only once the bot has asked for it.\n",
}


SAMPLE_VALUES = {  # what a simulated customer gives for a field of each type
    "zh": {
        "text": "蓝海贸易",
        "email": "wang@example.com",
        "wechat_id": "wang_2026",
        "number": "50",
        "date": "下周二",
        "datetime": "明天下午3点",
    },
    "en": {
        "text": "Blue Sea Trading",
        "email": "wang@example.com",
        "wechat_id": "wang_2026",
        "number": "50",
        "date": "next Tuesday",
        "datetime": "tomorrow at 3pm",
    },
}


def sample_customers(spec: BotSpec) -> str:
    """A customers file to start from, in the bot's language: customers who will share
    the bot's lead fields when asked, and one who will not."""
    lang = spec.language if spec.language in SAMPLE_CUSTOMERS else "en"
    lines = [SAMPLE_HEADER[lang].rstrip("\n"), "max_turns: 6", "customers:"]
    for number, (name, who, wants, after) in enumerate(SAMPLE_CUSTOMERS[lang]):
        lines += [f"  - name: {name}", f"    who: {who}", f"    wants: {wants}"]
        shares = {}
        for fld in spec.lead_capture.fields:
            if fld.type == "phone_cn":
                shares[fld.key] = f"1381234{5670 + number}"
            elif fld.type == "choice" and fld.options:
                shares[fld.key] = fld.options[number % len(fld.options)]
            elif fld.type in SAMPLE_VALUES[lang]:
                shares[fld.key] = SAMPLE_VALUES[lang][fld.type]
        if shares and after:
            pairs = ", ".join(f'{key}: "{value}"' for key, value in shares.items())
            lines += [
                f"    shares: {{{pairs}}}",
                f"    after_turn: {after}",
                "    only_if_asked: true",
            ]
    return "\n".join(lines) + "\n"


def describe(lang: str, done: int, total: int, result: Run) -> str:
    """One line of progress: who met which variant, and how it went."""
    outcome = (
        t("rehearse.converted_at", lang, turns=result.turns)
        if result.converted
        else t("rehearse.not_converted", lang)
    )
    return t(
        "rehearse.progress",
        lang,
        done=done,
        total=total,
        customer=result.customer,
        variant=result.variant,
        outcome=outcome,
    )
