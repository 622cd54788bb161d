"""The edit form and the bot spec: converting one into the other.

Pure functions, no Gradio: the form shows what the spec holds, and saving turns
the form back into data that goes through the very same validation as `check`.
Anything the form does not show (schedules, a variant's few-shot or model
overrides) is carried over untouched from the file.
"""

from __future__ import annotations

import re
import typing
from typing import Any

from runtime.i18n import LANGUAGES, t
from runtime.spec import BotSpec, Problem
from runtime.spec.model import FieldType

FEW_SHOT_COLUMNS = ["user", "assistant"]
FIELD_COLUMNS = ["key", "label", "type", "required", "ask", "why", "options"]
VARIANT_COLUMNS = ["id", "weight", "greeting", "system_prompt", "persona"]
FIELD_TYPES = list(typing.get_args(FieldType))  # text, phone_cn, email...: the spec's own list
TEXT_KEYS = ["name", "description", "persona", "system_prompt", "greeting", "knowledge"]
MODEL_KEYS = ["file", "temperature", "top_p", "max_tokens", "context", "gpu_layers"]

# Where a problem is shown: the form section that holds the offending key.
SECTIONS = {
    "id": "basics",
    "name": "basics",
    "description": "basics",
    "language": "basics",
    "timezone": "basics",
    "persona": "prompt",
    "system_prompt": "prompt",
    "greeting": "prompt",
    "knowledge": "prompt",
    "few_shot": "few_shot",
    "lead_capture": "lead_capture",
    "model": "model",
    "variants": "variants",
    "wecom": "wecom",
    "safety": "safety",
}
SECTION_ORDER = [
    "basics",
    "prompt",
    "few_shot",
    "lead_capture",
    "model",
    "variants",
    "wecom",
    "safety",
    "other",
]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value != value


def _text(value: Any) -> str:
    return "" if _blank(value) else str(value)


def _number(value: Any) -> Any:
    """Gradio numbers come as floats; a whole number goes back as an int."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return _number(float(value))
        except ValueError:
            return value  # left for validation to name
    return value


def split_list(text: str) -> list[str]:
    """Options or blocked words typed with commas (, ， 、) or on separate lines."""
    return [part.strip() for part in re.split(r"[,，、\n]", text or "") if part.strip()]


def rows(table: Any) -> list[list[Any]]:
    """A Dataframe's value as a list of rows, whatever form Gradio hands it in."""
    if table is None:
        return []
    if hasattr(table, "values") and hasattr(table, "columns"):  # pandas
        return table.values.tolist()
    if isinstance(table, dict):
        return list(table.get("data") or [])
    return [list(row) for row in table]


def type_label(kind: str, lang: str) -> str:
    """A lead field type as the table shows it: 手机号（phone_cn）."""
    if kind not in FIELD_TYPES:
        return kind
    return t("field.named", lang, label=t(f"type.{kind}", lang), key=kind)


def type_key(text: str) -> str:
    """What was typed in the type column, back to the spec's key: 手机号（phone_cn）, 手机号,
    Mobile number and phone_cn all give phone_cn; anything else is left for validation."""
    text = (text or "").strip()
    beside = re.fullmatch(r".*[（(]\s*([a-z_]+)\s*[）)]", text)
    if beside and beside.group(1) in FIELD_TYPES:
        return beside.group(1)
    for kind in FIELD_TYPES:
        if text.lower() in {t(f"type.{kind}", lang).lower() for lang in LANGUAGES}:
            return kind
    return text


def spec_to_form(spec: BotSpec, lang: str | None = None) -> dict[str, Any]:
    """The form's values; with `lang`, lead field types in words (手机号（phone_cn））."""
    form: dict[str, Any] = {key: getattr(spec, key) for key in TEXT_KEYS}
    form["few_shot"] = [[ex.user, ex.assistant] for ex in spec.few_shot] or [["", ""]]
    shown = (lambda kind: type_label(kind, lang)) if lang else (lambda kind: kind)
    form["fields"] = [
        [
            f.key,
            f.label,
            shown(f.type),
            f.required,
            f.ask or "",
            f.why or "",
            ", ".join(f.options or []),
        ]
        for f in spec.lead_capture.fields
    ] or [["", "", shown("text"), False, "", "", ""]]
    form["goal"] = spec.lead_capture.goal
    form["converted_when"] = ", ".join(spec.lead_capture.converted_when)
    form["variants"] = [
        [v.id, v.weight, v.greeting or "", v.system_prompt or "", v.persona or ""]
        for v in spec.variants
    ] or [["", 1, "", "", ""]]
    for key in MODEL_KEYS:
        form[f"model.{key}"] = getattr(spec.model, key)
    form["model.file"] = spec.model.source  # a file, or "endpoint:NAME" (served elsewhere)
    form["wecom.trigger"] = spec.wecom.trigger
    form["wecom.prefix"] = spec.wecom.prefix or ""
    form["wecom.reply_format"] = spec.wecom.reply_format
    form["safety.rate_limit"] = spec.safety.rate_limit or ""
    form["safety.blocked_words"] = ", ".join(spec.safety.blocked_words)
    form["safety.blocked_reply"] = spec.safety.blocked_reply
    form["safety.history_turns"] = spec.safety.history_turns
    return form


def form_to_data(form: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """The bot's data with the form's values; `base` is the file's data before editing."""
    data = {k: v for k, v in base.items()}
    for key in TEXT_KEYS:
        value = _text(form.get(key))
        if value or key in base or key == "name":
            data[key] = value

    few_shot = [
        {"user": _text(user), "assistant": _text(assistant)}
        for user, assistant, *_ in rows(form.get("few_shot"))
        if not (_blank(user) and _blank(assistant))
    ]
    _set_or_drop(data, "few_shot", few_shot)

    fields = []
    for row in rows(form.get("fields")):
        key, label, kind, required, ask, why, options = (list(row) + [None] * 7)[:7]
        if _blank(key) and _blank(label):
            continue
        field: dict[str, Any] = {"key": _text(key).strip(), "label": _text(label).strip()}
        field["type"] = type_key(_text(kind)) or "text"
        field["required"] = bool(required) and str(required).lower() not in ("false", "0")
        for name, value in (("ask", ask), ("why", why)):
            if not _blank(value):
                field[name] = _text(value)
        if not _blank(options):
            field["options"] = split_list(_text(options))
        fields.append(field)
    lead = dict(base.get("lead_capture") or {})
    _set_or_drop(lead, "fields", fields)
    _set_or_drop(lead, "goal", _text(form.get("goal")))
    _set_or_drop(lead, "converted_when", split_list(_text(form.get("converted_when"))))
    _set_or_drop(data, "lead_capture", lead)

    old_variants = {v.get("id"): v for v in base.get("variants") or [] if isinstance(v, dict)}
    variants = []
    for row in rows(form.get("variants")):
        vid, weight, greeting, system_prompt, persona = (list(row) + [None] * 5)[:5]
        if _blank(vid):
            continue
        variant = {k: v for k, v in old_variants.get(_text(vid), {}).items()}
        variant["id"] = _text(vid).strip()
        variant["weight"] = _number(weight) if not _blank(weight) else 1
        for name, value in (
            ("greeting", greeting),
            ("system_prompt", system_prompt),
            ("persona", persona),
        ):
            if _blank(value):
                variant.pop(name, None)  # blank = the bot's own
            else:
                variant[name] = _text(value)
        variants.append(variant)
    _set_or_drop(data, "variants", variants)

    model = dict(base.get("model") or {})
    for key in MODEL_KEYS:
        value = form.get(f"model.{key}")
        if not _blank(value):
            model[key] = _number(value) if key != "file" else value
    kind, _, endpoint = str(model.get("file", "")).partition(":")
    if kind == "endpoint" and endpoint:  # a model served elsewhere instead of a file
        del model["file"]
        if model.get("endpoint") != endpoint:
            model.pop("name", None)  # the model name was the other endpoint's
        model["endpoint"] = endpoint
    elif "file" in model:
        model.pop("endpoint", None)
        model.pop("name", None)
    data["model"] = model

    wecom = dict(base.get("wecom") or {})
    wecom["trigger"] = form.get("wecom.trigger") or "mention"
    wecom["reply_format"] = form.get("wecom.reply_format") or "markdown"
    if _blank(form.get("wecom.prefix")):
        wecom.pop("prefix", None)
    else:
        wecom["prefix"] = _text(form.get("wecom.prefix")).strip()
    data["wecom"] = wecom

    safety = dict(base.get("safety") or {})
    rate = _text(form.get("safety.rate_limit")).strip()
    safety["rate_limit"] = rate or None
    _set_or_drop(safety, "blocked_words", split_list(_text(form.get("safety.blocked_words"))))
    if not _blank(form.get("safety.blocked_reply")):
        safety["blocked_reply"] = _text(form.get("safety.blocked_reply"))
    if not _blank(form.get("safety.history_turns")):
        safety["history_turns"] = _number(form.get("safety.history_turns"))
    data["safety"] = safety
    return data


def _set_or_drop(data: dict[str, Any], key: str, value: Any) -> None:
    if value:
        data[key] = value
    else:
        data.pop(key, None)


def problems_by_section(problems: list[Problem]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        section = SECTIONS.get(str(problem.path[0]), "other") if problem.path else "basics"
        grouped.setdefault(section, []).append(problem.message)
    return grouped
