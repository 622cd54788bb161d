"""Reading a GGUF file's header: what the Models list shows, without loading the weights.

Only the key/value metadata and the tensor descriptions are read (a few MB at
most); the tensor data that follows is never touched.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from runtime.i18n import Explained

GGUF_MAGIC = b"GGUF"

# GGUF value types -> struct format (None: string / array, handled apart)
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q"}
_SCALARS |= {11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9

# llama.cpp's LLAMA_FTYPE values, as written in general.file_type (looked up with whatever
# value a file holds there, hence the `object` keys)
FILE_TYPES: dict[object, str] = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    19: "IQ2_XXS",
    20: "IQ2_XS",
    21: "Q2_K_S",
    22: "IQ3_XS",
    23: "IQ3_XXS",
    24: "IQ1_S",
    25: "IQ4_NL",
    26: "IQ3_S",
    27: "IQ3_M",
    28: "IQ2_S",
    29: "IQ2_M",
    30: "IQ4_XS",
    31: "IQ1_M",
    32: "BF16",
    36: "TQ1_0",
    37: "TQ2_0",
    38: "MXFP4",
}

MAX_STRING = 64 * 1024 * 1024  # a chat template or token list entry is never this big


class GGUFError(Explained, ValueError):
    """Not a GGUF file, or a damaged one (said in the terminal's language, or any other)."""


@dataclass(frozen=True)
class GGUFInfo:
    path: Path
    size_bytes: int
    metadata: dict[str, object]
    parameters: int

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", "?"))

    @property
    def name(self) -> str:
        return str(self.metadata.get("general.name", self.path.stem))

    @property
    def quantization(self) -> str:
        file_type = self.metadata.get("general.file_type")
        return FILE_TYPES.get(file_type, f"type {file_type}") if file_type is not None else "?"

    @property
    def context_length(self) -> int | None:
        value = self.metadata.get(f"{self.architecture}.context_length")
        return int(value) if isinstance(value, int) else None

    @property
    def layers(self) -> int | None:
        value = self.metadata.get(f"{self.architecture}.block_count")
        return int(value) if isinstance(value, int) else None

    @property
    def chat_template(self) -> str | None:
        value = self.metadata.get("tokenizer.chat_template")
        return value if isinstance(value, str) else None

    def row(self) -> list[str]:
        """file, architecture, parameters, quantization, context, size: one listing row,
        the same in `launch.py models` and the studio."""
        return [
            self.path.name,
            self.architecture,
            self.parameters_text(),
            self.quantization,
            str(self.context_length or "?"),
            self.size_text(),
        ]

    def parameters_text(self) -> str:
        if self.parameters >= 1e9:
            return f"{self.parameters / 1e9:.1f}B"
        return f"{self.parameters / 1e6:.0f}M"

    def size_text(self) -> str:
        return (
            f"{self.size_bytes / 2**20:.0f} MiB"
            if self.size_bytes < 2**30
            else (f"{self.size_bytes / 2**30:.1f} GiB")
        )


class _Reader:
    def __init__(self, handle: BinaryIO):
        self.handle = handle

    def read(self, n: int) -> bytes:
        data = self.handle.read(n)
        if len(data) != n:
            raise GGUFError("gguf.truncated")
        return data

    def unpack(self, fmt: str) -> Any:  # an int, float or bool, as `fmt` says
        return struct.unpack(fmt, self.read(struct.calcsize(fmt)))[0]

    def string(self) -> str:
        length = self.unpack("<Q")
        if length > MAX_STRING:
            raise GGUFError("gguf.long_string")
        return self.read(length).decode("utf-8", errors="replace")

    def value(self, kind: int, keep: bool = True) -> object:
        if kind in _SCALARS:
            return self.unpack(_SCALARS[kind])
        if kind == _STRING:
            return self.string()
        if kind == _ARRAY:
            item_kind, count = self.unpack("<I"), self.unpack("<Q")
            if item_kind in _SCALARS:  # skip fixed-size arrays in one seek
                width = struct.calcsize(_SCALARS[item_kind])
                self.handle.seek(width * count, 1)
                return f"[{count} items]"
            for _ in range(count):  # token lists: read to skip, keep nothing
                self.value(item_kind, keep=False)
            return f"[{count} items]"
        raise GGUFError("gguf.unknown_type", kind=kind)


def read_gguf_info(path: Path) -> GGUFInfo:
    size = path.stat().st_size
    with path.open("rb") as handle:
        reader = _Reader(handle)
        if reader.read(4) != GGUF_MAGIC:
            raise GGUFError("gguf.bad_magic")
        version = reader.unpack("<I")
        if version not in (2, 3):
            raise GGUFError("gguf.version", version=version)
        tensor_count, kv_count = reader.unpack("<Q"), reader.unpack("<Q")
        if tensor_count > 1_000_000 or kv_count > 1_000_000:
            raise GGUFError("gguf.counts")
        metadata: dict[str, object] = {}
        for _ in range(kv_count):
            key = reader.string()
            metadata[key] = reader.value(reader.unpack("<I"))
        parameters = 0
        for _ in range(tensor_count):
            reader.string()  # tensor name
            dims = [reader.unpack("<Q") for _ in range(reader.unpack("<I"))]
            reader.unpack("<I")  # ggml type
            reader.unpack("<Q")  # offset
            parameters += math.prod(dims)
    return GGUFInfo(path=path, size_bytes=size, metadata=metadata, parameters=parameters)
