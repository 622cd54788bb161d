"""Contact links per campaign for a bot's 微信客服 account: `add_contact_way` (KF.md §6) with a
`scene` that comes back in the customer's `enter_session`, kept in the journal's kf_links
table (whose SQL is all here) so that the studio and the command line can list them again.

A scene is the campaign's key: the same (bot, account, scene) asked for twice is the link
already kept, with no second call to WeCom. When the marketer gives none, one is made from
the campaign's name (`scene_for`). Also here: the check that an account a binding names is
one the app may see (`check_account`), and the QR code of a link (`qr_png`).
"""

from __future__ import annotations

import hashlib
import io
import re
import sqlite3
import time
from dataclasses import dataclass

import segno

from runtime.i18n import Explained
from runtime.store.db import Journal
from runtime.wecom.bindings import Bindings
from runtime.wecom.kf import KfAccount, KfClient
from runtime.wecom.kf_tokens import SHARED, AccessTokens

KIND = "kf"
SCENE = re.compile(r"[0-9A-Za-z_-]{1,32}")
LABEL_LIMIT = 60  # characters of a campaign name
SLUG_LIMIT = 20  # characters of a scene made from a name, before its suffix
QR_SCALE = 10  # pixels per module: sharp enough to print on a poster
FILE_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


class KfLinkError(Explained):
    """A link or account the marketer asked for that cannot be had, said in words."""


@dataclass(frozen=True)
class KfLink:
    id: int
    bot_id: str
    open_kfid: str
    scene: str
    label: str  # the marketer's name for the campaign
    url: str
    created_at: float

    @property
    def file_name(self) -> str:
        """The QR picture's file name: the campaign's name, safe on any system."""
        name = FILE_UNSAFE.sub("_", self.label).strip(" ._")[:LABEL_LIMIT]
        return f"{name or self.scene}.png"


def checked_scene(scene: str) -> str:
    if not SCENE.fullmatch(scene):
        raise KfLinkError("kfs.scene_bad", scene=scene)
    return scene


def scene_for(label: str) -> str:
    """A scene made from a campaign name: its letters and digits as a slug; with a short
    hash of the whole name when the slug alone would lose some of it (Chinese, symbols),
    so that the same name gives the same scene and different names rarely meet."""
    slug = re.sub(r"[^0-9a-z]+", "-", label.lower()).strip("-")[:SLUG_LIMIT].strip("-")
    if slug and slug.replace("-", " ") == re.sub(r"[\s_-]+", " ", label.lower()).strip():
        return slug
    digest = hashlib.sha256(label.encode()).hexdigest()[:8]
    return f"{slug or 'c'}-{digest}"


def check_account(accounts: list[KfAccount], open_kfid: str) -> KfAccount:
    """The account `open_kfid` among those `account/list` gave; KfLinkError when absent."""
    for account in accounts:
        if account.open_kfid == open_kfid:
            return account
    raise KfLinkError("kfs.account_not_found", account=open_kfid)


def qr_png(url: str, scale: int = QR_SCALE) -> bytes:
    """The link as a QR code, a PNG picture."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale)
    return buffer.getvalue()


class KfLinks:
    def __init__(self, journal: Journal, bindings: Bindings, tokens: AccessTokens = SHARED):
        self.journal, self.bindings, self.tokens = journal, bindings, tokens

    def create(self, bot_id: str, label: str, scene: str = "") -> tuple[KfLink, bool]:
        """The link for this campaign on the bot's bound account, and whether it is new
        (False: that scene already had one, which is returned as it was kept)."""
        binding = self.bindings.get(bot_id, KIND)
        if binding is None:
            raise KfLinkError("kfs.unbound")
        label, scene = " ".join(label.split()), scene.strip()
        if not label and not scene:
            raise KfLinkError("kfs.label_missing")
        if len(label) > LABEL_LIMIT:
            raise KfLinkError("kfs.label_long", n=LABEL_LIMIT)
        open_kfid = str(binding["open_kfid"])
        if scene:
            kept = self._find(bot_id, open_kfid, checked_scene(scene))
            if kept is not None:
                return kept, False
        else:
            scene = self._free_scene(bot_id, open_kfid, label)
            kept = self._find(bot_id, open_kfid, scene)
            if kept is not None:  # the same campaign name asked for again
                return kept, False
        client = KfClient(str(binding["corp_id"]), str(binding["secret"]), tokens=self.tokens)
        url = client.add_contact_way(open_kfid, scene)
        # two asking at once both get a URL from WeCom; the first one kept is everyone's
        self.journal.connection().execute(
            "INSERT OR IGNORE INTO kf_links (bot_id, open_kfid, scene, label, url, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (bot_id, open_kfid, scene, label or scene, url, time.time()),
        )
        link = self._find(bot_id, open_kfid, scene)
        assert link is not None, "a link just kept"
        return link, link.url == url

    def list(self, bot_id: str) -> list[KfLink]:
        """The bot's links, newest first (those of an account it was bound to before too:
        handed out, they still open that account's chat)."""
        rows = (
            self.journal.connection()
            .execute(
                "SELECT * FROM kf_links WHERE bot_id = ? ORDER BY created_at DESC, id DESC",
                (bot_id,),
            )
            .fetchall()
        )
        return [_link(row) for row in rows]

    def get(self, bot_id: str, link_id: int) -> KfLink | None:
        row = (
            self.journal.connection()
            .execute("SELECT * FROM kf_links WHERE bot_id = ? AND id = ?", (bot_id, link_id))
            .fetchone()
        )
        return None if row is None else _link(row)

    def delete(self, bot_id: str, link_id: int) -> KfLink | None:
        """Forget one link (WeCom has no call to revoke it: handed out, it still works);
        the link forgotten, None when there was none."""
        link = self.get(bot_id, link_id)
        if link is not None:
            self.journal.connection().execute(
                "DELETE FROM kf_links WHERE bot_id = ? AND id = ?", (bot_id, link_id)
            )
        return link

    def _find(self, bot_id: str, open_kfid: str, scene: str) -> KfLink | None:
        row = (
            self.journal.connection()
            .execute(
                "SELECT * FROM kf_links WHERE bot_id = ? AND open_kfid = ? AND scene = ?",
                (bot_id, open_kfid, scene),
            )
            .fetchone()
        )
        return None if row is None else _link(row)

    def _free_scene(self, bot_id: str, open_kfid: str, label: str) -> str:
        """`scene_for(label)`, or with -2, -3… when another campaign name already has it."""
        base = scene_for(label)
        scene, n = base, 1
        while (kept := self._find(bot_id, open_kfid, scene)) and kept.label != label:
            n += 1
            scene = f"{base[: 32 - len(str(n)) - 1]}-{n}"
        return scene


def _link(row: sqlite3.Row) -> KfLink:
    return KfLink(
        int(row["id"]),
        str(row["bot_id"]),
        str(row["open_kfid"]),
        str(row["scene"]),
        str(row["label"]),
        str(row["url"]),
        float(row["created_at"]),
    )
