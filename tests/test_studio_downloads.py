"""The studio's 下载推荐模型 section in real Chromium (Debian's), against the real server and a
Hugging Face-compatible hub on 127.0.0.1 that serves a recommended entry (the bundled
model's bytes under Qwen2.5-1.5B's name): pick the hub, see the sizes, download with
progress, see the model appear, switch a bot to it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

from tests.fake_hub import FakeHub  # noqa: E402
from tests.studio_kit import (  # noqa: E402
    CHROMIUM,
    ROOT,
    chromium,
    open_tab,
    pick,
    running_studio,
    shoot,
)
from tests.test_studio_browser import expect_text  # noqa: E402

SMOL = ROOT / "gguf" / "SmolLM2-135M-Instruct.Q4_1.gguf"
QWEN_REPO, QWEN_FILE = "Qwen/Qwen2.5-1.5B-Instruct-GGUF", "qwen2.5-1.5b-instruct-q4_k_m.gguf"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def hub(gguf_dir: Path):
    with FakeHub() as served:
        served.add(QWEN_REPO, QWEN_FILE, SMOL)
        yield served


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory):
    """A real server with its own bots and an empty gguf/ (bots on `default` still work)."""
    home = tmp_path_factory.mktemp("studio-downloads")
    shutil.copytree(ROOT / "bots", home / "bots")
    (home / "gguf").mkdir()
    with running_studio(home, "--gguf", str(home / "gguf")) as url:
        yield {"url": url, "home": home}


@pytest.fixture
def page(studio):
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1360, "height": 1000}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(studio["url"] + "/")
        page.wait_for_selector("#bots-table")
        yield page


def test_download_a_recommended_model_and_switch_a_bot_to_it(page, studio, hub) -> None:
    hub.throttle = 12 * 2**20  # about 8 s: long enough to watch it
    open_tab(page, "模型")
    pick(page, "dl-source", "其他 Hugging Face 兼容地址")
    page.fill("#dl-endpoint textarea", hub.url)
    page.click("#dl-refresh")
    expect_text(page, "#dl-catalog", "93.8 MiB")  # the hub's size of the first entry
    expect_text(page, "#dl-catalog", "279.8 MiB")  # the memory computed from its header
    expect_text(page, "#dl-catalog", "内存够用")

    pick(page, "dl-pick", "Qwen2.5-1.5B-Instruct")
    page.click("#dl-start")
    expect_text(page, "#dl-progress", "MiB/秒")  # bytes, speed ...
    expect_text(page, "#dl-progress", "还需约")  # ... and time left while it runs
    shoot(page, "15-model-download")
    expect_text(page, "#dl-status", f"{QWEN_FILE} 已下载并通过 SHA-256 校验", timeout=90_000)
    expect_text(page, "#models-files", QWEN_FILE)  # in the model list above, ready to use
    assert (studio["home"] / "gguf" / QWEN_FILE).stat().st_size == SMOL.stat().st_size

    page.locator("#dl-bots label", has_text="ops-helper").click()
    assert QWEN_FILE in page.input_value("#dl-model input")
    page.click("#dl-switch")
    expect_text(page, "#dl-switch-status", f"ops-helper 已改用 {QWEN_FILE}")
    text = (studio["home"] / "bots" / "ops-helper.yaml").read_text(encoding="utf-8")
    assert f"file: {QWEN_FILE}" in text
    shoot(page, "16-model-switched")


def test_a_bad_download_is_said_in_chinese(page, studio, hub) -> None:
    hub.reset()
    hub.add("Qwen/Qwen2.5-3B-Instruct-GGUF", "qwen2.5-3b-instruct-q4_k_m.gguf", SMOL)
    hub.corrupt = True
    open_tab(page, "模型")
    pick(page, "dl-source", "其他 Hugging Face 兼容地址")
    page.fill("#dl-endpoint textarea", hub.url)
    page.locator("#dl-endpoint textarea").blur()
    pick(page, "dl-pick", "Qwen2.5-3B-Instruct")
    page.click("#dl-start")
    expect_text(page, "#dl-status", "校验没通过", timeout=90_000)
    expect_text(page, "#dl-status", "这个文件已经删除，没有放进 gguf/")
    assert not (studio["home"] / "gguf" / "qwen2.5-3b-instruct-q4_k_m.gguf").exists()
