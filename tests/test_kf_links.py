"""Contact links per campaign for a bot's 微信客服 account, against the fake kf API over real
HTTP (tests/fake_kf.py): what is kept, what WeCom is asked, and what `kf-link` prints."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import segno

from runtime.cli import main as launch
from runtime.i18n import t
from runtime.wecom.kf import KfAccount, KfError
from runtime.wecom.kf_links import (
    KfLink,
    KfLinkError,
    KfLinks,
    check_account,
    qr_png,
    scene_for,
)
from runtime.wecom.kf_tokens import AccessTokens
from runtime.workspace import Workspace
from tests.fake_kf import FakeKf, Served

KFID = "wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q"
AFTERSALES = "wkAJ2GCAAAAfterSales000000000000"
TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
AES_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
BOT = "id: shop\nname: 小蓝\nlanguage: zh\n"


@pytest.fixture
def kf(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeKf]:
    fake = FakeKf(accounts={KFID: "咨询客服", AFTERSALES: "售后"})
    with Served(fake.app()) as served:
        monkeypatch.setenv("BOTSTUDIO_WECOM_API", served.url)
        yield fake


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots" / "shop.yaml").write_text(BOT, encoding="utf-8")
    return tmp_path


@pytest.fixture
def workspace(home: Path) -> Workspace:
    return Workspace(home / "bots", home / "data", home / "gguf", "zh")


def bind(workspace: Workspace, kf: FakeKf, open_kfid: str = KFID, secret: str = "") -> None:
    values = {"corp_id": kf.corp_id, "secret": secret or kf.secret, "token": TOKEN}
    values |= {"aes_key": AES_KEY, "open_kfid": open_kfid}
    workspace.bindings.bind("shop", "kf", values)


@pytest.fixture
def links(workspace: Workspace, kf: FakeKf) -> KfLinks:
    bind(workspace, kf)
    return KfLinks(workspace.journal, workspace.bindings, AccessTokens())


def decoded_scene(kf: FakeKf, url: str) -> tuple[str, str]:
    """(account, scene) that WeCom put behind a link's enc_scene."""
    return kf._scenes[url.split("enc_scene=")[1]]


# --- making, keeping, listing, deleting ------------------------------------------------------


def test_a_campaign_link_is_made_once_and_kept(links: KfLinks, kf: FakeKf) -> None:
    link, made = links.create("shop", "春季海报", "spring_2025")
    assert made and link.label == "春季海报" and link.scene == "spring_2025"
    assert link.url.startswith("https://work.weixin.qq.com/kf/kfc")
    assert decoded_scene(kf, link.url) == (KFID, "spring_2025")
    again, made_again = links.create("shop", "另一个名字", "spring_2025")
    assert not made_again and again == link  # the one kept, under its first name
    assert kf.calls.count("add_contact_way") == 1  # WeCom was asked once
    assert links.list("shop") == [link]


def test_a_scene_is_made_from_the_name_when_left_empty(links: KfLinks, kf: FakeKf) -> None:
    english, _ = links.create("shop", "Spring Sale 2025")
    assert english.scene == "spring-sale-2025"
    chinese, _ = links.create("shop", "  双11  促销 ")
    assert chinese.label == "双11 促销"
    assert chinese.scene.startswith("11-") and len(chinese.scene) == 11
    same, made = links.create("shop", "双11 促销")  # the same name again: the same link
    assert not made and same == chinese
    clash, made = links.create("shop", "spring sale 2025")  # another name, the same slug
    assert made and clash.scene == "spring-sale-2025-2"
    for link in (english, chinese, clash):
        assert decoded_scene(kf, link.url) == (KFID, link.scene)
    assert kf.calls.count("add_contact_way") == 3
    assert [x.scene for x in links.list("shop")] == [clash.scene, chinese.scene, english.scene]


def test_scene_for_is_always_a_scene_wecom_takes() -> None:
    for label in ("春季活动", "a" * 80, "Ünïcödé sale!", "--", "双11", "Summer_Sale-2"):
        scene = scene_for(label)
        assert 1 <= len(scene) <= 32 and all(
            c.isascii() and (c.isalnum() or c in "_-") for c in scene
        )
    assert scene_for("春季活动") == scene_for("春季活动") != scene_for("夏季活动")


@pytest.mark.parametrize("scene", ["有中文", "a b", "x" * 33, "semi;colon"])
def test_a_bad_scene_is_refused_in_words_before_wecom_is_asked(
    links: KfLinks, kf: FakeKf, scene: str
) -> None:
    with pytest.raises(KfLinkError) as refused:
        links.create("shop", "海报", scene)
    assert refused.value.text("zh") == t("kfs.scene_bad", "zh", scene=scene)
    assert "最多 32 个英文字母、数字、下划线 _ 或减号 -" in refused.value.text("zh")
    assert kf.calls == [] and links.list("shop") == []


def test_a_campaign_needs_a_name_or_a_scene_and_a_binding(workspace: Workspace, kf: FakeKf) -> None:
    links = KfLinks(workspace.journal, workspace.bindings, AccessTokens())
    with pytest.raises(KfLinkError) as unbound:
        links.create("shop", "海报", "poster")
    assert "还没有绑定微信客服" in unbound.value.text("zh")
    bind(workspace, kf)
    with pytest.raises(KfLinkError) as nameless:
        links.create("shop", "  ", "")
    assert nameless.value.text("zh") == "请填写活动名称（或渠道标识）"
    with pytest.raises(KfLinkError):
        links.create("shop", "长" * 61)
    link, _ = links.create("shop", "", "only-scene")  # the scene names it then
    assert link.label == "only-scene"


def test_delete_forgets_one_link_and_the_next_ask_makes_a_new_one(
    links: KfLinks, kf: FakeKf
) -> None:
    poster, _ = links.create("shop", "海报", "poster")
    moments, _ = links.create("shop", "朋友圈", "moments")
    assert links.delete("shop", poster.id) == poster
    assert links.delete("shop", poster.id) is None
    assert links.delete("other-bot", moments.id) is None  # another bot's id: not this one
    assert links.list("shop") == [moments]
    again, made = links.create("shop", "海报", "poster")
    assert made and again.id != poster.id
    assert kf.calls.count("add_contact_way") == 3


def test_links_are_per_account_and_wecom_errors_keep_nothing(
    workspace: Workspace, links: KfLinks, kf: FakeKf
) -> None:
    first, _ = links.create("shop", "海报", "poster")
    bind(workspace, kf, AFTERSALES)  # the same scene on another account is another link
    second, made = links.create("shop", "海报", "poster")
    assert made and second.open_kfid == AFTERSALES and second.url != first.url
    assert len(links.list("shop")) == 2  # the first still works: it stays listed
    kf.fail("add_contact_way", 95004)
    with pytest.raises(KfError) as refused:
        links.create("shop", "直播", "live")
    assert refused.value.errcode == 95004
    assert "客服账号不存在或已删除" in refused.value.text("zh")
    bind(workspace, kf, secret="wrong-secret")
    with pytest.raises(KfError) as bad_secret:
        links.create("shop", "直播", "live")
    assert bad_secret.value.errcode == 40001
    assert [x.scene for x in links.list("shop")] == ["poster", "poster"]


def test_rows_are_kept_in_the_journal_table(links: KfLinks, workspace: Workspace) -> None:
    link, _ = links.create("shop", "海报", "poster")
    db = sqlite3.connect(workspace.data_dir / "botstudio.sqlite3")
    row = db.execute("SELECT bot_id, open_kfid, scene, label, url FROM kf_links").fetchall()
    assert row == [("shop", KFID, "poster", "海报", link.url)]
    db.close()


def test_check_account_names_the_missing_account() -> None:
    accounts = [KfAccount(KFID, "咨询客服", True)]
    assert check_account(accounts, KFID).name == "咨询客服"
    with pytest.raises(KfLinkError) as missing:
        check_account(accounts, "wkNOPE")
    assert "这个应用的客服账号里没有“wkNOPE”" in missing.value.text("zh")


def test_the_qr_code_is_a_png_of_the_link() -> None:
    url = "https://work.weixin.qq.com/kf/kfc0123456789abcdef?enc_scene=ENCabc"
    png = qr_png(url)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    expected = io.BytesIO()
    segno.make(url, error="m").save(expected, kind="png", scale=10)
    assert png == expected.getvalue()


def test_the_file_name_comes_from_the_campaign() -> None:
    def named(label: str) -> str:
        return KfLink(1, "shop", KFID, "poster", label, "u", 0).file_name

    assert named("春季海报") == "春季海报.png"
    assert named('a/b:c*"d"') == "a_b_c_d.png"
    assert named("...") == "poster.png"


# --- the command line -----------------------------------------------------------------------


def cli(home: Path, *args: str, lang: str = "zh") -> list[str]:
    return ["--bots", str(home / "bots"), "--data", str(home / "data"), "--lang", lang, *args]


def test_kf_link_prints_the_link_and_writes_the_qr(
    home: Path, workspace: Workspace, kf: FakeKf, capsys: pytest.CaptureFixture[str]
) -> None:
    bind(workspace, kf)
    qr = home / "poster.png"
    code = launch(
        cli(home, "kf-link", "shop", "--scene", "poster", "--label", "海报", "--qr", str(qr))
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    url = out.strip()
    assert url.startswith("https://work.weixin.qq.com/kf/") and "\n" not in url
    assert decoded_scene(kf, url) == (KFID, "poster")
    assert qr.read_bytes() == qr_png(url)
    assert f"二维码已保存：{qr}" in err
    assert [x.label for x in KfLinks(workspace.journal, workspace.bindings).list("shop")] == [
        "海报"
    ]

    again = launch(cli(home, "kf-link", "shop", "--scene", "poster"))
    out, err = capsys.readouterr()
    assert again == 0 and out.strip() == url
    assert "渠道标识 poster 已经有链接（活动“海报”）" in err
    assert kf.calls.count("add_contact_way") == 1


def test_kf_link_says_what_is_wrong(
    home: Path, workspace: Workspace, kf: FakeKf, capsys: pytest.CaptureFixture[str]
) -> None:
    assert launch(cli(home, "kf-link", "shop", "--scene", "poster")) == 1
    assert "机器人 shop 还没有绑定微信客服，请先运行 bind" in capsys.readouterr().err
    assert launch(cli(home, "kf-link", "nobody", "--scene", "poster")) == 1
    assert "nobody" in capsys.readouterr().err
    bind(workspace, kf)
    assert launch(cli(home, "kf-link", "shop", "--scene", "春季")) == 1
    assert "渠道标识“春季”不能用" in capsys.readouterr().err
    kf.fail("add_contact_way", 60020)
    assert launch(cli(home, "kf-link", "shop", "--scene", "poster")) == 1
    err = capsys.readouterr().err
    assert "没有生成链接：" in err and "企业可信IP" in err and "60020" in err
    assert launch(cli(home, "kf-link", "shop", "--scene", "poster", lang="en")) == 0
    out, err = capsys.readouterr()
    assert out.startswith("https://") and err == ""
    kf.fail("add_contact_way", 40013)
    assert launch(cli(home, "kf-link", "shop", "--scene", "x", lang="en")) == 1
    assert "The Corp ID (CorpID) is wrong" in capsys.readouterr().err


# --- the binding's health in 🔗 企业微信 ------------------------------------------------------


def test_the_status_rows_say_the_kf_bindings_health_in_words(
    workspace: Workspace, kf: FakeKf
) -> None:
    from runtime.i18n import said
    from studio.context import StudioContext
    from studio.tabs.wecom import status_rows

    ctx = StudioContext(workspace, "zh", hub=None)  # type: ignore[arg-type]  # not used here

    def kf_row() -> list[str]:
        return next(row for row in status_rows(ctx, "shop") if row[0] == "微信客服")

    assert kf_row()[1:3] == ["—", "未绑定"]
    bind(workspace, kf)
    assert kf_row()[1:3] == ["wkAJ…3Q", "已绑定，尚未使用"]
    workspace.bindings.succeeded("shop", "kf")
    assert kf_row()[2] == "✅ 正常"
    why = said("kf.sync_failed", why=said("kf.errcode.40001", code="40001", detail="bad"))
    workspace.bindings.failed("shop", "kf", why, broken=True)
    row = kf_row()
    assert row[2] == "❌ 凭据无效，请重新绑定"
    assert row[4].startswith("从微信客服拉取消息失败：微信客服的密钥（Secret）不对")
    assert all(kf.secret not in cell for cell in row)


def test_reading_accounts_says_which_setting_is_wrong(kf: FakeKf) -> None:
    from studio.tabs.kf_bind import read_accounts

    assert [a.name for a in read_accounts(kf.corp_id, kf.secret)] == ["咨询客服", "售后"]
    for corp_id, secret, words in (
        ("wwWRONG", kf.secret, "企业 ID（CorpID）不对，请检查绑定（错误码 40013）"),
        (kf.corp_id, "wrong", "微信客服的密钥（Secret）不对"),
    ):
        with pytest.raises(KfError) as refused:
            read_accounts(corp_id, secret)
        assert words in refused.value.text("zh")
    kf.fail("account/list", 60020)
    with pytest.raises(KfError) as untrusted:
        read_accounts(kf.corp_id, kf.secret)
    assert "不在应用的“企业可信IP”里" in untrusted.value.text("zh")
