"""Named endpoints in the secret store (data/settings.json, mode 0600), never in bots/.

One endpoint is a name, one or more base URLs of OpenAI-compatible servers that
serve the same model (one pool), an optional API key, an optional default model
and the kind of server (which decides the dialect of structured output and of
prompt caching). The key is shown masked everywhere; only the request carries it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from runtime.i18n import Explained
from runtime.spec.model import ENDPOINT_NAME
from runtime.store.settings import Settings
from runtime.wecom.bindings import mask

PREFIX = "endpoint:"
# lowercase letters, digits, "-" and "_" (always with fullmatch), as a bot names it
NAME = ENDPOINT_NAME
KINDS = ("openai", "llama-server", "vllm", "ollama")
DEFAULT_TIMEOUT = 60.0  # seconds without a byte from the server before it counts as down
# What people paste from a provider's docs: the base URL is what comes before these
REQUEST_PATHS = ("/chat/completions", "/completions", "/models")


class EndpointInvalid(Explained, ValueError):
    """A name, URL or setting that cannot be kept; `text(lang)` says which and why."""


@dataclass(frozen=True)
class Endpoint:
    name: str
    base_urls: tuple[str, ...]
    api_key: str = field(default="", repr=False)
    model: str = ""  # the default model; a bot's `model.name` overrides it
    kind: str = "openai"
    timeout: float = DEFAULT_TIMEOUT

    def masked_key(self) -> str:
        return mask(self.api_key) if self.api_key else ""

    def public(self) -> dict[str, Any]:
        """Everything but the key: what lists, /healthz and the studio may show."""
        return {
            "name": self.name,
            "base_urls": list(self.base_urls),
            "model": self.model,
            "kind": self.kind,
            "key": self.masked_key(),
            "timeout": self.timeout,
        }


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME.fullmatch(name):
        raise EndpointInvalid("endpoint.bad_name", None, value=name)
    return name


def normalise_url(url: str) -> str:
    """'https://api.x.com/v1/' or '…/v1/chat/completions' -> 'https://api.x.com/v1'."""
    text = (url or "").strip()
    parts = urlsplit(text)
    spaced = any(c.isspace() for c in text)
    if parts.scheme not in ("http", "https") or not parts.hostname or spaced:
        raise EndpointInvalid("endpoint.bad_url", None, value=text)
    if parts.username or parts.password or parts.query or parts.fragment:
        # a key belongs in --api-key, where it is kept masked; not in a URL that is shown
        raise EndpointInvalid(
            "endpoint.url_with_secret", value=f"{parts.scheme}://{parts.hostname}"
        )
    try:
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        raise EndpointInvalid("endpoint.bad_url", None, value=text) from None
    path = parts.path.rstrip("/")
    for tail in REQUEST_PATHS:
        if path.endswith(tail):
            path = path[: -len(tail)]
            break
    return f"{parts.scheme}://{parts.netloc}{path}"


def make_endpoint(
    name: str,
    base_urls: list[str],
    api_key: str = "",
    model: str = "",
    kind: str = "openai",
    timeout: float | None = None,
) -> Endpoint:
    """A checked endpoint, or EndpointInvalid naming what is wrong."""
    urls: list[str] = []
    for url in base_urls:
        if url and url.strip():
            normal = normalise_url(url)
            if normal not in urls:
                urls.append(normal)
    if not urls:
        raise EndpointInvalid("endpoint.no_url", None)
    if kind not in KINDS:
        raise EndpointInvalid("endpoint.bad_kind", None, value=kind, known=", ".join(KINDS))
    key = (api_key or "").strip()
    if any(c.isspace() or not c.isprintable() for c in key):
        raise EndpointInvalid("endpoint.bad_key", None)
    model = (model or "").strip()
    if len(model) > 200 or any(not c.isprintable() for c in model):
        raise EndpointInvalid("endpoint.bad_model", None, value=model[:40])
    seconds = DEFAULT_TIMEOUT if timeout is None else float(timeout)
    if not 1 <= seconds <= 3600:
        raise EndpointInvalid("endpoint.bad_timeout", None, value=timeout)
    return Endpoint(check_name(name), tuple(urls), key, model, kind, seconds)


class Endpoints:
    """The endpoints kept in the secret store."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def names(self) -> list[str]:
        return sorted(k.removeprefix(PREFIX) for k in self.settings.keys_with_prefix(PREFIX))

    def get(self, name: str) -> Endpoint | None:
        stored = self.settings.get(PREFIX + name) if NAME.fullmatch(name or "") else None
        if not stored:
            return None
        return Endpoint(
            name=name,
            base_urls=tuple(stored.get("base_urls") or ()),
            api_key=stored.get("api_key", ""),
            model=stored.get("model", ""),
            kind=stored.get("kind", "openai"),
            timeout=float(stored.get("timeout", DEFAULT_TIMEOUT)),
        )

    def all(self) -> list[Endpoint]:
        return [e for e in (self.get(n) for n in self.names()) if e is not None]

    def save(self, endpoint: Endpoint) -> bool:
        """Keep `endpoint` (replacing one of that name); True when it is new."""
        new = self.get(endpoint.name) is None
        record = asdict(endpoint)
        record.pop("name")
        record["base_urls"] = list(endpoint.base_urls)
        self.settings.set(PREFIX + endpoint.name, record)
        return new

    def remove(self, name: str) -> bool:
        if self.get(name) is None:
            return False
        self.settings.delete(PREFIX + name)
        return True
