"""模型 › 远程模型端点: models served elsewhere (OpenAI-compatible APIs) in the 🧠 模型 tab.

Presets for the common Chinese providers and self-hosted servers fill the form; the
key is typed by the user, kept in the secret store and shown masked. Each endpoint's
base URLs show their state, requests in flight and last error; a test asks each URL
for a few words; chosen bots can be switched to an endpoint (their YAML changes,
through the usual validation)."""

from __future__ import annotations

import html

import gradio as gr

from runtime.endpoints import EndpointError, EndpointInvalid
from runtime.endpoints.bots import switch_bots
from runtime.endpoints.health import endpoint_health
from runtime.endpoints.presets import BY_ID, PRESETS
from runtime.endpoints.store import KINDS, make_endpoint
from runtime.i18n import shown
from studio.context import StudioContext
from studio.lists import ListDropdown

COLUMNS = ("name", "kind", "model", "key", "urls")
HEALTH_COLUMNS = ("name", "url", "state", "in_flight", "requests", "error")


def _ok(text: str) -> str:
    return f'<span class="status-ok">✔ {html.escape(text)}</span>'


def _bad(text: str) -> str:
    return f'<span class="status-bad">✖ {html.escape(text)}</span>'


def endpoint_rows(ctx: StudioContext) -> list[list[str]]:
    server_model = ctx.t("endpoint.server_model")
    return [
        [
            e.name,
            e.kind,
            e.model or server_model,
            e.masked_key() or ctx.t("endpoint.no_key"),
            "\n".join(e.base_urls),
        ]
        for e in ctx.workspace.endpoints.all()
    ]


def health_rows(ctx: StudioContext) -> list[list[str]]:
    endpoints, _ = endpoint_health(ctx.workspace.remote, ctx.lang)
    rows = []
    for endpoint in endpoints:
        for url in endpoint["urls"]:
            state = ctx.t(f"endpoint.state.{url['state']}", seconds=url["rest_seconds"])
            rows.append(
                [
                    endpoint["name"],
                    url["url"],
                    state,
                    str(url["in_flight"]),
                    str(url["requests"]),
                    url["last_error"] or "—",
                ]
            )
    return rows


def build(ctx: StudioContext) -> None:
    t = ctx.t
    store, remote = ctx.workspace.endpoints, ctx.workspace.remote
    gr.Markdown(f"### {t('endpoints.title')}")
    gr.Markdown(t("endpoints.intro"), elem_classes="help")
    table = gr.Dataframe(
        headers=[t(f"endpoint.col.{c}") for c in COLUMNS],
        interactive=False,
        elem_id="endpoints-list",
    )
    presets = [(p.label(ctx.lang), p.id) for p in PRESETS] + [(t("endpoints.custom"), "")]
    with gr.Row(equal_height=True):
        preset = gr.Dropdown(
            presets, value=None, label=t("endpoints.preset"), elem_id="endpoints-preset"
        )
        name = gr.Textbox(
            label=t("endpoints.name"), info=t("endpoints.name_help"), elem_id="endpoints-name"
        )
        kinds = [(t(f"endpoints.kind.{k}"), k) for k in KINDS]
        kind = gr.Dropdown(
            kinds, value="openai", label=t("endpoints.kind"), elem_id="endpoints-kind"
        )
    with gr.Row(equal_height=True):
        urls = gr.Textbox(label=t("endpoints.urls"), lines=2, elem_id="endpoints-urls")
        key = gr.Textbox(
            label=t("endpoints.key"),
            info=t("endpoints.key_help"),
            type="password",
            elem_id="endpoints-key",
        )
        model = gr.Textbox(
            label=t("endpoints.model"), info=t("endpoints.model_help"), elem_id="endpoints-model"
        )
    save = gr.Button(t("endpoints.save"), variant="primary", elem_id="endpoints-save")
    with gr.Row(equal_height=True):
        # its list changes under the page (saved, removed here or in a terminal): a name
        # picked from the list before is handed on, and checked against the store
        picked = ListDropdown(
            store.names(), label=t("endpoints.pick"), elem_id="endpoints-pick", scale=2
        )
        test = gr.Button(t("endpoints.test"), elem_id="endpoints-test", scale=1)
        remove = gr.Button(
            t("endpoints.remove"), variant="stop", elem_id="endpoints-remove", scale=1
        )
    status = gr.Markdown(elem_id="endpoints-status")
    gr.Markdown(f"#### {t('endpoints.health_title')}")
    health = gr.Dataframe(
        headers=[t(f"endpoint.col.{c}") for c in HEALTH_COLUMNS],
        interactive=False,
        elem_id="endpoints-health",
    )
    gr.Markdown(f"#### {t('endpoints.use_title')}")
    with gr.Row(equal_height=True):
        bots = gr.CheckboxGroup(
            ctx.bot_choices(), label=t("endpoints.use_bots"), elem_id="endpoints-bots", scale=3
        )
        use = gr.Button(t("endpoints.use"), elem_id="endpoints-use", scale=1)

    def listed():
        return endpoint_rows(ctx), health_rows(ctx), gr.update(choices=store.names())

    def on_preset(preset_id: str | None):
        chosen = BY_ID.get(preset_id or "")
        if chosen is None:
            return gr.update(), gr.update(), gr.update(), gr.update()
        return chosen.id, chosen.base_url, chosen.kind, chosen.model

    def on_pick(endpoint_name: str | None):
        found = store.get(endpoint_name or "")
        if found is None:
            return gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
        return (
            found.name,
            "\n".join(found.base_urls),
            found.kind,
            found.model,
            gr.update(value="", placeholder=found.masked_key()),
        )

    def on_save(endpoint_name: str, typed: str, api_key: str, default_model: str, server: str):
        old = store.get((endpoint_name or "").strip())
        kept_key = api_key.strip() or (old.api_key if old else "")
        try:
            endpoint = make_endpoint(
                endpoint_name,
                typed.splitlines(),
                kept_key,
                default_model,
                server or "openai",
                old.timeout if old else None,
            )
        except EndpointInvalid as exc:
            return (*listed(), _bad(exc.text(ctx.lang)), gr.update())
        new = store.save(endpoint)
        said = t(
            "endpoint.saved" if new else "endpoint.updated",
            name=endpoint.name,
            urls=", ".join(endpoint.base_urls),
            kind=endpoint.kind,
            model=endpoint.model or t("endpoint.server_model"),
            key=endpoint.masked_key() or t("endpoint.no_key"),
        )
        rows, states, _ = listed()
        return rows, states, gr.update(choices=store.names(), value=endpoint.name), _ok(said), ""

    def on_test(endpoint_name: str | None):
        if not endpoint_name:
            return health_rows(ctx), _bad(t("endpoints.pick_first"))
        try:
            results = remote.test(endpoint_name)
        except EndpointError as exc:
            return health_rows(ctx), _bad(exc.text(ctx.lang))
        lines = []
        for r in results:
            if r["ok"]:
                lines.append(
                    _ok(
                        t(
                            "endpoint.test_ok",
                            url=r["url"],
                            seconds=r["seconds"],
                            model=r["model"],
                            reply=r["reply"] or "…",
                        )
                    )
                )
            else:
                lines.append(
                    _bad(t("endpoint.test_bad", url=r["url"], error=shown(r["error"], ctx.lang)))
                )
        return health_rows(ctx), "<br>".join(lines)

    def on_remove(endpoint_name: str | None):
        if not endpoint_name or not store.remove(endpoint_name):
            return (*listed(), _bad(t("endpoints.pick_first")))
        rows, states, _ = listed()
        names = gr.update(choices=store.names(), value=None)
        return rows, states, names, _ok(t("endpoint.removed", name=endpoint_name))

    def on_use(endpoint_name: str | None, bot_ids: list[str] | None):
        if not endpoint_name or store.get(endpoint_name) is None:
            return _bad(t("endpoints.pick_first"))
        repo = ctx.workspace.bots
        refused = switch_bots(repo, bot_ids or [], endpoint_name)
        done = [b for b in bot_ids or [] if b not in dict(refused)]
        said = [_bad(t("endpoints.switch_failed", bot=b, detail=why)) for b, why in refused]
        if done:
            said.insert(0, _ok(t("endpoints.switched", bots=", ".join(done), name=endpoint_name)))
        return "<br>".join(said)

    preset.change(on_preset, preset, [name, urls, kind, model])
    picked.input(on_pick, picked, [name, urls, kind, model, key])
    ctx.bump(
        save.click(on_save, [name, urls, key, model, kind], [table, health, picked, status, key])
    )
    test.click(on_test, picked, [health, status])
    ctx.bump(remove.click(on_remove, picked, [table, health, picked, status]))
    ctx.bump(use.click(on_use, [picked, bots], status))
    ctx.on_load.append((listed, None, [table, health, picked]))
    ctx.refresh(listed, None, [table, health, picked], every=True)  # in flight, as it changes
    ctx.refresh(lambda: gr.update(choices=ctx.bot_choices()), None, bots)
