"""Models served elsewhere: named OpenAI-compatible endpoints (a provider's API, or a
llama-server, vLLM or Ollama of one's own) that a bot names with `model: {endpoint: NAME}`.

- `store`: the endpoints, kept in the secret store (never in bots/, logs or exports).
- `presets`: the common Chinese providers and self-hosted servers, base URLs only.
- `urlpool`: the base URLs of one endpoint as one pool: least busy healthy first,
  failing ones rested and retried later.
- `remote`: replies through the official `openai` client, streamed, with failover,
  structured output in each server's dialect and errors in plain words; each reply
  is a `remote_reply`, and what goes wrong is said in `failures`.
"""

from runtime.endpoints.failures import EndpointError
from runtime.endpoints.remote import RemoteModels
from runtime.endpoints.store import Endpoint, EndpointInvalid, Endpoints

__all__ = ["Endpoint", "EndpointError", "EndpointInvalid", "Endpoints", "RemoteModels"]
