"""Which bot answers which 微信客服 account: read from the bots' kf bindings each time, so a
binding changed in the studio counts from the next doorbell on.

One self-built app's callback may serve several kf accounts: a doorbell names the account
with news (`OpenKfId`), and the bot bound to that account (with the same corp id) answers,
whichever bot's callback URL it rang.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from runtime.wecom.bindings import Bindings

KIND = "kf"


@dataclass(frozen=True)
class BoundAccount:
    bot_id: str
    corp_id: str
    secret: str = field(repr=False)  # never in a log line
    open_kfid: str

    @property
    def key(self) -> tuple[str, str]:
        """What a drain and a cursor are per: (corp id, open_kfid)."""
        return (self.corp_id, self.open_kfid)


def bound_account(bindings: Bindings, bot_id: str) -> BoundAccount | None:
    binding = bindings.get(bot_id, KIND)
    if binding is None:
        return None
    return BoundAccount(
        bot_id, str(binding["corp_id"]), str(binding["secret"]), str(binding["open_kfid"])
    )


def bound_accounts(bindings: Bindings) -> list[BoundAccount]:
    """Every bound account, once (the first bot by id when two are bound to one account)."""
    found: dict[tuple[str, str], BoundAccount] = {}
    for bot_id in bindings.bots_with(KIND):
        account = bound_account(bindings, bot_id)
        if account is not None:
            found.setdefault(account.key, account)
    return list(found.values())


def account_for(bindings: Bindings, bot_id: str, open_kfid: str) -> BoundAccount | None:
    """The account a doorbell at `bot_id`'s URL is about: the bot's own when the doorbell
    names none or names it; else the one another bot of the same corp is bound to."""
    own = bound_account(bindings, bot_id)
    if own is None or not open_kfid or open_kfid == own.open_kfid:
        return own
    for account in bound_accounts(bindings):
        if account.key == (own.corp_id, open_kfid):
            return account
    return None


def owner_of(bindings: Bindings, key: tuple[str, str]) -> BoundAccount | None:
    """The bound account with this (corp id, open_kfid), as it is bound now."""
    return next((a for a in bound_accounts(bindings) if a.key == key), None)
