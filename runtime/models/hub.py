"""Where models are downloaded from, and what a hub says about a file before we fetch it.

Two kinds of source:

- **ModelScope** (魔搭, the default in China): its own API. The file list
  (`/api/v1/models/{repo}/repo/files`) gives each file's size and SHA-256; the bytes
  come from `/api/v1/models/{repo}/repo?Revision=…&FilePath=…`, with `Range`.
- **Hugging Face-compatible** endpoints: huggingface.co, its mirrors (hf-mirror.com …)
  and any endpoint a user names. huggingface_hub's `get_hf_file_metadata` makes the
  `HEAD …/resolve/…` call: it reads `X-Linked-Etag` (the SHA-256 of a large file),
  `X-Linked-Size` and the CDN `Location` of the redirect.

No credentials are sent anywhere (`token=False`): the recommended models are public,
and a token must never reach an endpoint someone typed in.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from runtime.store.settings import Settings

MODELSCOPE_ENDPOINT = "https://www.modelscope.cn"
HUGGINGFACE_ENDPOINT = "https://huggingface.co"
HF_MIRROR_ENDPOINT = "https://hf-mirror.com"
SETTING = "model_download_source"  # in data/settings.json
SHA256 = re.compile(r"[0-9a-f]{64}")
PART = re.compile(r"^(?P<stem>.+)-(?P<no>\d{5})-of-(?P<count>\d{5})\.gguf$")
HEADERS = {"user-agent": "BotStudio", "Accept-Encoding": "identity"}
TIMEOUT = 10.0
HEADER_PROBE = 256 * 1024  # the first bytes of a GGUF: its architecture keys come first


class HubError(Exception):
    """The source cannot tell us about a file: `reason` names why (a key of the string
    table's `dl.hub.*`), `detail` is what the hub or the network said."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Source:
    kind: str  # "modelscope" or "hf"
    endpoint: str

    @property
    def label(self) -> str:
        return "ModelScope" if self.kind == "modelscope" else self.endpoint

    def to_setting(self) -> dict[str, str]:
        return {"kind": self.kind, "endpoint": self.endpoint}


@dataclass(frozen=True)
class RemoteFile:
    repo: str
    name: str
    url: str  # where the bytes are (after the hub's redirect)
    size: int
    sha256: str | None  # the hub's own record; None when it gives none
    source: Source


def modelscope(endpoint: str | None = None) -> Source:
    return Source("modelscope", (endpoint or MODELSCOPE_ENDPOINT).rstrip("/"))


def huggingface(endpoint: str | None = None) -> Source:
    endpoint = endpoint or os.environ.get("HF_ENDPOINT") or HUGGINGFACE_ENDPOINT
    return Source("hf", endpoint.rstrip("/"))


def parse_source(text: str) -> Source:
    """`modelscope`, `huggingface`, `hf-mirror`, or the URL of a Hugging Face-compatible
    endpoint; ValueError for anything else."""
    word = text.strip().lower()
    if word in ("modelscope", "ms", "魔搭"):
        return modelscope()
    if word in ("huggingface", "hf"):
        return huggingface(HUGGINGFACE_ENDPOINT)
    if word in ("hf-mirror", "hf-mirror.com"):
        return huggingface(HF_MIRROR_ENDPOINT)
    if re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?", text.strip()):
        return huggingface(text.strip())
    raise ValueError(text)


def saved_source(settings: Settings) -> Source:
    """The source kept in settings; ModelScope until someone picks another."""
    stored = settings.get(SETTING) or {}
    if stored.get("kind") == "hf" and stored.get("endpoint"):
        return huggingface(stored["endpoint"])
    if stored.get("kind") == "modelscope":
        return modelscope(stored.get("endpoint"))
    return modelscope()


def save_source(settings: Settings, source: Source) -> None:
    settings.set(SETTING, source.to_setting())


# --- multi-part files --------------------------------------------------------


def parts_of(name: str) -> list[str]:
    """Every part of a multi-part GGUF named by any of its parts (`x-00001-of-00002.gguf`
    gives both); a single file is its own only part."""
    match = PART.match(name)
    if not match:
        return [name]
    count = int(match["count"])
    return [f"{match['stem']}-{i:05d}-of-{count:05d}.gguf" for i in range(1, count + 1)]


def is_later_part(name: str) -> bool:
    """A part llama.cpp reaches through the first one, never loaded by itself."""
    match = PART.match(name)
    return match is not None and int(match["no"]) > 1


# --- what the hub says -----------------------------------------------------------


def remote_file(source: Source, repo: str, name: str, revision: str | None = None) -> RemoteFile:
    if source.kind == "modelscope":
        return _modelscope_file(source, repo, name, revision or "master")
    return _hf_file(source, repo, name, revision or "main")


def _hf_file(source: Source, repo: str, name: str, revision: str) -> RemoteFile:
    from huggingface_hub import get_hf_file_metadata, hf_hub_url
    from huggingface_hub.errors import HfHubHTTPError

    url = hf_hub_url(repo, name, revision=revision, endpoint=source.endpoint)
    try:
        meta = get_hf_file_metadata(
            url, token=False, timeout=TIMEOUT, headers=HEADERS, endpoint=source.endpoint
        )
    except HfHubHTTPError as exc:
        status = exc.response.status_code if exc.response is not None else 0
        raise HubError("not_found" if status in (401, 403, 404) else "http", str(status)) from None
    except Exception as exc:  # refused, timed out, DNS, TLS: the network's reasons
        raise HubError("unreachable", _short(exc)) from None
    if meta.size is None:
        raise HubError("no_size", url)
    etag = (meta.etag or "").lower()
    return RemoteFile(
        repo,
        name,
        meta.location or url,
        meta.size,
        etag if SHA256.fullmatch(etag) else None,
        source,
    )


def _modelscope_file(source: Source, repo: str, name: str, revision: str) -> RemoteFile:
    listing = _get_json(
        f"{source.endpoint}/api/v1/models/{repo}/repo/files",
        {"Revision": revision, "Recursive": "true"},
    )
    files = (listing.get("Data") or {}).get("Files") or []
    entry = next((f for f in files if f.get("Path") == name and f.get("Type") != "tree"), None)
    if entry is None:
        raise HubError("not_found", f"{repo}/{name}")
    sha = str(entry.get("Sha256") or "").lower()
    url = (
        f"{source.endpoint}/api/v1/models/{repo}/repo?Revision={quote(revision, safe='')}"
        f"&FilePath={quote(name, safe='')}"
    )
    return RemoteFile(
        repo, name, url, int(entry.get("Size") or 0), sha if SHA256.fullmatch(sha) else None, source
    )


def _get_json(url: str, params: dict[str, str]) -> dict[str, Any]:  # the hub's JSON, any shape
    from huggingface_hub import get_session

    try:
        response = get_session().get(url, params=params, headers=HEADERS, timeout=TIMEOUT)
    except Exception as exc:
        raise HubError("unreachable", _short(exc)) from None
    if response.status_code in (401, 403, 404):
        raise HubError("not_found", url)
    if response.status_code != 200:
        raise HubError("http", str(response.status_code))
    try:
        data = response.json()
    except ValueError:
        raise HubError("http", "not JSON") from None
    if not isinstance(data, dict) or data.get("Code") not in (200, None):
        raise HubError("not_found", str(data.get("Message", "")) if isinstance(data, dict) else "")
    return data


def header_metadata(remote: RemoteFile) -> dict[str, object]:
    """The GGUF metadata keys in the file's first bytes (one `Range` request), read as
    far as they go: the architecture's shape comes before the long token lists."""
    from huggingface_hub import get_session

    headers = {**HEADERS, "Range": f"bytes=0-{HEADER_PROBE - 1}"}
    try:
        with get_session().stream("GET", remote.url, headers=headers, timeout=TIMEOUT) as response:
            if response.status_code not in (200, 206):
                raise HubError("http", str(response.status_code))
            data = bytearray()
            for block in response.iter_bytes():
                data += block
                if len(data) >= HEADER_PROBE:
                    break
    except HubError:
        raise
    except Exception as exc:
        raise HubError("unreachable", _short(exc)) from None
    return metadata_prefix(bytes(data[:HEADER_PROBE]))


def metadata_prefix(data: bytes) -> dict[str, object]:
    """The metadata keys that `data` (the start of a GGUF file) holds in full."""
    from runtime.models.gguf_info import GGUF_MAGIC, GGUFError, _Reader

    reader = _Reader(io.BytesIO(data))
    found: dict[str, object] = {}
    try:
        if reader.read(4) != GGUF_MAGIC:
            return found
        reader.unpack("<I")
        reader.unpack("<Q")
        for _ in range(reader.unpack("<Q")):
            key = reader.string()
            value = reader.value(reader.unpack("<I"))
            if reader.handle.tell() > len(data):  # an array skipped past what we have
                break
            found[key] = value
    except (GGUFError, UnicodeDecodeError):
        pass  # the rest of the header is beyond the bytes we asked for
    return found


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
