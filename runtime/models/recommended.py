"""The recommended models for Chinese customer service, and whether each fits this machine.

Nothing about a model's size is typed here: the download size is the hub's own record
(HEAD or ModelScope's file list), and the memory it needs is computed from that size
and the shape in the GGUF header (read from the file's first bytes with one `Range`
request): weights + KV cache for the context + llama.cpp's working buffer. What a hub
said is kept in data/model_catalog.json, so the figures stay when it is out of reach.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from runtime.models.download import Downloader, DownloadError, local_name
from runtime.models.download_progress import size_text
from runtime.models.hub import HubError, Source, header_metadata, parts_of

CONTEXT = 4096  # a bot's default model.context: what the memory figure assumes
BATCH = 512  # the engine's n_batch / n_ubatch
CACHE_FILE = "model_catalog.json"


@dataclass(frozen=True)
class Recommended:
    key: str  # also names its "good for" text: dl.good.<key>
    title: str
    repo: str  # the same id on Hugging Face and ModelScope
    file: str  # the file bots name (the first part of a multi-part model)

    @property
    def parts(self) -> list[str]:
        return parts_of(self.file)


RECOMMENDED: tuple[Recommended, ...] = (
    Recommended(
        "qwen2.5-1.5b",
        "Qwen2.5-1.5B-Instruct",
        "Qwen/Qwen2.5-1.5B-Instruct-GGUF",
        "qwen2.5-1.5b-instruct-q4_k_m.gguf",
    ),
    Recommended(
        "qwen2.5-3b",
        "Qwen2.5-3B-Instruct",
        "Qwen/Qwen2.5-3B-Instruct-GGUF",
        "qwen2.5-3b-instruct-q4_k_m.gguf",
    ),
    Recommended("qwen3-4b", "Qwen3-4B", "Qwen/Qwen3-4B-GGUF", "Qwen3-4B-Q4_K_M.gguf"),
    Recommended(
        "qwen2.5-7b",
        "Qwen2.5-7B-Instruct",
        "Qwen/Qwen2.5-7B-Instruct-GGUF",
        "qwen2.5-7b-instruct-q4_k_m-00001-of-00002.gguf",
    ),
    Recommended("qwen3-8b", "Qwen3-8B", "Qwen/Qwen3-8B-GGUF", "Qwen3-8B-Q4_K_M.gguf"),
)


def find(key: str) -> Recommended | None:
    return next((r for r in RECOMMENDED if r.key == key), None)


# --- memory --------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """What the memory of a loaded model depends on, from its GGUF header."""

    layers: int
    heads: int
    kv_heads: int
    key_length: int
    value_length: int
    vocab: int | None

    @classmethod
    def from_metadata(cls, meta: dict[str, object]) -> Shape | None:
        arch = meta.get("general.architecture")

        def number(key: str) -> int | None:
            value = meta.get(f"{arch}.{key}")
            return int(value) if isinstance(value, int) and not isinstance(value, bool) else None

        layers, heads, embedding = (
            number("block_count"),
            number("attention.head_count"),
            number("embedding_length"),
        )
        if not (arch and layers and heads and embedding):
            return None
        kv_heads = number("attention.head_count_kv") or heads
        key_length = number("attention.key_length") or embedding // heads
        value_length = number("attention.value_length") or key_length
        return cls(layers, heads, kv_heads, key_length, value_length, number("vocab_size"))

    def kv_cache(self, context: int) -> int:
        """llama.cpp's KV cache: K and V in f16 for every layer and position."""
        return self.layers * context * self.kv_heads * (self.key_length + self.value_length) * 2

    def working(self, context: int, batch: int = BATCH) -> int:
        """llama.cpp's compute buffer on the CPU: the larger of the logits of a batch and
        the attention scores of a batch against the whole context, in f32."""
        return max(self.vocab or 0, context * self.heads) * batch * 4


def memory_needed(download_bytes: int, shape: Shape, context: int = CONTEXT) -> int:
    return download_bytes + shape.kv_cache(context) + shape.working(context)


# --- this machine ---------------------------------------------------------------------


@dataclass(frozen=True)
class Machine:
    free_ram: int | None
    total_ram: int | None
    gpu_build: bool  # this llama.cpp can offload layers
    free_vram: int | None  # the GPU with most free memory (NVIDIA, via nvidia-smi)
    gpu_name: str | None


def this_machine(gpu_build: bool) -> Machine:
    """This machine's memory; `gpu_build`: whether the engine can offload layers
    (runtime.engine.gpu_offload_supported, a layer above: asked by the caller)."""
    free, total = _ram()
    vram, name = _nvidia_free() if gpu_build else (None, None)
    return Machine(free, total, gpu_build, vram, name)


def _ram() -> tuple[int | None, int | None]:
    try:  # Linux: MemAvailable counts what the page cache would give back
        fields = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())

        def kib(key: str) -> int:
            return int(fields[key].split()[0]) * 1024

        return kib("MemAvailable"), kib("MemTotal")
    except (OSError, KeyError, ValueError):
        pass
    if sys.platform == "win32":
        import ctypes

        class Status(ctypes.Structure):
            _fields_ = [
                ("length", ctypes.c_ulong),
                ("load", ctypes.c_ulong),
                ("total", ctypes.c_ulonglong),
                ("avail", ctypes.c_ulonglong),
                ("page_total", ctypes.c_ulonglong),
                ("page_avail", ctypes.c_ulonglong),
                ("virt_total", ctypes.c_ulonglong),
                ("virt_avail", ctypes.c_ulonglong),
                ("ext", ctypes.c_ulonglong),
            ]

        status = Status(length=ctypes.sizeof(Status))
        if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
            return status.avail, status.total
        return None, None
    try:  # macOS and other Unixes: total only
        return None, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (OSError, ValueError, AttributeError):
        return None, None


def _nvidia_free() -> tuple[int | None, str | None]:
    tool = shutil.which("nvidia-smi")
    if not tool:
        return None, None
    try:
        out = subprocess.run(
            [tool, "--query-gpu=name,memory.free", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None, None
    best: tuple[int | None, str | None] = (None, None)
    for line in out.splitlines():
        name, _, free = line.rpartition(",")
        try:
            mib = int(free.strip())
        except ValueError:
            continue
        if best[0] is None or mib * 2**20 > best[0]:
            best = (mib * 2**20, name.strip())
    return best


# --- what the hub said about each entry ------------------------------------------------


@dataclass(frozen=True)
class Facts:
    size: int  # all parts together
    shape: Shape | None
    source: str  # the source's label
    checked_at: float


@dataclass(frozen=True)
class Row:
    """One recommended model as the studio and `models catalog` show it."""

    entry: Recommended
    facts: Facts | None  # None: never reached a hub that has it
    error: DownloadError | None  # why the hub could not be asked now
    need: int | None  # bytes of memory at CONTEXT
    downloaded: bool
    partial: int  # bytes already in gguf/.downloads


class FactsCache:
    def __init__(self, data_dir: Path):
        self.path = data_dir / CACHE_FILE

    def load(self) -> dict[str, Facts]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        facts = {}
        for key, value in raw.items() if isinstance(raw, dict) else ():
            try:
                shape = Shape(**value["shape"]) if value.get("shape") else None
                facts[key] = Facts(
                    int(value["size"]), shape, str(value["source"]), float(value["checked_at"])
                )
            except (KeyError, TypeError, ValueError):
                continue
        return facts

    def save(self, facts: dict[str, Facts]) -> None:
        from runtime.store.private import private_dir, write_private

        private_dir(self.path.parent)
        data = {
            k: {**asdict(f), "shape": asdict(f.shape) if f.shape else None}
            for k, f in facts.items()
        }
        write_private(self.path, json.dumps(data, indent=1).encode("utf-8"))


def ask_hub(downloader: Downloader, source: Source, entry: Recommended) -> Facts:
    """The hub's figures for one entry: the size of every part, and the header's shape."""
    remotes = downloader.plan(source, entry.repo, entry.file)
    shape = None
    with contextlib.suppress(HubError):  # the size alone is still worth showing
        shape = Shape.from_metadata(header_metadata(remotes[0]))
    return Facts(sum(r.size for r in remotes), shape, source.label, time.time())


def rows(
    gguf_dir: Path,
    data_dir: Path,
    source: Source | None,
    entries: tuple[Recommended, ...] = RECOMMENDED,
) -> list[Row]:
    """Every entry with its figures: asked of `source` now (in parallel), or as last seen
    when `source` is None or out of reach."""
    downloader = Downloader(gguf_dir)
    cache = FactsCache(data_dir)
    known = cache.load()
    errors: dict[str, DownloadError] = {}
    if source is not None:
        from concurrent.futures import ThreadPoolExecutor

        def ask(entry: Recommended) -> tuple[str, Facts | DownloadError]:
            try:
                return entry.key, ask_hub(downloader, source, entry)
            except DownloadError as exc:
                return entry.key, exc

        with ThreadPoolExecutor(max_workers=len(entries)) as pool:
            for key, answer in pool.map(ask, entries):
                if isinstance(answer, Facts):
                    known[key] = answer
                else:
                    errors[key] = answer
        cache.save(known)
    result = []
    for entry in entries:
        facts = known.get(entry.key)
        local = _local_shape(gguf_dir / entry.file)
        shape = local or (facts.shape if facts else None)
        size = facts.size if facts else None
        need = memory_needed(size, shape) if size and shape else None
        downloaded = (gguf_dir / entry.file).is_file()
        partial = sum(downloader.partial_bytes(p) for p in entry.parts)
        result.append(Row(entry, facts, errors.get(entry.key), need, downloaded, partial))
    return result


def _local_shape(path: Path) -> Shape | None:
    if not path.is_file():
        return None
    from runtime.models.gguf_info import GGUFError, read_gguf_info

    try:
        return Shape.from_metadata(read_gguf_info(path).metadata)
    except (GGUFError, OSError):
        return None


def fit(need: int | None, machine: Machine) -> tuple[str, dict[str, str]]:
    """Whether a model needing `need` bytes fits: a key of dl.fit.* and its parameters."""
    if need is None:
        return "dl.fit.unknown", {}
    params = {
        "need": size_text(need),
        "free": size_text(machine.free_ram or 0),
        "total": size_text(machine.total_ram or 0),
        "vram": size_text(machine.free_vram or 0),
    }
    if machine.gpu_build and machine.free_vram is not None and need <= machine.free_vram:
        return "dl.fit.gpu", params
    if machine.free_ram is not None:
        if need <= machine.free_ram:
            return "dl.fit.ram", params
        if machine.total_ram and need <= machine.total_ram:
            return "dl.fit.tight", params
        return "dl.fit.no", params
    if machine.total_ram:
        return ("dl.fit.total_ok" if need <= machine.total_ram else "dl.fit.no"), params
    return "dl.fit.unknown", params


def bot_file_name(entry: Recommended) -> str:
    return local_name(entry.file)
