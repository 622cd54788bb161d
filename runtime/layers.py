"""The layers of BotStudio, bottom first: the one place their order is written down.

A module may import from its own package and from any layer below its own, never from
a layer above, and never from another package of its own layer (those are peers that
know nothing of each other). A module is placed by the longest package name that
contains it. tests/test_layers.py reads every import in runtime/, studio/ and launch.py,
also those inside functions and under TYPE_CHECKING, and fails on one that breaks this;
docs/ARCHITECTURE.md draws the picture. A new package or top-level module goes here.
"""

from __future__ import annotations

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("words", ("runtime.i18n",)),
    ("bot model", ("runtime.spec",)),
    ("storage", ("runtime.store",)),
    ("model files, masked logs", ("runtime.models", "runtime.logmask")),
    ("WeCom protocol", ("runtime.wecom",)),
    ("engine", ("runtime.engine",)),
    ("queues", ("runtime.inbox", "runtime.outbox")),
    (
        "parts of a reply",
        (
            "runtime.endpoints",
            "runtime.prompt",
            "runtime.knowledge",
            "runtime.leads",
            "runtime.safety",
            "runtime.assignments",
        ),
    ),
    ("a reply", ("runtime.reply",)),
    ("dialogue", ("runtime.dialogue",)),
    ("uses of the dialogue", ("runtime.commands", "runtime.experiments")),
    ("workers", ("runtime.responder", "runtime.schedules")),
    ("services and figures", ("runtime.workspace", "runtime.overview")),
    ("health", ("runtime.health",)),
    ("adapters", ("runtime.channels", "runtime.web")),
    ("studio", ("studio",)),
    ("server", ("runtime.server",)),
    ("command line", ("runtime.cli",)),
    ("entry point", ("launch",)),
)
