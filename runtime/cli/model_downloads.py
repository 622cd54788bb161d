"""`models download`, `models catalog` and `models source`: recommended models for
Chinese customer service, fetched into gguf/ resumably and checked (runtime/models/download.py)."""

from __future__ import annotations

import argparse
import re
import sys
import time

from runtime.i18n import t
from runtime.models.download import Downloader, DownloadError, local_name
from runtime.models.download_progress import Progress, progress_text, size_text
from runtime.models.hub import Source, parse_source, save_source, saved_source
from runtime.workspace import Workspace

SOURCE_HELP = (
    "modelscope, huggingface, hf-mirror, or the URL of a Hugging Face-compatible "
    "endpoint (default: the source kept in settings; ModelScope at first)"
)


def add_parsers(models: argparse.ArgumentParser) -> None:
    actions = models.add_subparsers(dest="models_command", metavar="ACTION")
    get = actions.add_parser(
        "download", help="download a GGUF model into gguf/, resumably, checked by SHA-256"
    )
    get.add_argument("repo", help="repository, e.g. Qwen/Qwen2.5-3B-Instruct-GGUF")
    get.add_argument("file", help="file in it; any part of a multi-part model brings all")
    get.add_argument("--source", help=SOURCE_HELP)
    get.add_argument("--sha256", help="the file's SHA-256; must match as well as the hub's")
    get.add_argument(
        "--bot",
        action="append",
        default=[],
        metavar="BOT",
        help="switch this bot to the model once it is in (repeatable)",
    )
    listing = actions.add_parser(
        "catalog", help="recommended models: download size, memory needed, whether they fit"
    )
    listing.add_argument("--source", help=SOURCE_HELP)
    chosen = actions.add_parser("source", help="show or set the download source")
    chosen.add_argument("source", nargs="?", help=SOURCE_HELP)
    get.set_defaults(func=download)
    listing.set_defaults(func=catalog)
    chosen.set_defaults(func=source)


def _source(workspace: Workspace, text: str | None) -> Source | None:
    if not text:
        return saved_source(workspace.settings)
    try:
        return parse_source(text)
    except ValueError:
        print(t("dl.bad_source", workspace.lang, source=text), file=sys.stderr)
        return None


def source(workspace: Workspace, args: argparse.Namespace) -> int:
    chosen = _source(workspace, args.source)
    if chosen is None:
        return 1
    if args.source:
        save_source(workspace.settings, chosen)
        print(t("dl.cli.source_saved", workspace.lang, source=_describe(chosen)))
    else:
        print(t("dl.cli.source", workspace.lang, source=_describe(chosen)))
    return 0


def _describe(source: Source) -> str:
    return f"ModelScope ({source.endpoint})" if source.kind == "modelscope" else source.endpoint


def download(workspace: Workspace, args: argparse.Namespace) -> int:
    lang = workspace.lang
    chosen = _source(workspace, args.source)
    if chosen is None:
        return 1
    if args.sha256 and not re.fullmatch(r"[0-9a-fA-F]{64}", args.sha256.strip()):
        print(t("dl.bad_sha", lang, value=args.sha256), file=sys.stderr)
        return 1
    downloader = Downloader(workspace.gguf_dir)
    printer = _Printer(lang)
    try:
        remotes = downloader.plan(chosen, args.repo, args.file)
        model = local_name(remotes[0].name)
        if all((workspace.gguf_dir / local_name(r.name)).is_file() for r in remotes):
            path = downloader.download(
                chosen, args.repo, args.file, sha256=args.sha256, remotes=remotes
            )
            print(t("dl.cli.already", lang, file=model, folder=workspace.gguf_dir))
        else:
            size = size_text(sum(r.size for r in remotes))
            print(
                t(
                    "dl.cli.start",
                    lang,
                    source=_describe(chosen),
                    repo=args.repo,
                    file=model,
                    size=size,
                ),
                flush=True,
            )
            already = sum(downloader.partial_bytes(r.name) for r in remotes)
            if already:
                print(t("dl.cli.resume", lang, done=size_text(already)), flush=True)
            path = downloader.download(
                chosen, args.repo, args.file, sha256=args.sha256, progress=printer, remotes=remotes
            )
            printer.finish()
            print(t("dl.cli.done", lang, file=path.name, folder=workspace.gguf_dir))
    except DownloadError as exc:
        printer.finish()
        print(exc.text(lang), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        printer.finish()
        print(t("dl.cli.interrupted", lang, folder=downloader.partial_dir), file=sys.stderr)
        return 130
    if not args.bot:
        return 0
    from runtime.spec.model_switch import switch_bots

    results = switch_bots(workspace.bots, args.bot, path.name)
    for result in results:
        print(
            ("✔ " if result.ok else "✖ ") + result.text(workspace.lang),
            file=sys.stdout if result.ok else sys.stderr,
        )
    return 0 if all(r.ok for r in results) else 1


class _Printer:
    """Progress on stderr: one line rewritten in place on a terminal, a line every few
    seconds (and at each change of phase) when stderr is a file or a pipe."""

    def __init__(self, lang: str):
        self.lang = lang
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.phase = ""
        self.width = 0

    def __call__(self, p: Progress) -> None:
        now = time.monotonic()
        every = 0.25 if self.tty else 2.0
        if p.phase == self.phase and now - self.last < every and p.phase != "done":
            return
        self.last, self.phase = now, p.phase
        line = progress_text(p, self.lang)
        if self.tty:
            sys.stderr.write("\r" + line.ljust(self.width))
            self.width = len(line)
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.tty and self.width:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self.width = 0


def catalog(workspace: Workspace, args: argparse.Namespace) -> int:
    from runtime.engine import gpu_offload_supported
    from runtime.models.recommended import CONTEXT, fit, rows, this_machine

    lang = workspace.lang
    chosen = _source(workspace, args.source)
    if chosen is None:
        return 1
    machine = this_machine(gpu_offload_supported())
    if not machine.gpu_build:
        gpu = t("dl.cli.gpu_none", lang)
    elif machine.free_vram is None:
        gpu = t("dl.cli.gpu_unknown", lang)
    else:
        gpu = t("dl.cli.gpu_free", lang, name=machine.gpu_name, vram=size_text(machine.free_vram))
    print(t("dl.cli.source", lang, source=_describe(chosen)))
    unknown = t("dl.ui.unknown", lang)
    print(
        t(
            "dl.cli.machine",
            lang,
            free=size_text(machine.free_ram) if machine.free_ram else unknown,
            total=size_text(machine.total_ram or 0),
            gpu=gpu,
        )
    )
    for number, row in enumerate(rows(workspace.gguf_dir, workspace.data_dir, chosen), 1):
        entry = row.entry
        print(f"\n{number}. {entry.title}  ({entry.repo} · {entry.file})")
        print("   " + t("dl.cli.good_for", lang, text=t(f"dl.good.{entry.key}", lang)))
        facts = []
        if row.facts:
            facts.append(t("dl.cli.size", lang, size=size_text(row.facts.size)))
        else:
            facts.append(t("dl.cli.unknown_size", lang))
        if row.need:
            facts.append(t("dl.cli.need", lang, need=size_text(row.need), context=CONTEXT))
        key, params = fit(row.need, machine)
        facts.append(t(key, lang, **params))
        if row.downloaded:
            facts.append(t("dl.cli.have", lang))
        elif row.partial:
            facts.append(t("dl.cli.partial", lang, done=size_text(row.partial)))
        print("   " + " · ".join(facts))
        if row.error is not None:
            stale = t("dl.cli.stale", lang, source=row.facts.source) if row.facts else ""
            print(f"   ⚠ {row.error.text(lang)} {stale}".rstrip())
        if not row.downloaded:
            command = f"python launch.py models download {entry.repo} {entry.file}"
            print("   " + t("dl.cli.command", lang, command=command))
    return 0
