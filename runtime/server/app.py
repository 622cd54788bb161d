"""The one FastAPI app: the studio (Gradio) at /studio/<lang>/, /healthz, and sign-in.
WeCom's routes join it in their own module."""

from __future__ import annotations

import asyncio
import html

from fastapi import FastAPI, Form
from fastapi.responses import HTMLResponse, RedirectResponse

from runtime.health import health
from runtime.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from runtime.server.auth import COOKIE, SESSION_SECONDS, PasswordGate, make_session, safe_next
from runtime.workspace import Workspace


def studio_language(workspace: Workspace) -> str:
    lang = workspace.settings.get("language", DEFAULT_LANGUAGE)  # Chinese until changed
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


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


def create_app(workspace: Workspace, *, with_studio: bool = True) -> FastAPI:
    from contextlib import asynccontextmanager

    from runtime.channels.hub import ChannelHub
    from runtime.channels.wecom.aibot import aibot_routes
    from runtime.channels.wecom.app import app_routes

    hub = ChannelHub(workspace)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        hub.start()
        yield
        hub.stop()  # graceful: answers in progress finish into the outbox

    app = FastAPI(title="BotStudio", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.hub = hub
    app.add_middleware(PasswordGate, settings=workspace.settings)
    app.include_router(aibot_routes(hub.aibot))
    app.include_router(app_routes(hub.app))

    @app.get("/healthz")
    def healthz() -> dict[str, object]:
        return health(workspace, hub.outbox.backlog())

    @app.get("/login", response_class=HTMLResponse)
    def login_page(next: str = "/") -> str:
        return _login_page(studio_language(workspace), safe_next(next))

    @app.post("/login")
    async def login(password: str = Form(""), next: str = Form("/")):
        if not workspace.settings.check_password(password):
            await asyncio.sleep(1)  # slows guessing
            lang = studio_language(workspace)
            page = _login_page(lang, safe_next(next), t("login.wrong", lang))
            return HTMLResponse(page, status_code=401)
        response = RedirectResponse(safe_next(next), status_code=303)
        session = make_session(workspace.settings.session_key())
        response.set_cookie(COOKIE, session, max_age=SESSION_SECONDS, httponly=True, samesite="lax")
        return response

    @app.get("/")
    def index() -> RedirectResponse:
        return RedirectResponse(f"/studio/{studio_language(workspace)}/", status_code=303)

    if with_studio:
        from studio.app import mount_studio

        for lang in LANGUAGES:
            mount_studio(app, workspace, lang)
    return app
