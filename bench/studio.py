"""Studio benchmark, in real Chromium against the real server, in one run:

1. navigation to the bots list being visible (median of N page loads);
2. 试聊: click Send to the first streamed text in the chat, the first turn (the
   model loads) and warm turns;
3. the same bot through `launch.py chat -m` (a new process each time: start-up,
   model load and prompt included, as a terminal user meets it) and the engine's
   own time to first token as the studio reports it, to show the UI's share;
4. 模型 → ✏️ 编辑: from an uploaded .gguf being added (the status says so) to its name
   being an option of 编辑's model dropdown, without reloading the page.

  .venv/bin/python bench/studio.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runtime.i18n import t  # noqa: E402

BOT = """id: cafe
name: Cafe helper
language: en
persona: You are the friendly assistant of Bean There, a coffee shop in Shanghai.
model: {temperature: 0, max_tokens: 64, context: 2048}
"""
FIRST_TEXT_APPEARED = """([n]) => {
  const rows = document.querySelectorAll('#try-chat .message-row');
  return rows.length >= n + 2 && rows[rows.length - 1].innerText.trim().length > 0;
}"""
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(bots: Path, data: Path, port: int) -> subprocess.Popen:
    """The studio over `bots`, with a models folder of its own next to them (the default
    model linked in), so that the upload measured below never lands in the real gguf/."""
    env = {**os.environ, "BOTSTUDIO_LANG": "en"}
    models = bots.parent / "gguf"
    models.mkdir(exist_ok=True)
    for model in (ROOT / "gguf").glob("*.gguf"):
        if not (models / model.name).exists():
            (models / model.name).symlink_to(model)
    command = [sys.executable, "launch.py", "--bots", str(bots), "--data", str(data)]
    command += ["--gguf", str(models)]
    server = subprocess.Popen(
        [*command, "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)


def cli_first_byte(bots: Path, data: Path, message: str) -> float:
    env = {**os.environ, "BOTSTUDIO_LANG": "en"}
    command = [sys.executable, "launch.py", "--bots", str(bots), "--data", str(data)]
    started = time.perf_counter()
    process = subprocess.Popen(
        [*command, "chat", "cafe", "-m", message, "--user", "cli"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
    )
    process.stdout.read(1)
    first = time.perf_counter() - started
    process.communicate()
    return first


def small_gguf(path: Path, megabytes: int = 8) -> Path:
    """A file whose GGUF header reads (no tensors), padded: what the upload checks."""

    def text(value: str) -> bytes:
        return struct.pack("<Q", len(value.encode())) + value.encode()

    header = b"GGUF" + struct.pack("<IQQ", 3, 0, 1)
    header += text("general.architecture") + struct.pack("<I", 8) + text("llama")
    path.write_bytes(header + bytes(megabytes * 2**20 - len(header)))
    return path


def upload_to_pickable(browser, url: str, upload: Path, limit: float = 30.0) -> float | None:
    """Seconds from the upload's "Added" to its name in 编辑's model dropdown (the dropdown
    opened again until it is there); None when it is not there within `limit`."""
    page = browser.new_page(viewport={"width": 1360, "height": 1000})
    page.goto(url)
    page.wait_for_selector("#bots-table")
    page.get_by_role("tab", name=t("tab.models", "en")).click()
    page.set_input_files("#models-upload input[type=file]", str(upload))
    page.locator("#models-status").filter(has_text="Added").wait_for(timeout=120_000)
    started = time.perf_counter()
    page.get_by_role("tab", name=t("tab.edit", "en")).click()
    page.get_by_text(t("edit.section.model", "en")).first.click()  # the section's accordion
    while time.perf_counter() - started < limit:
        page.click("#edit-model-file input")
        found = page.locator("[role=option]", has_text=upload.name).count() > 0
        page.keyboard.press("Escape")
        if found:
            page.close()
            return time.perf_counter() - started
        page.wait_for_timeout(100)
    page.close()
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="botstudio-bench-"))
    bots = home / "bots"
    bots.mkdir()
    (bots / "cafe.yaml").write_text(BOT, encoding="utf-8")
    port = free_port()
    server = start_server(bots, home / "data", port)
    url = f"http://127.0.0.1:{port}/studio/en/"
    loads, first_tokens, engine_ttft = [], [], []
    upload = small_gguf(home / "bench-upload.gguf")
    pickable: float | None = None
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for _ in range(args.runs):
                page = browser.new_page(viewport={"width": 1360, "height": 1000})
                started = time.perf_counter()
                page.goto(url)
                page.wait_for_selector("#bots-table [data-testid=cell-0-0]", timeout=60_000)
                loads.append(time.perf_counter() - started)
                page.close()

            page = browser.new_page(viewport={"width": 1360, "height": 1000})
            page.goto(url)
            page.wait_for_selector("#bots-table")
            page.get_by_role("tab", name="💬 Try").click()
            page.wait_for_selector("#try-message textarea")
            bubbles = page.locator("#try-chat .message-row")
            for i in range(args.runs + 1):
                before = bubbles.count()
                page.fill("#try-message textarea", f"Question {i}: what coffee do you recommend?")
                started = time.perf_counter()
                page.click("#try-send")
                page.wait_for_function(
                    FIRST_TEXT_APPEARED,
                    arg=[before],
                    timeout=120_000,
                    polling=10,
                )
                first_tokens.append(time.perf_counter() - started)
                stats = page.locator("#try-stats")
                stats.filter(has_text="tokens/s").wait_for(timeout=120_000)
                engine_ttft.append(
                    float(stats.inner_text().split("first token ")[1].split(" s")[0])
                )
                page.click("#try-reset")
                page.wait_for_timeout(300)
            pickable = upload_to_pickable(browser, url, upload)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)

    cli = [
        cli_first_byte(bots, home / "data", f"Question {i}?") for i in range(max(2, args.runs // 2))
    ]
    shutil.rmtree(home, ignore_errors=True)

    warm = first_tokens[1:]
    print(f"studio at {url}, bot 'cafe' on the bundled SmolLM2-135M, {args.runs} runs each\n")
    print(f"navigation to the bots list visible     {statistics.median(loads):6.2f} s (median)")
    print(f"试聊 send to first streamed text, cold   {first_tokens[0]:6.2f} s (model loads)")
    print(f"试聊 send to first streamed text, warm   {statistics.median(warm):6.2f} s (median)")
    engine = statistics.median(engine_ttft[1:])
    print(f"  of which the engine's first token      {engine:6.2f} s")
    cli_median = statistics.median(cli)
    print(f"launch.py chat -m, to first byte         {cli_median:6.2f} s (median; a new process)")
    if pickable is None:
        print("upload added to pickable in 编辑           not within 30 s (needs a page reload)")
    else:
        print(f"upload added to pickable in 编辑         {pickable:6.2f} s (no reload)")
    ui_share = statistics.median(warm) - engine
    print(f"\nthe browser and server add {ui_share:.2f} s to a warm first token;")
    print(
        f"a warm studio turn answers {statistics.median(cli) / statistics.median(warm):.1f}x sooner"
    )
    print("than a terminal call that starts a new process.")


if __name__ == "__main__":
    main()
