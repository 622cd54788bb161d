"""微信客服 in the studio, in real Chromium against the real server and the fake kf API
(tests/fake_kf.py) over HTTP: what a marketer does in 🔗 企业微信 and what they see.

A wrong secret is refused in Chinese and nothing is bound; the right one lists the kf
accounts in a dropdown, one is picked and bound; the callback URL to paste and the
binding's health are shown, the secret never; a campaign gets its link and QR code, which
downloads under the campaign's name; every line on the screen is Chinese.
"""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

from runtime.wecom.kf_links import qr_png  # noqa: E402
from tests.fake_kf import FakeKf, Served  # noqa: E402
from tests.studio_kit import (  # noqa: E402
    CHROMIUM,
    ROOT,
    chromium,
    open_tab,
    pick,
    running_studio,
    shoot,
)
from tests.test_studio_chinese import ALWAYS_ALLOWED, VISIBLE_TEXT_JS, offenders  # noqa: E402

KFID = "wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q"
AFTERSALES = "wkAJ2GCAAAAfterSales000000000000"
TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
AES_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
BOT = "ops-helper"
expect = playwright_api.expect

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def kf():
    fake = FakeKf(accounts={KFID: "咨询客服", AFTERSALES: "售后"})
    with Served(fake.app()) as served:
        fake.url = served.url  # type: ignore[attr-defined]  # as test_studio_browser's fake
        yield fake


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory, kf: FakeKf):
    home = tmp_path_factory.mktemp("studio-kf")
    shutil.copytree(ROOT / "bots", home / "bots")
    with running_studio(home, env={"BOTSTUDIO_WECOM_API": kf.url}) as url:
        yield {"url": url, "data": home / "data"}


@pytest.fixture
def page(studio):
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1360, "height": 1000}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(studio["url"] + "/")
        page.wait_for_selector("#bots-table")
        yield page
        context.close()


def expect_text(page, selector: str, text: str) -> None:
    try:
        expect(page.locator(selector)).to_contain_text(text, timeout=30_000)
    except AssertionError:
        shoot(page, "kf-failed-" + selector.strip("#"))
        shown = page.locator(selector).all_inner_texts()
        raise AssertionError(f"{selector} lacks {text!r}; it shows {shown}") from None


def fill(page, elem_id: str, text: str) -> None:
    page.fill(f"#{elem_id} textarea, #{elem_id} input", text)


def unfold(page, section: str) -> None:
    """Open a folded section by its whole title (one title is the start of another)."""
    page.get_by_role("button", name=re.compile(rf"^{re.escape(section)}\s*▼?$")).click()


def kf_row(page) -> str:
    return page.locator("#wecom-status [role=row]", has_text="微信客服").inner_text()


def test_bind_a_kf_account_and_make_a_campaign_qr_code(page, studio, kf: FakeKf) -> None:
    pick(page, "bot-picker", BOT)
    open_tab(page, "企业微信")
    expect_text(page, "#wecom-urls", f"微信客服 {studio['url']}/wecom/kf/{BOT}")
    expect(page.locator("#wecom-status [role=row]", has_text="微信客服")).to_contain_text("未绑定")
    unfold(page, "微信客服")
    fill(page, "kf-corp", kf.corp_id)
    fill(page, "kf-secret", "not-the-secret")
    fill(page, "kf-token", TOKEN)
    fill(page, "kf-aes-key", AES_KEY)

    # a wrong secret: said in Chinese when reading the accounts, and when saving
    page.click("#kf-fetch")
    expect_text(page, "#kf-result", "没有读到客服账号：微信客服的密钥（Secret）不对")
    fill(page, "kf-account", KFID)  # typed: WeCom is asked all the same
    page.click("#kf-bind")
    expect_text(page, "#kf-result", "没有保存：微信客服的密钥（Secret）不对")
    expect_text(page, "#kf-result", "错误码 40001")
    assert "未绑定" in kf_row(page)

    # the right secret with an account typed that the app does not have
    fill(page, "kf-secret", kf.secret)
    fill(page, "kf-account", "wkNoSuchAccount")
    page.keyboard.press("Enter")
    page.click("#kf-bind")
    expect_text(page, "#kf-result", "没有保存：这个应用的客服账号里没有“wkNoSuchAccount”")
    assert "未绑定" in kf_row(page)

    # the accounts fill the dropdown, one is picked and bound
    page.click("#kf-fetch")
    expect_text(page, "#kf-result", "读到 2 个客服账号")
    pick(page, "kf-account", "售后（")
    page.click("#kf-bind")
    expect_text(page, "#kf-result", "已绑定微信客服账号“售后”")
    expect_text(page, "#kf-result", f"请把回调地址 {studio['url']}/wecom/kf/{BOT} 填到")
    expect(page.locator("#wecom-status [role=row]", has_text="微信客服")).to_contain_text(
        "已绑定，尚未使用"
    )
    assert "wkAJ…00" in kf_row(page)  # the account, masked like every credential
    assert kf.secret not in page.locator("#wecom-status").inner_text()
    bots_dir = studio["data"].parent / "bots"
    assert all(kf.secret not in p.read_text(encoding="utf-8") for p in bots_dir.iterdir())

    # a campaign: its link and QR code, downloaded under its name
    unfold(page, "微信客服 · 活动二维码")
    expect(page.locator("#kf-links-note")).not_to_contain_text("还没有绑定")
    fill(page, "kf-link-label", "春季海报")
    page.click("#kf-link-create")
    expect_text(page, "#kf-link-result", "已生成“春季海报”的客服链接")
    expect_text(page, "#kf-links", "春季海报")
    expect_text(page, "#kf-link-qr", "客服链接：https://work.weixin.qq.com/kf/")
    url = page.locator("#kf-link-qr .kf-qr-url a").inner_text()
    assert kf._scenes[url.split("enc_scene=")[1]][0] == AFTERSALES
    image = page.locator("#kf-link-qr img")
    expect(image).to_be_visible()
    expect(image).to_have_attribute("alt", "“春季海报”的二维码")
    assert image.evaluate("img => img.complete && img.naturalWidth > 100")
    png = qr_png(url)
    assert image.get_attribute("src") == "data:image/png;base64," + base64.b64encode(png).decode()
    with page.expect_download() as download:
        page.get_by_text("下载二维码图片").click()
    assert download.value.suggested_filename == "春季海报.png"
    assert Path(download.value.path()).read_bytes() == png

    # the same campaign again: the link kept, WeCom not asked twice
    page.click("#kf-link-create")
    expect_text(page, "#kf-link-result", "已经有链接（活动“春季海报”）")
    assert kf.calls.count("add_contact_way") == 1
    fill(page, "kf-link-label", "直播间")
    fill(page, "kf-link-scene", "直播")
    page.click("#kf-link-create")
    expect_text(page, "#kf-link-result", "渠道标识“直播”不能用")
    shoot(page, "kf-studio")

    names = {*ALWAYS_ALLOWED, BOT, "春季海报", "直播间", "直播"}  # its names, what was typed
    texts = [(text, where) for text, where in page.evaluate(VISIBLE_TEXT_JS)]
    found = offenders(texts, names)
    assert not found, "English on the Chinese studio:\n" + "\n".join(map(repr, found))


def test_a_bot_without_kf_is_told_to_bind_first(page) -> None:
    pick(page, "bot-picker", "ad-copywriter")
    open_tab(page, "企业微信")
    unfold(page, "微信客服 · 活动二维码")
    expect_text(page, "#kf-links-note", "这个机器人还没有绑定微信客服")
    fill(page, "kf-link-label", "春季海报")
    page.click("#kf-link-create")
    expect_text(page, "#kf-link-result", "还没有绑定微信客服")
    assert re.search(r"春季海报", page.locator("#kf-links").inner_text()) is None
