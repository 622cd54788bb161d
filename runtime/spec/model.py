"""The bot spec: one strict model that the YAML files, the studio and the runtime share.

Every model forbids unknown keys. Validation errors carry a stable `type` and
parameters in their context; `runtime.spec.errors` turns them into messages in
the user's language with the file line of the offending value.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from runtime.spec.fields import BotId, ShortText, Strict, Text, TimeZone
from runtime.spec.knowledge import FaqSettings, KnowledgeSettings
from runtime.spec.schedule import Schedule
from runtime.spec.web import ApiSettings, WebChatSettings
from runtime.spec.wecom import KfSettings, WeComSettings

# Always used with fullmatch (see runtime/spec/fields.py)
VARIANT_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
FIELD_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
ENDPOINT_NAME = re.compile(r"[a-z0-9](?:[a-z0-9_-]{0,38}[a-z0-9])?")  # runtime/endpoints
RATE_LIMIT = re.compile(r"\s*(\d+)\s*/\s*(second|minute|hour|day)s?\s*")
RATE_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}

FieldType = Literal[
    "text", "phone_cn", "email", "wechat_id", "number", "date", "datetime", "choice"
]
DEFAULT_MODEL = "default"

# Shared constraints, so a variant override is checked exactly like the base setting.
Temperature = Annotated[float, Field(ge=0, le=2)]
TopP = Annotated[float, Field(gt=0, le=1)]
MaxTokens = Annotated[int, Field(ge=16, le=8192)]
ContextSize = Annotated[int, Field(ge=512, le=131072)]
GpuLayers = Annotated[int, Field(ge=-1)]
RepeatPenalty = Annotated[float, Field(ge=1, le=2)]


def bounds(model: type[BaseModel], name: str) -> tuple[float | None, float | None, bool]:
    """(lowest, highest, whether the lowest itself is refused) of a number setting, read from
    its constraints above: the one place a range is written, for messages and the studio."""
    field = model.model_fields[name]
    found = list(field.metadata)
    for arg in typing.get_args(field.annotation):  # `X | None`: the constraints sit inside
        for meta in getattr(arg, "__metadata__", ()):
            found += getattr(meta, "metadata", [meta])
    low = high = None
    exclusive = False
    for meta in found:
        if getattr(meta, "ge", None) is not None:
            low = meta.ge
        if getattr(meta, "gt", None) is not None:
            low, exclusive = meta.gt, True
        if getattr(meta, "le", None) is not None:
            high = meta.le
    return low, high, exclusive


def _reject_duplicates(values: list[str], what: str, attr: str | None = None) -> None:
    seen: dict[str, int] = {}
    for index, value in enumerate(values):
        if value in seen:
            at = [index, attr] if attr else [index]
            ctx = {"what": what, "value": value, "first": seen[value] + 1, "at": at}
            raise PydanticCustomError("duplicate", "duplicate", ctx)
        seen[value] = index


def _check_endpoint_name(value: str | None) -> str | None:
    if value is not None and not ENDPOINT_NAME.fullmatch(value):
        raise PydanticCustomError("bad_endpoint_name", "invalid endpoint", {"value": value})
    return value


EndpointName = Annotated[str | None, AfterValidator(_check_endpoint_name)]


def _file_or_endpoint(model: ModelSettings | ModelOverride, file_given: bool) -> None:
    """A model is a local file or a named endpoint (runtime/endpoints), never both; `name`
    (the model on the endpoint) only goes with an endpoint."""
    if model.endpoint is not None and file_given:
        raise PydanticCustomError("file_and_endpoint", "file or endpoint", {"at": ["endpoint"]})
    if model.name is not None and file_given:
        raise PydanticCustomError("name_needs_endpoint", "name needs endpoint", {"at": ["name"]})


class ModelSettings(Strict):
    file: str = DEFAULT_MODEL
    endpoint: EndpointName = None  # a model served elsewhere: `launch.py endpoints`
    name: ShortText | None = None  # the model on the endpoint (default: the endpoint's)
    temperature: Temperature = 0.7
    top_p: TopP = 0.9
    max_tokens: MaxTokens = 512
    context: ContextSize = 4096
    gpu_layers: GpuLayers = 0
    repeat_penalty: RepeatPenalty = 1.1
    seed: int | None = None

    @field_validator("file")
    @classmethod
    def _model_file_name(cls, value: str) -> str:
        if value != DEFAULT_MODEL and (
            not value.endswith(".gguf") or "/" in value or "\\" in value or value.startswith(".")
        ):
            raise PydanticCustomError("model_not_gguf", "not a gguf file", {"value": value})
        return value

    @model_validator(mode="after")
    def _one_kind_of_model(self) -> ModelSettings:
        _file_or_endpoint(self, "file" in self.model_fields_set)
        if self.name is not None and self.endpoint is None:
            at = {"at": ["name"]}
            raise PydanticCustomError("name_needs_endpoint", "name needs endpoint", at)
        return self

    @property
    def source(self) -> str:
        """What answers: the model file, or "endpoint:NAME"."""
        return f"endpoint:{self.endpoint}" if self.endpoint else self.file


class ModelOverride(Strict):
    """A variant's changes to the model settings; unset keys keep the bot's own. A variant
    may use another file or endpoint than the bot's."""

    file: str | None = None
    endpoint: EndpointName = None
    name: ShortText | None = None
    temperature: Temperature | None = None
    top_p: TopP | None = None
    max_tokens: MaxTokens | None = None
    context: ContextSize | None = None
    gpu_layers: GpuLayers | None = None
    repeat_penalty: RepeatPenalty | None = None
    seed: int | None = None

    @field_validator("file")
    @classmethod
    def _model_file_name(cls, value: str | None) -> str | None:
        return None if value is None else ModelSettings._model_file_name(value)

    @model_validator(mode="after")
    def _one_kind_of_model(self) -> ModelOverride:
        _file_or_endpoint(self, self.file is not None)
        return self


class FewShot(Strict):
    user: Annotated[str, Field(min_length=1, max_length=20_000)]
    assistant: Annotated[str, Field(min_length=1, max_length=20_000)]


class LeadField(Strict):
    key: str
    label: ShortText
    type: FieldType = "text"
    required: bool = False
    ask: str | None = None
    why: str | None = None  # why sharing it helps the customer; said when asking
    options: list[ShortText] | None = None

    @field_validator("key")
    @classmethod
    def _key_shape(cls, value: str) -> str:
        if not FIELD_KEY.fullmatch(value):
            raise PydanticCustomError("bad_field_key", "invalid key", {"value": value})
        return value

    @model_validator(mode="after")
    def _options_match_type(self) -> LeadField:
        if self.type == "choice" and not self.options:
            raise PydanticCustomError("options_required", "options required", {"at": ["options"]})
        if self.type != "choice" and self.options is not None:
            raise PydanticCustomError("options_unexpected", "no options", {"at": ["options"]})
        return self


class LeadCapture(Strict):
    goal: str = ""
    converted_when: list[str] = Field(default_factory=list)
    fields: list[LeadField] = Field(default_factory=list)
    alert_unmasked: bool = False  # conversion alerts show phone numbers in full

    @field_validator("fields")
    @classmethod
    def _unique_keys(cls, fields: list[LeadField]) -> list[LeadField]:
        _reject_duplicates([f.key for f in fields], "field_key", "key")
        return fields

    @model_validator(mode="after")
    def _known_conversion_fields(self) -> LeadCapture:
        known = [f.key for f in self.fields]
        for index, key in enumerate(self.converted_when):
            if key not in known:
                ctx = {"value": key, "known": known, "at": ["converted_when", index]}
                raise PydanticCustomError("unknown_field_ref", "unknown field", ctx)
        return self


class Variant(Strict):
    id: str
    weight: Annotated[float, Field(gt=0)] = 1
    persona: Text | None = None
    system_prompt: Text | None = None
    greeting: Text | None = None
    few_shot: list[FewShot] | None = None
    model: ModelOverride | None = None

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not VARIANT_ID.fullmatch(value):
            raise PydanticCustomError("bad_variant_id", "invalid variant id", {"value": value})
        return value


class Experiment(Strict):
    """The A/B test in progress: a new seed starts a new experiment (everyone is assigned
    afresh); until then each person keeps the variant they first saw."""

    seed: Annotated[str, Field(min_length=1, max_length=64)] = "1"


class Safety(Strict):
    rate_limit: str | None = "10/minute"
    blocked_words: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    blocked_reply: str = "抱歉，这个问题我无法回答。"
    history_turns: Annotated[int, Field(ge=0, le=200)] = 10

    @field_validator("rate_limit")
    @classmethod
    def _rate_shape(cls, value: str | None) -> str | None:
        if value is not None and not RATE_LIMIT.fullmatch(value):
            raise PydanticCustomError("bad_rate_limit", "invalid rate", {"value": value})
        return value

    def rate(self) -> tuple[int, int] | None:
        """(messages, seconds) or None when unlimited."""
        if self.rate_limit is None:
            return None
        match = RATE_LIMIT.fullmatch(self.rate_limit)
        assert match  # validated above
        return int(match.group(1)), RATE_UNITS[match.group(2)]


class BotSpec(Strict):
    id: BotId
    name: ShortText
    description: str = ""
    language: Literal["zh", "en"] = "zh"
    timezone: TimeZone = "Asia/Shanghai"
    model: ModelSettings = Field(default_factory=ModelSettings)
    persona: Text = ""
    system_prompt: Text = ""
    greeting: Text = ""
    knowledge: Text = ""
    knowledge_base: KnowledgeSettings = Field(default_factory=KnowledgeSettings)
    faq: FaqSettings = Field(default_factory=FaqSettings)
    few_shot: list[FewShot] = Field(default_factory=list)
    lead_capture: LeadCapture = Field(default_factory=LeadCapture)
    variants: list[Variant] = Field(default_factory=list)
    experiment: Experiment = Field(default_factory=Experiment)
    wecom: WeComSettings = Field(default_factory=WeComSettings)
    kf: KfSettings = Field(default_factory=KfSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    web_chat: WebChatSettings = Field(default_factory=WebChatSettings)
    safety: Safety = Field(default_factory=Safety)
    schedules: list[Schedule] = Field(default_factory=list)

    @field_validator("variants")
    @classmethod
    def _unique_variants(cls, variants: list[Variant]) -> list[Variant]:
        _reject_duplicates([v.id for v in variants], "variant_id", "id")
        return variants

    @model_validator(mode="after")
    def _variant_model_names_need_endpoints(self) -> BotSpec:
        for index, variant in enumerate(self.variants):
            own = variant.model
            on_endpoint = own and (own.endpoint or (self.model.endpoint and own.file is None))
            if own and own.name is not None and not on_endpoint:
                at = ["variants", index, "model", "name"]
                raise PydanticCustomError("name_needs_endpoint", "name needs endpoint", {"at": at})
        return self

    @field_validator("schedules")
    @classmethod
    def _unique_schedules(cls, schedules: list[Schedule]) -> list[Schedule]:
        _reject_duplicates([s.id for s in schedules], "schedule_id", "id")
        return schedules

    # --- what the runtime needs -------------------------------------------

    def variant_ids(self) -> list[str]:
        return [v.id for v in self.variants]

    def model_files(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Each model file the bot names, with where it is named."""
        files: list[tuple[tuple[str | int, ...], str]] = []
        if not self.model.endpoint:
            files.append((("model", "file"), self.model.file))
        for index, variant in enumerate(self.variants):
            if variant.model and variant.model.file:
                files.append((("variants", index, "model", "file"), variant.model.file))
        return files

    def resolve(self, variant_id: str | None = None) -> ResolvedBot:
        """The bot as one variant sees it. None means the control (the first variant)."""
        variant = None
        if self.variants:
            if variant_id is None:
                variant = self.variants[0]
            else:
                variant = next((v for v in self.variants if v.id == variant_id), None)
                if variant is None:
                    raise KeyError(variant_id)
        elif variant_id is not None:
            raise KeyError(variant_id)

        def pick(name: str) -> typing.Any:  # the variant's value where it sets one (any field)
            own = getattr(variant, name, None) if variant else None
            return getattr(self, name) if own is None else own

        model = self.model
        if variant and variant.model:
            changes = variant.model.model_dump(exclude_none=True)
            if "file" in changes:  # a variant on a local file leaves the bot's endpoint
                changes.update(endpoint=None, name=None)
            elif "endpoint" in changes:  # on another endpoint: its own model unless named
                changes.setdefault("name", None)
            model = model.model_copy(update=changes)
        return ResolvedBot(
            bot_id=self.id,
            variant_id=variant.id if variant else None,
            name=self.name,
            language=self.language,
            persona=pick("persona"),
            system_prompt=pick("system_prompt"),
            greeting=pick("greeting"),
            knowledge=self.knowledge,
            few_shot=list(pick("few_shot")),
            model=model,
            safety=self.safety,
            lead_capture=self.lead_capture,
        )


@dataclass(frozen=True)
class ResolvedBot:
    """A bot with one variant's overrides applied: what the prompt builder and engine use."""

    bot_id: str
    variant_id: str | None
    name: str
    language: str
    persona: str
    system_prompt: str
    greeting: str
    knowledge: str
    few_shot: list[FewShot]
    model: ModelSettings
    safety: Safety
    lead_capture: LeadCapture
