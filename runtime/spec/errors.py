"""Turning pydantic's validation errors into line-numbered messages a marketer can act on."""

from __future__ import annotations

import difflib
import re
import types
import typing

from pydantic import BaseModel, ValidationError

from runtime.i18n import STRINGS, shown, t
from runtime.spec.model import BotSpec, bounds
from runtime.spec.schedule import Schedule
from runtime.spec.yaml_io import LoadedYaml, Path, Problem

_PLAIN_TYPES = {
    "int_type": "spec.int_type",
    "int_parsing": "spec.int_type",
    "int_from_float": "spec.int_type",
    "float_type": "spec.float_type",
    "float_parsing": "spec.float_type",
    "bool_type": "spec.bool_type",
    "bool_parsing": "spec.bool_type",
    "string_type": "spec.string_type",
    "list_type": "spec.list_type",
    "dict_type": "spec.dict_type",
    "model_type": "spec.dict_type",
    "model_attributes_type": "spec.dict_type",
    "too_short": "spec.too_short",
    "missing": "spec.missing",
    "literal_error": "spec.literal_error",
    "greater_than": "spec.greater_than",
    "greater_than_equal": "spec.greater_than_equal",
    "less_than_equal": "spec.less_than_equal",
    "string_too_long": "spec.string_too_long",
    "string_too_short": "spec.string_too_short",
}


def dotted(path: Path) -> str:
    """('lead_capture', 'fields', 2, 'key') -> 'lead_capture.fields[2].key'"""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


# Where a model's keys sit in a bot file, for their labels (field.* in the string table).
_LABELLED: dict[type[BaseModel], tuple[str, ...]] = {BotSpec: (), Schedule: ("schedules",)}


def _label(names: list[str], lang: str) -> str | None:
    """The label of the setting at `names`: "variants.model.temperature" is labelled as
    "model.temperature" when it has no label of its own."""
    for start in range(len(names)):
        key = "field." + ".".join(names[start:])
        if key in STRINGS:
            return t(key, lang)
    return None


def plain_field(path: Path, lang: str, root: type[BaseModel] = BotSpec) -> str:
    """'上下文长度（model.context）' for ('model', 'context'): the setting's label, its key
    beside it; the key alone where the setting has no label (an unknown key)."""
    key = dotted(path)
    if root not in _LABELLED or not path:
        return key
    names = list(_LABELLED[root])
    described: str | None = None

    def then(label: str) -> str:  # "A/B 变体第 1 项" then "创造性（温度）": 第 1 项的创造性
        return label if described is None else t("field.item_of", lang, item=described, label=label)

    for part in path:
        if isinstance(part, int):
            what = _label(names, lang)
            if what is None:
                return key
            described = then(t("field.item", lang, what=what, n=part + 1))
        else:
            names.append(part)
    if not isinstance(path[-1], int):
        label = _label(names, lang)
        if label is None:
            return key
        described = then(label)
    return t("field.named", lang, label=described, key=key)


# The words for the allowed values of a few settings: 手机号（phone_cn）, not phone_cn.
_VALUE_LABELS = {
    "lead_capture.fields.type": "type.{}",
    "wecom.trigger": "edit.trigger.{}",
    "wecom.reply_format": "edit.format.{}",
    "kf.handover_to": "edit.handover_to.{}",
}


def value_words(setting: str, value: str, lang: str) -> str | None:
    """The words for one allowed value of a setting: 手机号 for ("lead_capture.fields.type",
    "phone_cn"); None where the value has none."""
    form = _VALUE_LABELS.get(setting)
    return t(form.format(value), lang) if form and form.format(value) in STRINGS else None


def _plain_choices(root: type[BaseModel], path: Path, expected: str, lang: str) -> str:
    """The allowed values in words: 文字（text）、手机号（phone_cn）或单选（choice）."""
    values = re.findall(r"'([^']*)'", expected)
    names = ".".join([*_LABELLED.get(root, ("?",)), *(p for p in path if isinstance(p, str))])
    form = _VALUE_LABELS.get(names)
    if not values:
        return expected
    words = [
        t("field.named", lang, label=t(form.format(v), lang), key=v)
        if form and form.format(v) in STRINGS
        else f"'{v}'"
        for v in values
    ]
    if len(words) == 1:
        return words[0]
    return t("cron.and", lang).join(words[:-1]) + t("spec.or", lang) + words[-1]


def _number(value: object) -> object:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def range_text(model: type[BaseModel], name: str, lang: str) -> str | None:
    """'在 0 到 2 之间' for a number setting, from its constraints; None when it has none."""
    lowest, highest, exclusive = bounds(model, name)
    low, high = _number(lowest), _number(highest)
    if low is not None and high is not None:
        return t("range.open_low" if exclusive else "range.closed", lang, low=low, high=high)
    if low is not None:
        return t("range.more_than" if exclusive else "range.at_least", lang, low=low)
    return None


def _range_message(
    root: type[BaseModel], loc: Path, field: str, value: object, lang: str
) -> str | None:
    """'“创造性（温度）（model.temperature）” 应在 0 到 2 之间，现在是 5', when the setting has
    a range with both ends: the message then names the whole range, not the end crossed."""
    model = _model_at(root, loc[:-1])
    if model is None or not isinstance(loc[-1], str) or loc[-1] not in model.model_fields:
        return None
    low, high, _ = bounds(model, loc[-1])
    if low is None or high is None:
        return None
    allowed = range_text(model, loc[-1], lang)
    return t("spec.out_of_range", lang, field=field, range=allowed, value=_number(value))


def _model_at(root: type[BaseModel], path: Path) -> type[BaseModel] | None:
    """The model class that holds the keys at `path`, for 'did you mean' hints."""
    current: object = root
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = _unwrap(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: object) -> object:
    """list[X] / X | None / Annotated[X, ...] -> X, when X is a model."""
    for arg in typing.get_args(annotation) or ():
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        inner = _unwrap(arg)
        if inner is not None and inner is not arg:
            return inner
    if isinstance(annotation, types.UnionType):
        return None
    return annotation


def problems_from_validation(
    error: ValidationError, loaded: LoadedYaml, root: type[BaseModel], lang: str
) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc: Path = tuple(item["loc"])
        ctx = dict(item.get("ctx") or {})
        path = loc + tuple(ctx.pop("at", ()))
        field = plain_field(path, lang, root) or "(top)"
        kind = item["type"]
        ranged = None
        if kind in ("greater_than", "greater_than_equal", "less_than_equal") and loc:
            ranged = _range_message(root, loc, field, item.get("input"), lang)
        if ranged is not None:
            message = ranged
        elif kind == "extra_forbidden":
            field = dotted(path)
            allowed = _model_at(root, loc[:-1])
            names = list(allowed.model_fields) if allowed else []
            close = difflib.get_close_matches(str(loc[-1]), names, n=1)
            hint = t("spec.did_you_mean", lang, name=close[0]) if close else ""
            message = t("spec.extra_forbidden", lang, field=field, hint=hint)
        elif kind == "duplicate":
            first_path = (*loc, ctx["first"] - 1, *tuple(path[len(loc) + 1 :]))
            message = t(
                "spec.duplicate",
                lang,
                what=t(f"spec.what.{ctx['what']}", lang),
                value=ctx["value"],
                first=loaded.line_of(first_path),
            )
        elif kind == "unknown_field_ref":
            known = ", ".join(ctx["known"]) or t("spec.none", lang)
            message = t("spec.unknown_field_ref", lang, value=ctx["value"], known=known)
        elif f"spec.{kind}" in _CUSTOM:
            plain = {k: shown(v, lang) for k, v in ctx.items()}  # a reason stored with `said`
            message = t(f"spec.{kind}", lang, field=field, **plain)
        elif kind == "literal_error":
            expected = _plain_choices(root, path, str(ctx.get("expected", "")), lang)
            message = t("spec.literal_error", lang, field=field, expected=expected)
        elif kind in _PLAIN_TYPES:
            plain = {k: _number(v) for k, v in ctx.items()}  # 0, not 0.0
            message = t(_PLAIN_TYPES[kind], lang, field=field, **plain)
        else:
            message = t("spec.invalid", lang, field=field, detail=item["msg"])
        problems.append(Problem(loaded.line_of(path), message, path))
    return sorted(problems, key=lambda p: p.line)


_CUSTOM = {
    f"spec.{name}"
    for name in (
        "bad_id",
        "bad_variant_id",
        "bad_field_key",
        "options_required",
        "options_unexpected",
        "prefix_required",
        "servicer_required",
        "bad_cron",
        "bad_timezone",
        "bad_rate_limit",
        "schedule_body",
        "unknown_figure",
        "model_not_gguf",
        "file_and_endpoint",
        "name_needs_endpoint",
        "bad_endpoint_name",
        "faq_thresholds",
        "bad_color",
    )
}
