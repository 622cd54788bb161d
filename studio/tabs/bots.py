"""机器人 Bots: the list, and creating, duplicating, renaming, deleting, importing, exporting.

A bot is exported as one file: its YAML, or a zip of the YAML and its documents
(runtime/spec/bundle.py); either is imported back the same way.
"""

from __future__ import annotations

import os
from pathlib import Path

import gradio as gr

from runtime.spec import SpecError
from runtime.spec import catalog_ops as ops
from runtime.spec.bundle import documents_of, export_bundle, import_bundle
from studio.context import StudioContext
from studio.copy_review import review_text
from studio.downloads import PrivateDownloads
from studio.tabs.errors import explain
from studio.tabs.leads import DOWNLOAD_JS


def bot_rows(ctx: StudioContext) -> list[list[str]]:
    rows = []
    for path in ctx.workspace.bots.paths():
        try:
            spec = ctx.workspace.bots.load_path(path)
        except SpecError as exc:
            rows.append(
                [f"⚠ {path.stem}", path.stem, "—", "—", ctx.t("bots.invalid", n=len(exc.problems))]
            )
            continue
        variants = ", ".join(spec.variant_ids()) or ctx.t("bots.no_variants")
        model = ctx.model_label(spec.model.source)
        rows.append([spec.name, spec.id, model, variants, binding_summary(ctx, spec.id)])
    return rows


def binding_summary(ctx: StudioContext, bot_id: str) -> str:
    """'长连接 ✓ · 群机器人 ⚠' for the list; 未绑定 when none."""
    bindings = ctx.workspace.bindings
    parts = []
    for kind in bindings.of(bot_id):
        health = bindings.health(bot_id, kind)
        failing = health.get("broken") or health.get("last_error_at", 0) > health.get(
            "last_success", 0
        )
        parts.append(f"{ctx.t(f'wecom.mode.{kind}')} {'⚠' if failing else '✓'}")
    return " · ".join(parts) or ctx.t("bots.unbound")


def build(ctx: StudioContext) -> None:
    gr.Markdown(ctx.t("bots.intro"), elem_classes="help")
    headers = [ctx.t(f"bots.col.{c}") for c in ("name", "id", "model", "variants", "wecom")]
    table = gr.Dataframe(
        value=bot_rows(ctx),
        headers=headers,
        interactive=False,
        elem_id="bots-table",
        wrap=True,
    )
    status = gr.Markdown(elem_id="bots-status")
    # after a copy of a template: its name, greeting and every place still in its brand
    review = gr.Markdown(visible=False, elem_id="bots-review", elem_classes="demo-notice")

    with gr.Row(equal_height=True):
        with gr.Column(scale=3), gr.Group():
            gr.Markdown(f"### {ctx.t('bots.new_title')}")
            template = gr.Dropdown(
                choices=[(ctx.t("bots.blank"), ""), *ctx.bot_choices()],
                value="",
                label=ctx.t("bots.template"),
                elem_id="new-template",
            )
            with gr.Row():
                new_id = gr.Textbox(
                    label=ctx.t("bots.new_id"), placeholder="my-bot", elem_id="new-id"
                )
                new_name = gr.Textbox(label=ctx.t("bots.new_name"), elem_id="new-name")
            create_btn = gr.Button(ctx.t("bots.create"), variant="primary", elem_id="create-bot")
        with gr.Column(scale=2), gr.Group():
            gr.Markdown(f"### {ctx.t('bots.manage_title')}")
            target_id = gr.Textbox(
                label=ctx.t("bots.target_id"), placeholder="my-bot-2", elem_id="target-id"
            )
            with gr.Row():
                duplicate_btn = gr.Button(ctx.t("bots.duplicate"), elem_id="duplicate-bot")
                rename_btn = gr.Button(ctx.t("bots.rename"), elem_id="rename-bot")
                delete_btn = gr.Button(ctx.t("bots.delete"), variant="stop", elem_id="delete-bot")
            with gr.Row(visible=False) as confirm_row:
                confirm_btn = gr.Button(
                    ctx.t("bots.confirm_delete"), variant="stop", elem_id="confirm-delete"
                )
                cancel_btn = gr.Button(ctx.t("bots.cancel"), elem_id="cancel-delete")
            with gr.Row():
                # the file is made on the click, so it holds the bot and documents as they are
                export_btn = gr.DownloadButton(
                    ctx.t("ops.bundle.export_label"), value=None, elem_id="export-bot"
                )
                import_btn = gr.UploadButton(
                    ctx.t("ops.bundle.import_label"),
                    file_types=[".yaml", ".yml", ".zip"],
                    elem_id="import-bot",
                )
    # documents may be private: the zip is served from a private folder, never copied
    exports = PrivateDownloads()
    ctx.on_shutdown.append(exports.remove_all)

    def refreshed(message: str, select: str | None = None):
        choices = ctx.bot_choices()
        ids = [c[1] for c in choices]
        picker = gr.update(
            choices=choices, value=select if select in ids else (ids[0] if ids else None)
        )
        templates = gr.update(choices=[(ctx.t("bots.blank"), ""), *choices])
        return bot_rows(ctx), message, picker, templates

    outputs = [table, status, ctx.bot_picker, template]

    def ok(text: str) -> str:
        return f'<span class="status-ok">✔ {text}</span>'

    def bad(text: str) -> str:
        return f'<span class="status-bad">✖ {text}</span>'

    def why(exc: Exception) -> str:
        """What went wrong, in the studio's language (ctx.bots speaks it)."""
        if isinstance(exc, KeyError):  # the template was deleted meanwhile
            known = ", ".join(ctx.bots.ids()) or ctx.t("spec.none")
            return ctx.t("cli.unknown_bot", bot=exc.args[0], known=known)
        return explain(ctx, exc)

    def on_create(template_id: str, bot_id: str, name: str):
        bot_id = (bot_id or "").strip()
        try:
            ops.create(ctx.bots, bot_id, (name or "").strip() or bot_id, template_id or None)
        except (ops.BotOperationError, SpecError, KeyError) as exc:
            return (*refreshed(bad(why(exc)), None)[:2], gr.update(), gr.update())
        return refreshed(ok(ctx.t("bots.created", bot=bot_id)), bot_id)

    def on_create_reviewed(template_id: str, bot_id: str, name: str):
        """Create; a copy of a template is then shown for review before its first use."""
        bot_id = (bot_id or "").strip()
        existed = ctx.bots.path_for(bot_id) is not None if bot_id else True
        result = on_create(template_id, bot_id, name)
        made = not existed and ctx.bots.path_for(bot_id) is not None
        template_spec, copy = ctx.spec(template_id), ctx.spec(bot_id) if made else None
        if not template_id or template_spec is None or copy is None:
            return (*result, gr.update(value="", visible=False))
        return (*result, gr.update(value=review_text(ctx, template_spec, copy), visible=True))

    def under_new_id(action, done: str):
        """Duplicate or rename: the picked bot under the id typed in."""

        def handler(current: str | None, new: str):
            new = (new or "").strip()
            if not current:
                return gr.update(), bad(ctx.t("bots.pick_first")), gr.update(), gr.update()
            try:
                action(ctx.bots, current, new)
            except (ops.BotOperationError, SpecError) as exc:
                return bot_rows(ctx), bad(why(exc)), gr.update(), gr.update()
            return refreshed(ok(ctx.t(done, old=current, bot=new)), new)

        return handler

    on_duplicate = under_new_id(ops.duplicate, "bots.duplicated")

    def rename_and_forget(repo, old: str, new: str):
        path = ops.rename(repo, old, new)
        ctx.workspace.knowledge.forget(old)  # the old id's index is of no more use
        return path

    on_rename = under_new_id(rename_and_forget, "bots.renamed")

    def on_delete(current: str | None):
        if not current:
            return gr.update(visible=False), bad(ctx.t("bots.pick_first"))
        documents = len(documents_of(ctx.bots, current)) if ctx.bots.path_for(current) else 0
        if documents:  # they go with the bot: say so before it is too late
            return gr.update(visible=True), ctx.t(
                "ops.bundle.ask_delete_docs", bot=current, n=documents
            )
        return gr.update(visible=True), ctx.t("bots.ask_delete", bot=current)

    def on_confirm(current: str | None):
        try:
            ops.delete(ctx.bots, current or "")
        except ops.BotOperationError as exc:
            return (gr.update(visible=False), *refreshed(bad(why(exc)), None))
        ctx.workspace.knowledge.forget(current or "")
        return (gr.update(visible=False), *refreshed(ok(ctx.t("bots.deleted", bot=current)), None))

    def on_import(file):
        if file is None:
            return refreshed("", None)
        path = Path(file if isinstance(file, str) else file.name)
        try:
            target = import_bundle(ctx.bots, path.read_bytes(), path.name)
        except SpecError as exc:
            lines = "<br>".join(p.render(path.name) for p in exc.problems)
            return (
                bot_rows(ctx),
                bad(ctx.t("bots.import_failed") + "<br>" + lines),
                gr.update(),
                gr.update(),
            )
        return refreshed(ok(ctx.t("bots.imported", bot=target.stem)), target.stem)

    def on_importing(file):
        """Said as soon as the file is in: the checks come next."""
        if file is None:
            return gr.update()
        name = Path(file if isinstance(file, str) else file.name).name
        return ctx.t("bots.importing", file=name)

    def on_export(current: str | None):
        """The bot as one file, written now: its YAML, or a zip with its documents."""
        if not current:
            return None, bad(ctx.t("bots.pick_first"))
        try:
            name, data = export_bundle(ctx.bots, current)
        except (ops.BotOperationError, OSError) as exc:
            return None, bad(why(exc))
        path = exports.new_file(name)
        # 0600 from the start: the documents may be nobody else's business
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            out.write(data)
        return str(path), gr.update()

    ctx.bump(create_btn.click(on_create_reviewed, [template, new_id, new_name], [*outputs, review]))
    ctx.bump(duplicate_btn.click(on_duplicate, [ctx.bot_picker, target_id], outputs))
    ctx.bump(rename_btn.click(on_rename, [ctx.bot_picker, target_id], outputs))
    delete_btn.click(on_delete, ctx.bot_picker, [confirm_row, status])
    ctx.bump(confirm_btn.click(on_confirm, ctx.bot_picker, [confirm_row, *outputs]))
    cancel_btn.click(lambda: (gr.update(visible=False), ""), None, [confirm_row, status])
    importing = import_btn.upload(on_importing, import_btn, status, show_progress="hidden")
    ctx.bump(importing.then(on_import, import_btn, outputs))
    exported = export_btn.click(on_export, ctx.bot_picker, [export_btn, status])
    downloaded = exported.then(None, export_btn, None, js=DOWNLOAD_JS)
    downloaded.then(lambda: None, None, export_btn)  # the next click exports again
    ctx.on_load.append((lambda: bot_rows(ctx), None, table))  # files and bindings change

    def listed():  # bots and names changed in another tab, or by hand in bots/
        return bot_rows(ctx), gr.update(choices=[(ctx.t("bots.blank"), ""), *ctx.bot_choices()])

    ctx.refresh(listed, None, [table, template])
