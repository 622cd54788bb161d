"""The bot spec: the YAML contract shared by the studio, the runtime and the command line."""

from runtime.spec.loader import BotRepository, SpecError, parse_bot, spec_to_yaml, validate_bot
from runtime.spec.model import BotSpec, FewShot, LeadField, ResolvedBot, Variant
from runtime.spec.yaml_io import Problem

__all__ = [
    "BotRepository",
    "BotSpec",
    "FewShot",
    "LeadField",
    "Problem",
    "ResolvedBot",
    "SpecError",
    "Variant",
    "parse_bot",
    "spec_to_yaml",
    "validate_bot",
]
