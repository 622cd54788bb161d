"""⚙️ 设置 → API 密钥, in real Chromium against the real server: a marketer makes a key,
sees it once, a caller uses it with the official `openai` client, the list never shows
it again, a bad name is refused in Chinese, and a revoked key is refused at once."""

from __future__ import annotations

import re
import shutil

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")
openai = pytest.importorskip("openai")

from tests.studio_kit import CHROMIUM, ROOT, chromium, open_tab, running_studio  # noqa: E402

expect = playwright_api.expect
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


def test_make_use_and_revoke_a_key_in_settings(tmp_path) -> None:
    shutil.copytree(ROOT / "bots", tmp_path / "bots")
    with running_studio(tmp_path) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1360, "height": 900})
        page.goto(url + "/studio/zh/")
        page.wait_for_selector("#bots-table")
        open_tab(page, "设置")
        page.fill("#apikeys-name textarea, #apikeys-name input", "CRM 系统!")
        page.click("#apikeys-create")
        expect(page.locator("#apikeys-status")).to_contain_text("CRM 系统!")  # named, in words
        assert not page.locator("#apikeys-secret").count()
        page.fill("#apikeys-name textarea, #apikeys-name input", "crm")
        page.fill("#apikeys-rate textarea, #apikeys-rate input", "30/minute")
        page.click("#apikeys-create")
        expect(page.locator("#apikeys-secret")).to_contain_text("bsk-", timeout=30_000)
        key = page.locator("#apikeys-secret").inner_text().strip()
        assert re.fullmatch(r"bsk-[0-9a-f]{8}-[A-Za-z0-9_-]{43}", key)
        expect(page.locator("#apikeys-status")).to_contain_text("唯一一次显示")
        expect(page.locator("#apikeys-table")).to_contain_text("30/minute")
        assert key not in page.locator("#apikeys-table").inner_text()  # listed, never shown
        secret_part = key.rsplit("-", 1)[1]
        settings = (tmp_path / "data" / "settings.json").read_text(encoding="utf-8")
        assert secret_part not in settings  # only its hash is kept

        client = openai.OpenAI(base_url=url + "/v1", api_key=key, max_retries=0)
        assert "xiaolan-sales" in [m.id for m in client.models.list().data]

        page.reload()
        page.wait_for_selector("#bots-table")
        open_tab(page, "设置")
        assert not page.locator("#apikeys-secret").count()  # shown once, then never again
        page.click("#apikeys-pick input")
        page.locator("[role=option]", has_text="crm").first.click()
        page.click("#apikeys-revoke")
        expect(page.locator("#apikeys-status")).to_contain_text("已撤销密钥 crm")
        with pytest.raises(openai.AuthenticationError):
            client.models.list()
