"""Write a GGUF model as llama.cpp's `gguf-split` does: NAME-00001-of-0000N.gguf and so on.

The first part keeps every metadata key; each part holds its share of the tensors and
says `split.no`, `split.count` and `split.tensors.count`, so llama.cpp, given the first
part, loads them all. Used to serve a real multi-part model from the fake hub.
"""

from __future__ import annotations

import struct
from pathlib import Path

_SCALAR = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_STRING, _ARRAY = 8, 9


class _Cursor:
    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def take(self, fmt: str):
        value = struct.unpack_from(fmt, self.data, self.at)[0]
        self.at += struct.calcsize(fmt)
        return value

    def string(self) -> bytes:
        length = self.take("<Q")
        self.at += length
        return self.data[self.at - length : self.at]

    def skip_value(self, kind: int) -> None:
        if kind in _SCALAR:
            self.at += _SCALAR[kind]
        elif kind == _STRING:
            self.string()
        elif kind == _ARRAY:
            item, count = self.take("<I"), self.take("<Q")
            for _ in range(count):
                self.skip_value(item)
        else:
            raise ValueError(f"unknown GGUF type {kind}")


def _string(text: bytes) -> bytes:
    return struct.pack("<Q", len(text)) + text


def _pad(n: int, alignment: int) -> int:
    return (alignment - n % alignment) % alignment


def split_gguf(source: Path, folder: Path, stem: str, parts: int = 2) -> list[Path]:
    """Split `source` into `parts` files named `{stem}-0000i-of-0000N.gguf` in `folder`."""
    raw = source.read_bytes()
    cur = _Cursor(raw)
    assert raw[:4] == b"GGUF"
    cur.at = 4
    version, n_tensors, n_kv = cur.take("<I"), cur.take("<Q"), cur.take("<Q")
    kvs: list[bytes] = []
    alignment_kv = b""
    alignment = 32
    for _ in range(n_kv):
        begin = cur.at
        key = cur.string()
        kind = cur.take("<I")
        value_at = cur.at
        cur.skip_value(kind)
        kvs.append(raw[begin : cur.at])
        if key == b"general.alignment":
            alignment = struct.unpack_from("<I", raw, value_at)[0]
            alignment_kv = raw[begin : cur.at]
    tensors = []
    for _ in range(n_tensors):
        name = cur.string()
        dims = [cur.take("<Q") for _ in range(cur.take("<I"))]
        kind = cur.take("<I")
        offset = cur.take("<Q")
        tensors.append((name, dims, kind, offset))
    data_start = cur.at + _pad(cur.at, alignment)
    offsets = sorted(t[3] for t in tensors)
    ends = [*offsets[1:], len(raw) - data_start]
    size_of = {off: end - off for off, end in zip(offsets, ends, strict=True)}

    per_part = -(-len(tensors) // parts)
    written = []
    for index in range(parts):
        share = tensors[index * per_part : (index + 1) * per_part]
        split_kvs = [
            _string(b"split.no") + struct.pack("<IH", 2, index),
            _string(b"split.count") + struct.pack("<IH", 2, parts),
            _string(b"split.tensors.count") + struct.pack("<Ii", 5, len(tensors)),
        ]
        if index == 0:
            keys = kvs + split_kvs
        else:
            keys = ([alignment_kv] if alignment_kv else []) + split_kvs
        header = b"GGUF" + struct.pack("<IQQ", version, len(share), len(keys)) + b"".join(keys)
        infos, blobs, offset = [], [], 0
        for name, dims, kind, old in share:
            infos.append(
                _string(name)
                + struct.pack("<I", len(dims))
                + b"".join(struct.pack("<Q", d) for d in dims)
                + struct.pack("<IQ", kind, offset)
            )
            blob = raw[data_start + old : data_start + old + size_of[old]]
            blob += b"\0" * _pad(len(blob), alignment)
            blobs.append(blob)
            offset += len(blob)
        head = header + b"".join(infos)
        path = folder / f"{stem}-{index + 1:05d}-of-{parts:05d}.gguf"
        path.write_bytes(head + b"\0" * _pad(len(head), alignment) + b"".join(blobs))
        written.append(path)
    return written
