"""The one FastAPI app: the studio (Gradio) at /studio/<lang>/, /healthz, and sign-in.
WeCom's routes join it in their own module."""

from __future__ import annotations

import asyncio
import gc
import html
from collections.abc import AsyncIterator, Iterable

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from runtime.engine.pool import SLOTS_SETTING, default_slots
from runtime.health import health
from runtime.i18n import LANGUAGES, t
from runtime.i18n.language import studio_language
from runtime.web.auth import (
    COOKIE,
    SESSION_SECONDS,
    PasswordGate,
    Sessions,
    client_address,
    cookie_value,
    safe_next,
)
from runtime.web.guard import RequestGuard
from runtime.web.limits import BodyLimit, Limits
from runtime.web.passwords import PasswordChecker
from runtime.workspace import Workspace

LOGIN_CSS = """<style>
body { font-family: system-ui, "PingFang SC", "Microsoft YaHei", sans-serif;
  background: #f4f6fb; display: grid; place-items: center; height: 100vh; margin: 0 }
form { background: #fff; padding: 32px 36px; border-radius: 14px;
  box-shadow: 0 8px 30px #1e3a8a1f; width: 320px }
h1 { font-size: 20px; margin: 0 0 20px; color: #1e3a8a }
label { font-size: 14px; color: #475569 }
input { width: 100%; box-sizing: border-box; padding: 10px 12px; margin: 8px 0 18px;
  border: 1px solid #cbd5e1; border-radius: 8px; font-size: 15px }
button { width: 100%; padding: 10px; border: 0; border-radius: 8px; background: #2563eb;
  color: #fff; font-size: 15px; cursor: pointer }
.error { color: #dc2626; font-size: 14px }
</style>"""


def _login_page(lang: str, next_path: str, error: str = "") -> str:
    title = html.escape(t("login.title", lang))
    message = f'<p class="error">{html.escape(error)}</p>' if error else ""
    return f"""<!doctype html><html lang="{lang}"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
{LOGIN_CSS}<form method="post" action="/login"><h1>🤖 {title}</h1>{message}
<label for="password">{html.escape(t("login.password", lang))}</label>
<input id="password" name="password" type="password" autofocus required>
<input type="hidden" name="next" value="{html.escape(next_path)}">
<button type="submit">{html.escape(t("login.submit", lang))}</button></form></html>"""


def create_app(
    workspace: Workspace,
    *,
    with_studio: bool = True,
    listen_host: str = "127.0.0.1",
    allowed_hosts: Iterable[str] = (),
    limits: Limits | None = None,
) -> FastAPI:
    """The server. `listen_host` and `allowed_hosts` are the names a request's Host may
    carry (see runtime/web/guard.py); `limits` the body and upload sizes (see
    runtime/web/limits.py)."""
    from contextlib import asynccontextmanager

    from runtime.server.hub import ChannelHub

    # replies written at once per model, as saved in 🧠 模型 (before any model loads)
    workspace.pool.slots = default_slots(workspace.settings.get(SLOTS_SETTING))
    hub = ChannelHub(workspace)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        hub.start()
        # Everything loaded so far (Gradio, pydantic, the studio) lives as long as the
        # process: kept out of the collector's full passes, which otherwise walk it all
        # and held every request for 0.1–0.3 s during a burst of callbacks.
        gc.collect()
        gc.freeze()
        yield
        hub.stop()  # graceful: answers in progress finish into the outbox
        checker.close()

    limits = limits or Limits()
    checker = PasswordChecker(workspace.settings)
    sessions = Sessions(workspace.settings)

    def lang() -> str:
        return studio_language(workspace.settings)

    app = FastAPI(title="BotStudio", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.hub = hub
    app.state.limits = limits
    app.state.passwords = checker
    # Outermost first: a foreign Host or Origin is refused before anything else, then
    # the password, then the size of what the request sends.
    app.add_middleware(BodyLimit, limits=limits, lang=lang)
    app.add_middleware(PasswordGate, settings=workspace.settings, checker=checker, lang=lang)
    app.add_middleware(
        RequestGuard, listen_host=listen_host, allowed_hosts=list(allowed_hosts), lang=lang
    )
    for router in hub.routes():  # each channel adapter's (runtime/channels/registry.py)
        app.include_router(router)

    @app.get("/healthz")
    def healthz() -> dict[str, object]:
        return health(workspace)

    @app.get("/login", response_class=HTMLResponse)
    def login_page(next: str = "/") -> str:
        return _login_page(lang(), safe_next(next))

    @app.post("/login")
    async def login(request: Request, password: str = Form(""), next: str = Form("/")) -> Response:
        verdict = await checker.check(client_address(request.scope), password)
        if not verdict.ok:
            language = lang()
            await asyncio.sleep(checker.delay)  # slows guessing; blocks nothing
            if verdict.retry_after:
                message = t("login.too_many", language, seconds=verdict.retry_after)
                page = _login_page(language, safe_next(next), message)
                headers = {"retry-after": str(verdict.retry_after)}
                return HTMLResponse(page, status_code=429, headers=headers)
            page = _login_page(language, safe_next(next), t("login.wrong", language))
            return HTMLResponse(page, status_code=401)
        response = RedirectResponse(safe_next(next), status_code=303)
        session = await asyncio.to_thread(sessions.start)  # writes the settings file
        response.set_cookie(
            COOKIE,
            session,
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return response

    @app.post("/logout")
    async def logout(request: Request) -> RedirectResponse:
        """Ends this browser's session on the server, not just its cookie."""
        session = cookie_value({b"cookie": request.headers.get("cookie", "").encode("latin-1")})
        if session:
            await asyncio.to_thread(sessions.end, session)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(
            COOKIE, httponly=True, samesite="lax", secure=request.url.scheme == "https"
        )
        return response

    @app.get("/")
    def index(request: Request) -> RedirectResponse:
        query = f"?{request.url.query}" if request.url.query else ""  # ?bot=…&tab=… kept
        return RedirectResponse(f"/studio/{lang()}/{query}", status_code=303)

    if with_studio:
        from studio.app import mount_studio

        for language in LANGUAGES:
            mount_studio(app, workspace, language, limits)
    return app
