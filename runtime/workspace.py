"""Where things live on this machine, and the services built on them.

The command line, the server and the studio each build one Workspace from the
global options (--bots, --data, --gguf) and pass it down; nothing reads paths
from globals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import runtime.schedules  # noqa: F401  (hands the spec its cron and figure checks)
from runtime.engine import POOL, Engine, ModelPool
from runtime.models.catalog import ModelCatalog
from runtime.spec import BotRepository
from runtime.store import Conversations, Journal
from runtime.store.settings import Settings

if TYPE_CHECKING:  # imported late below, each where it is first needed
    from runtime.dialogue import Dialogue
    from runtime.endpoints import Endpoints, RemoteModels
    from runtime.knowledge.library import KnowledgeBases
    from runtime.leads.extract import Generate
    from runtime.leads.store import LeadStore
    from runtime.models.download_jobs import DownloadJobs
    from runtime.spec.model import BotSpec
    from runtime.store.events import EventLog
    from runtime.wecom.bindings import Bindings


@dataclass
class Workspace:
    bots_dir: Path = Path("bots")
    data_dir: Path = Path("data")
    gguf_dir: Path = Path("gguf")
    lang: str = "zh"
    pool: ModelPool = field(default=POOL, repr=False)

    @cached_property
    def models(self) -> ModelCatalog:
        return ModelCatalog(self.gguf_dir)

    @cached_property
    def bots(self) -> BotRepository:
        return BotRepository(self.bots_dir, self.models, self.lang)

    @cached_property
    def downloads(self) -> DownloadJobs:  # model downloads running in the background (the studio's)
        from runtime.models.download_jobs import DownloadJobs

        return DownloadJobs(self.gguf_dir)

    @cached_property
    def journal(self) -> Journal:
        return Journal(self.data_dir / "botstudio.sqlite3")

    @cached_property
    def settings(self) -> Settings:
        return Settings(self.data_dir / "settings.json")

    @cached_property  # WeCom credentials in the secret store, their health in the journal
    def bindings(self) -> Bindings:
        from runtime.wecom.bindings import Bindings

        return Bindings(self.settings, self.journal)

    @cached_property
    def conversations(self) -> Conversations:
        return Conversations(self.journal)

    @cached_property
    def endpoints(self) -> Endpoints:  # models served elsewhere, in the secret store
        from runtime.endpoints import Endpoints

        return Endpoints(self.settings)

    @cached_property  # their URL pools and clients (opened when a bot first uses one)
    def remote(self) -> RemoteModels:
        from runtime.endpoints import RemoteModels

        return RemoteModels(lambda: self.endpoints, self.lang)

    @cached_property
    def engine(self) -> Engine:
        return Engine(self.models, self.pool, self.lang, remote=self.remote)

    @cached_property
    def leads(self) -> LeadStore:
        from runtime.leads.store import LeadStore

        return LeadStore(self.journal)

    @cached_property
    def dialogue(self) -> Dialogue:  # imported late: the dialogue needs everything above
        from runtime.dialogue import Dialogue
        from runtime.leads.capture import LeadCapture

        engine = self.engine

        def generate_for(spec: BotSpec) -> Generate:
            """Lead extraction on the bot's own model: greedy, held to a JSON schema."""
            settings = spec.model.model_copy(update={"temperature": 0})

            def generate(system: str, message: str, schema: dict[str, Any], max_tokens: int) -> str:
                messages = [
                    {"role": "system", "content": system},
                    {"role": "user", "content": message},
                ]
                return engine.generate(
                    settings, messages, pinned=1, max_tokens=max_tokens, schema=schema
                ).read_all()

            return generate

        from runtime.assignments import Assignments

        capture = LeadCapture(self.leads, generate_for)
        return Dialogue(
            self.bots,
            engine,
            self.conversations,
            capture,
            Assignments(self.journal),
            self.events,
            log_salt=self.log_salt,
            knowledge=self.knowledge,
        )

    @cached_property  # each bot's documents beside its file, their indexes under data/
    def knowledge(self) -> KnowledgeBases:
        from runtime.knowledge.library import KnowledgeBases

        return KnowledgeBases(self.bots_dir, self.data_dir, self.lang)

    @cached_property
    def log_salt(self) -> str:
        """The secret people's ids are hashed with in logs, kept in the secret store."""
        from runtime.logmask import log_salt

        return log_salt(self.settings)

    @cached_property
    def events(self) -> EventLog:
        from runtime.store.events import EventLog

        return EventLog(self.journal)
