"""The endpoints' part of /healthz, `launch.py status` and the studio: each base URL's
state, requests in flight and last error in plain words; no keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from runtime.i18n import shown, t

if TYPE_CHECKING:
    from runtime.endpoints.remote import RemoteModels


def endpoint_health(remote: RemoteModels, lang: str) -> tuple[list[dict[str, Any]], list[str]]:
    """(per endpoint with its URLs, problems in words): a resting URL is a problem."""
    endpoints = remote.health()
    problems = []
    for endpoint in endpoints:
        for url in endpoint["urls"]:
            url["last_error"] = shown(url["last_error"], lang)
            if url["state"] == "resting":
                problems.append(
                    t(
                        "health.endpoint_resting",
                        lang,
                        name=endpoint["name"],
                        url=url["url"],
                        error=url["last_error"],
                    )
                )
    return endpoints, problems
