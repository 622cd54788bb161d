"""The model pool: the one piece of process-wide state.

Each GGUF file is loaded once per (file, context size, GPU layers) and shared by
every bot that names it; loading is serialised so two bots asking at once do not
load the same file twice. A loaded model writes up to `slots` replies at once
(continuous batching): 8 on a CPU, 16 with a GPU.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from runtime.engine.arrivals import Arrivals
from runtime.engine.llama_model import LlamaModel, LoadedInfo, gpu_offload_supported
from runtime.i18n import language_from_env, t

log = logging.getLogger(__name__)

PoolKey = tuple[str, int, int]


CPU_SLOTS, GPU_SLOTS = 8, 16
MAX_SLOTS = 64
SLOTS_SETTING = "engine.slots"  # in the settings store, set in 🧠 模型


def default_threads() -> int:
    configured = os.environ.get("BOTSTUDIO_THREADS")
    return int(configured) if configured else max(1, os.cpu_count() or 1)


def slots_from_environment() -> int | None:
    configured = os.environ.get("BOTSTUDIO_PARALLEL", "").strip()
    if configured.isdigit() and int(configured) >= 1:
        return min(int(configured), MAX_SLOTS)
    return None


def default_slots(saved: object = None) -> int:
    """Replies written at once per model: BOTSTUDIO_PARALLEL, else the studio's setting
    (`saved`), else by the hardware."""
    if (configured := slots_from_environment()) is not None:
        return configured
    if isinstance(saved, int) and not isinstance(saved, bool) and 1 <= saved <= MAX_SLOTS:
        return saved
    return GPU_SLOTS if gpu_offload_supported() else CPU_SLOTS


class ModelPool:
    def __init__(
        self,
        threads: int | None = None,
        prefix_cache_mb: int | None = None,
        slots: int | None = None,
    ):
        self.threads = threads or default_threads()
        self.slots = slots or default_slots()
        mb = prefix_cache_mb or int(os.environ.get("BOTSTUDIO_PREFIX_CACHE_MB", "1024"))
        self.prefix_cache_bytes = mb * 2**20
        self._models: dict[PoolKey, LlamaModel] = {}
        self.arrivals = Arrivals()  # replies being made ready: a waking model waits for them
        self._lock = threading.Lock()
        self._warned_cpu_only = False

    def effective_gpu_layers(self, requested: int) -> int:
        if requested != 0 and not gpu_offload_supported():
            if not self._warned_cpu_only:
                log.warning(t("engine.cpu_only", language_from_env()))
                self._warned_cpu_only = True
            return 0
        return requested

    def get(
        self,
        path: Path,
        *,
        context: int,
        gpu_layers: int,
        progress: Callable[[float], None] | None = None,
    ) -> LlamaModel:
        gpu_layers = self.effective_gpu_layers(gpu_layers)
        key = (str(path.resolve()), context, gpu_layers)
        with self._lock:
            model = self._models.get(key)
            if model is None:
                model = LlamaModel(
                    path,
                    context=context,
                    gpu_layers=gpu_layers,
                    threads=self.threads,
                    slots=self.slots,
                    prefix_cache_bytes=self.prefix_cache_bytes,
                    progress=progress,
                    arrivals=self.arrivals,
                )
                self._models[key] = model
                info = model.info
                log.info(
                    "loaded %s: %d replies at once of context %d, %d of %d layers on GPU,"
                    " %d threads, %.1fs",
                    path.name,
                    info.slots,
                    info.context,
                    info.gpu_layers,
                    info.layers,
                    info.threads,
                    info.load_seconds,
                )
            return model

    def loaded(self) -> list[LoadedInfo]:
        with self._lock:
            return [m.info for m in self._models.values()]

    def running(self) -> dict[str, int]:
        """How many replies each loaded model is writing right now."""
        with self._lock:
            return {m.path.name: m.running for m in self._models.values()}

    def queued(self) -> dict[str, int]:
        """How many replies wait for each loaded model."""
        with self._lock:
            return {m.path.name: m.waiting for m in self._models.values()}

    def close(self) -> None:
        with self._lock:
            for model in self._models.values():
                model.close()
            self._models.clear()


POOL = ModelPool()  # the process-wide pool; everything else is passed explicitly
