"""Turning pydantic's validation errors into line-numbered messages a marketer can act on."""

from __future__ import annotations

import difflib
import types
import typing

from pydantic import BaseModel, ValidationError

from runtime.i18n import t
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
        field = dotted(path) or "(top)"
        kind = item["type"]
        if kind == "extra_forbidden":
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
            message = t(f"spec.{kind}", lang, field=field, **ctx)
        elif kind == "literal_error":
            expected = str(ctx.get("expected", ""))
            if lang == "zh":
                expected = expected.replace(" or ", " 或 ")
            message = t("spec.literal_error", lang, field=field, expected=expected)
        elif kind in _PLAIN_TYPES:
            message = t(_PLAIN_TYPES[kind], lang, field=field, **ctx)
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
        "bad_cron",
        "bad_timezone",
        "bad_rate_limit",
        "schedule_body",
        "unknown_figure",
        "model_not_gguf",
    )
}
