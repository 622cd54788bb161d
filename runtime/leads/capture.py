"""Lead capture in a conversation: record what the customer gives, one question at a time.

After each customer message: values found are validated and stored (a later value
replaces an earlier one: a correction); a refusal after a question marks that
field declined, never asked again. Then the reply's prompt gets a note with what
is known and, at most every other reply, the one next field to ask for, with
its wording and why it helps the customer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from runtime.i18n import t
from runtime.leads.extract import PATTERNED, Generate, extract
from runtime.leads.store import Lead, LeadStore
from runtime.spec.model import BotSpec, LeadField

DECLINE = re.compile(
    r"不方便|不想|不用了|不需要|不给|不留|保密|不告诉|算了|暂时不|先不|以后再说|"
    r"no thanks|rather not|prefer not|don't want|do not want|not now|skip",
    re.I,
)
MAX_ASKS = 2  # a field asked twice without an answer is left alone


@dataclass
class Observation:
    lead: Lead
    captured: list[str]  # keys captured or corrected by this message
    converted_now: bool


class LeadCapture:
    def __init__(self, store: LeadStore, generate_for: Callable[[BotSpec], Generate] | None = None):
        self.store = store
        self.generate_for = generate_for  # model extraction, when an engine is available

    def observe(
        self,
        spec: BotSpec,
        user: str,
        conversation: str,
        message: str,
        variant: str | None = None,
        now: datetime | None = None,
    ) -> Observation | None:
        fields = spec.lead_capture.fields
        if not fields:
            return None
        now = now or datetime.now(ZoneInfo(spec.timezone))
        lead = self.store.get(spec.id, user) or Lead(spec.id, user, conversation, variant)
        lead.conversation = conversation
        # Validators look for every patterned field. The model is asked only about the
        # free-form field the bot has just asked for: with a small model, free text that was
        # not asked for is too often a wrong guess (bench/leads.py), and a wrong lead is worse
        # than a missing one.
        wanted = [
            fld
            for fld in fields
            if fld.type in PATTERNED or fld.type == "choice" or fld.key == lead.last_asked
        ]
        generate = self.generate_for(spec) if self.generate_for else None
        found = extract(wanted, message, now, generate)
        captured = []
        for key, value in found.items():
            if lead.value(key) != value:
                lead.fields[key] = {
                    "value": value,
                    "message": message,
                    "at": now.timestamp(),
                    "where": conversation,
                }
                captured.append(key)
            if key in lead.declined:
                lead.declined.remove(key)
        asked = lead.last_asked
        if asked and asked not in found and asked not in lead.declined and DECLINE.search(message):
            lead.declined.append(asked)
        converted_now = False
        goal = spec.lead_capture.converted_when
        if goal and not lead.converted and all(k in lead.fields for k in goal):
            lead.converted, lead.converted_at, converted_now = True, now.timestamp(), True
        self.store.save(lead)
        return Observation(lead, captured, converted_now)

    def next_field(self, spec: BotSpec, lead: Lead) -> LeadField | None:
        open_fields = [
            fld
            for fld in spec.lead_capture.fields
            if fld.key not in lead.fields
            and fld.key not in lead.declined
            and lead.asked.get(fld.key, 0) < MAX_ASKS
        ]
        required = [fld for fld in open_fields if fld.required]
        chosen = required or open_fields
        return chosen[0] if chosen else None

    def turn_note(self, spec: BotSpec, lead: Lead) -> str:
        """What the reply should know about the lead, and the one question it may ask.
        Called once per reply; records what it asked."""
        lang = spec.language
        known = "; ".join(
            f"{fld.label}={lead.value(fld.key)}"
            for fld in spec.lead_capture.fields
            if fld.key in lead.fields
        ) or t("lead.nothing_known", lang)
        ask = self.next_field(spec, lead) if lead.last_asked is None else None
        lead.last_asked = ask.key if ask else None  # the next reply rests: not every reply asks
        if ask:
            lead.asked[ask.key] = lead.asked.get(ask.key, 0) + 1
        self.store.save(lead)
        if ask is None:
            return t("lead.note_no_ask", lang, known=known)
        question = ask.ask or t("lead.default_ask", lang, label=ask.label)
        why = ask.why or ""
        return t("lead.note_ask", lang, known=known, question=question, why=why)
