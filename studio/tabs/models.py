"""模型 Models: the GGUF files and what is inside them; upload one; whether llama.cpp can
use a GPU here; which models are loaded and how many layers each has on the GPU."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from runtime.engine import gpu_offload_supported
from runtime.models.gguf_info import GGUFError, read_gguf_info
from studio.context import StudioContext
from studio.demo_model import notice_box
from studio.lists import ListDropdown


def file_rows(ctx: StudioContext) -> list[list[str]]:
    rows = []
    for path in ctx.workspace.models.files():
        try:
            info = read_gguf_info(path)
        except (GGUFError, OSError) as exc:
            why = exc.text(ctx.lang) if isinstance(exc, GGUFError) else exc
            rows.append([path.name, f"⚠ {why}", "", "", "", ""])
            continue
        rows.append(info.row())
    return rows


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def loaded_rows(ctx: StudioContext) -> list[list[str]]:
    pool = ctx.workspace.pool
    running, queued = pool.running(), pool.queued()

    def state(name: str) -> str:
        if not running.get(name):
            return ctx.t("models.idle")
        return ctx.t("models.writing", n=running[name], waiting=queued.get(name, 0))

    return [
        [
            info.path.name,
            str(info.context),
            str(info.slots),
            f"{info.gpu_layers} / {info.layers + 1}",
            str(info.threads),
            f"{info.load_seconds:.1f}",
            state(info.path.name),
        ]
        for info in pool.loaded()
    ]


def build(ctx: StudioContext) -> None:
    t = ctx.t
    notice_box(ctx, "models")  # the picked bot is on the demo model: the way to a real one
    gpu = t("models.gpu_yes") if gpu_offload_supported() else t("models.gpu_no")
    gr.Markdown(f"**{t('models.gpu')}**：{gpu}", elem_id="models-gpu")
    files = gr.Dataframe(
        value=file_rows(ctx),
        headers=[
            t(f"models.col.{c}") for c in ("file", "arch", "params", "quant", "context", "size")
        ],
        interactive=False,
        elem_id="models-files",
    )
    with gr.Row(equal_height=True):
        upload = gr.File(
            label=t("models.upload"), file_types=[".gguf"], elem_id="models-upload", scale=2
        )
        if ctx.limits is not None:
            gr.Markdown(ctx.upload_limits_text(), elem_id="models-upload-limit")
        status = gr.Markdown(elem_id="models-status")
    gr.Markdown(f"### {t('models.loaded_title')}")
    loaded = gr.Dataframe(
        value=loaded_rows(ctx),
        headers=[
            t(f"models.col.{c}")
            for c in ("file", "ctx", "slots", "gpu_layers", "threads", "load_s", "state")
        ],
        interactive=False,
        elem_id="models-loaded",
    )
    from studio.tabs import model_slots  # 同时回复几位客户

    model_slots.build(ctx)
    with gr.Row(equal_height=True):
        to_load = ListDropdown(
            choices=ctx.model_choices(),
            value="default",
            label=t("models.load_file"),
            elem_id="models-load-file",
        )
        context = gr.Number(value=4096, precision=0, label=t("edit.context"))
        gpu_layers = gr.Number(value=0, precision=0, label=t("edit.gpu_layers"))
        load = gr.Button(t("models.load"), variant="primary", elem_id="models-load")

    def said(exc: Exception) -> str:
        return exc.text(ctx.lang) if isinstance(exc, GGUFError) else str(exc)

    def on_upload(file):
        if file is None:
            return gr.update(), ""
        uploaded = Path(file if isinstance(file, str) else file.name)
        try:
            target = ctx.workspace.models.add(uploaded, uploaded.name)
        except FileExistsError:
            return (
                gr.update(),
                f'<span class="status-bad">✖ {t("models.exists", file=uploaded.name)}</span>',
            )
        except (GGUFError, OSError) as exc:
            return (
                gr.update(),
                f'<span class="status-bad">✖ {t("models.bad_file", detail=said(exc))}</span>',
            )
        added = t("models.added_pick", file=target.name, size=_megabytes(target.stat().st_size))
        return file_rows(ctx), f'<span class="status-ok">✔ {added}</span>'

    def checking(file):
        """Said as soon as the upload is in: the check and the move take a moment more."""
        if file is None:
            return gr.update()
        uploaded = Path(file if isinstance(file, str) else file.name)
        size = _megabytes(uploaded.stat().st_size) if uploaded.is_file() else "?"
        return t("models.checking", file=uploaded.name, size=size)

    def on_load(name: str, ctx_size: float, layers: float, progress=gr.Progress()):  # noqa: B008 (Gradio injects it)
        path = ctx.workspace.models.resolve(name)
        if path is None:
            return loaded_rows(
                ctx
            ), f'<span class="status-bad">✖ {t("models.missing", file=name)}</span>'
        progress(0, desc=t("models.loading", file=path.name))
        try:
            ctx.workspace.pool.get(
                path,
                context=int(ctx_size or 4096),
                gpu_layers=int(layers or 0),
                progress=lambda f: progress(f, desc=t("models.loading", file=path.name)),
            )
        except Exception as exc:  # llama.cpp's reasons vary: say it, do not crash the page
            message = t("engine.load_failed", path=path.name, detail=exc)
            return loaded_rows(ctx), f'<span class="status-bad">✖ {message}</span>'
        return loaded_rows(
            ctx
        ), f'<span class="status-ok">✔ {t("models.ready", file=path.name)}</span>'

    received = upload.upload(checking, upload, status, show_progress="hidden")
    ctx.bump(received.then(on_upload, upload, [files, status]))
    load.click(on_load, [to_load, context, gpu_layers], [loaded, status])
    ctx.on_load.append((lambda: (file_rows(ctx), loaded_rows(ctx)), None, [files, loaded]))

    def listed():  # files uploaded here or put into gguf/ by hand; models loaded since
        names = gr.update(choices=ctx.model_choices())
        return file_rows(ctx), loaded_rows(ctx), names

    ctx.refresh(listed, None, [files, loaded, to_load])
    from studio.tabs import model_downloads  # 下载推荐模型: its own module

    model_downloads.build(ctx)
    from studio.tabs import model_endpoints  # 远程模型端点: models served elsewhere

    model_endpoints.build(ctx)
