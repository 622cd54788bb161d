"""Finding lead field values in a customer's message.

Patterned types (phone, email, WeChat id, dates) are found by validators alone:
exact, instant, and never invented. The rest (free text such as a company name,
a choice, a number) are asked of the model through generation constrained by a
JSON schema, so even a small model returns JSON that parses. Every value the
model gives is then validated like a typed one, and free text must actually
appear in the message: a small model's guesses are never stored.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from llama_cpp.llama_grammar import json_schema_to_gbnf

from runtime.leads import fields as f
from runtime.spec.model import LeadField

log = logging.getLogger(__name__)
PATTERNED = ("phone_cn", "email", "wechat_id", "date", "datetime")
MAX_TEXT = 100
MAX_CHARS = 40  # the longest value the model may propose
WORDS = re.compile(r"[A-Za-z\u4e00-\u9fff]")

# (system prompt, message, JSON schema, max_tokens) -> JSON text, generated under the schema
# (a grammar on a local model, the server's own structured output on an endpoint)
Generate = Callable[[str, str, dict[str, Any], int], str]  # the schema is nested JSON


def validate(lead_field: LeadField, value: Any, message: str, now: datetime) -> Any:
    """The normalised value, or None: the one gate every stored value passes."""
    if value is None:
        return None
    text = str(value).strip()
    kind = lead_field.type
    if kind == "phone_cn":
        return f.phone_cn(text)
    if kind == "email":
        return f.email(text)
    if kind == "wechat_id":
        return f.wechat_id(text)
    if kind == "number":
        return f.number(text) if f.number(message) is not None else None
    if kind == "choice":  # grounded: the option, or the model's words for it, are in the message
        option = f.choice(text, lead_field.options or [])
        said = f.ascii_digits(message).lower()
        if option and (option.lower() in said or (text and text.lower() in said)):
            return option
        return None
    if kind == "date":
        found = f.find_date(text, now) or f.find_date(message, now)
        return found.isoformat() if found else None
    if kind == "datetime":
        found = f.find_datetime(text, now) or f.find_datetime(message, now)
        return _local(found)
    # free text: in the message, short enough to be a value, and made of words: a run of
    # digits is a phone or an order number, never a company name
    if not text or len(text) > MAX_TEXT or f.ascii_digits(text) not in f.ascii_digits(message):
        return None
    if not WORDS.search(text) or f.find_phone(text) or f.find_email(text):
        return None
    return text


def _local(moment: datetime | None) -> str | None:
    """'2026-11-19T15:00': in the bot's time zone, as people (and Excel) read it."""
    return moment.replace(tzinfo=None).isoformat(timespec="minutes") if moment else None


def by_validators(lead_field: LeadField, message: str, now: datetime) -> Any:
    kind = lead_field.type
    if kind == "phone_cn":
        return f.find_phone(message)
    if kind == "email":
        return f.find_email(message)
    if kind == "wechat_id":
        return f.find_wechat_id(message)
    if kind == "date":
        found = f.find_date(message, now)
        return found.isoformat() if found else None
    if kind == "datetime":
        return _local(f.find_datetime(message, now))
    if kind == "choice":
        return f.choice(message, lead_field.options or []) if lead_field.options else None
    return None


def schema_for(wanted: list[LeadField]) -> dict[str, Any]:
    """The JSON object to answer with, each value at most MAX_CHARS long: the length bound
    is what lets `max_tokens_for` guarantee the output is never cut off."""
    text = {"anyOf": [{"type": "string", "maxLength": MAX_CHARS}, {"type": "null"}]}
    return {
        "type": "object",
        "properties": {fld.key: text for fld in wanted},
        "required": [fld.key for fld in wanted],
        "additionalProperties": False,
    }


def grammar_for(wanted: list[LeadField]) -> str:
    """A grammar that admits only the JSON object of `schema_for`."""
    grammar: str = json_schema_to_gbnf(json.dumps(schema_for(wanted)))  # untyped in llama_cpp
    return grammar


def max_tokens_for(wanted: list[LeadField]) -> int:
    """Enough for the longest JSON the grammar admits, even at 4 tokens per character."""
    return 32 + len(wanted) * (4 * MAX_CHARS + 16)


def extraction_prompt(wanted: list[LeadField]) -> str:
    lines = [
        "Extract facts the customer states about themselves from their message.",
        "Copy each value exactly as written in the message. Use null when it is not stated.",
        "Fields:",
    ]
    for fld in wanted:
        options = f" (one of: {', '.join(fld.options)})" if fld.options else ""
        lines.append(f"- {fld.key}: {fld.label}{options}")
    return "\n".join(lines)


def extract(
    wanted: list[LeadField],
    message: str,
    now: datetime,
    generate: Generate | None = None,
) -> dict[str, Any]:
    """Validated values found in `message` for the `wanted` fields."""
    found: dict[str, Any] = {}
    for fld in wanted:
        value = by_validators(fld, message, now)
        if value is not None:
            found[fld.key] = value
    rest = [fld for fld in wanted if fld.key not in found and fld.type not in PATTERNED]
    if rest and generate is not None:
        raw = generate(extraction_prompt(rest), message, schema_for(rest), max_tokens_for(rest))
        try:
            # strict=False: a grammar lets a string hold a raw newline, which strict JSON
            # forbids; every value is validated below all the same
            proposed = json.loads(raw, strict=False)
        except ValueError:  # the grammar rules this out; be safe all the same
            log.warning("lead extraction returned text that is not JSON")
            proposed = {}
        for fld in rest:
            value = validate(fld, proposed.get(fld.key), message, now)
            if value is not None:
                found[fld.key] = value
    return found
