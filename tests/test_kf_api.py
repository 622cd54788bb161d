"""The 微信客服 (kf) client against a fake WeCom that fails as KF.md says WeCom fails: what a
bot's operator (or someone probing it) would observe on the wire."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import fields

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response

from runtime.channels.wecom.callback import parse_xml
from runtime.i18n import STRINGS
from runtime.i18n.kf_strings import KF_STRINGS
from runtime.wecom import kf_errors
from runtime.wecom.crypto import CryptoError, WeComCrypto
from runtime.wecom.kf import (
    Doorbell,
    KfClient,
    KfCustomer,
    KfError,
    make_msgid,
    read_doorbell,
)
from runtime.wecom.kf_tokens import MARGIN, AccessTokens
from tests.fake_kf import FORBIDDEN_MOVE, INVALID, FakeKf, Served

KFID = "wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q"
OTHER_KFID = "wkAJ2GCAAAOther00000000000000000"
ALICE = "wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw"
BOB = "wmAJ2GCAAAbob00000000000000000000"
TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"  # the callback's, from WeCom's official sample
AES_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"


@pytest.fixture
def kf(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeKf]:
    fake = FakeKf(
        accounts={KFID: "咨询客服", OTHER_KFID: "售后"}, customers={ALICE: "张三", BOB: "李四"}
    )
    with Served(fake.app()) as served:
        monkeypatch.setenv("BOTSTUDIO_WECOM_API", served.url)
        yield fake


@pytest.fixture
def client(kf: FakeKf) -> KfClient:
    return KfClient(kf.corp_id, kf.secret, tokens=AccessTokens())


def reply(client: KfClient, text: str, to: str = ALICE) -> str:
    return client.send_msg(KFID, to, text, msgid=make_msgid("test", to, text))


def refusal(call) -> KfError:
    with pytest.raises(KfError) as caught:
        call()
    return caught.value


# --- access tokens ---------------------------------------------------------------------------


def test_one_token_is_fetched_and_shared_by_every_client_and_thread(kf: FakeKf) -> None:
    tokens = AccessTokens()
    clients = [KfClient(kf.corp_id, kf.secret, tokens=tokens) for _ in range(2)]
    threads = [
        threading.Thread(target=clients[i % 2].service_state_get, args=(KFID, ALICE))
        for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert kf.calls.count("service_state/get") == 8
    assert kf.gettoken_calls == 1 and kf.refused == []


def test_a_token_is_replaced_before_it_expires_without_a_refusal(kf: FakeKf) -> None:
    now = [1_700_000_000.0]
    client = KfClient(kf.corp_id, kf.secret, tokens=AccessTokens(clock=lambda: now[0]))
    client.service_state_get(KFID, ALICE)
    now[0] += 7200 - MARGIN - 1
    client.service_state_get(KFID, ALICE)
    assert kf.gettoken_calls == 1
    now[0] += 2  # within MARGIN of its expiry: replaced before WeCom would refuse it
    client.service_state_get(KFID, ALICE)
    assert kf.gettoken_calls == 2 and kf.refused == []


@pytest.mark.parametrize(
    ("end_it", "errcode"), [("revoke_tokens", 40014), ("expire_tokens", 42001)]
)
def test_a_token_wecom_refuses_is_fetched_again_and_the_call_made_once_more(
    kf: FakeKf, client: KfClient, end_it: str, errcode: int
) -> None:
    kf.customer_says(KFID, ALICE, "在吗")
    reply(client, "在的")
    getattr(kf, end_it)()
    reply(client, "请问有什么可以帮您？")
    assert kf.gettoken_calls == 2
    assert kf.refused == [("send_msg", errcode)]
    assert kf.texts_to(ALICE) == ["在的", "请问有什么可以帮您？"]  # each shown once


def test_a_token_refused_again_after_a_fresh_one_is_an_error_not_a_loop(
    kf: FakeKf, client: KfClient
) -> None:
    kf.fail("account/list", 42001, 42001, 42001)
    error = refusal(client.account_list)
    assert error.errcode == 42001 and kf.calls.count("account/list") == 2
    assert not error.retry_later and "42001" in error.text("en")


def test_a_wrong_secret_or_corp_id_is_named_and_breaks_the_binding(kf: FakeKf) -> None:
    error = refusal(KfClient(kf.corp_id, "not-the-secret", tokens=AccessTokens()).account_list)
    assert (error.errcode, error.broken, error.retry_later) == (40001, True, False)
    assert error.reason == "errcode 40001: invalid credential" and "40001" in error.text("zh")
    error = refusal(KfClient("wwnotmine", kf.secret, tokens=AccessTokens()).account_list)
    assert error.errcode == 40013 and error.broken
    assert error.as_send_result().broken and not error.as_send_result().retry


def test_an_unreachable_wecom_is_retried_later(
    monkeypatch: pytest.MonkeyPatch, client: KfClient
) -> None:
    monkeypatch.setenv("BOTSTUDIO_WECOM_API", "http://127.0.0.1:9")
    error = refusal(client.account_list)
    assert error.errcode is None and error.retry_later
    assert error.reason == "network: ConnectionError"
    assert "ConnectionError" in error.text("zh") and error.as_send_result().retry


# --- messages in -----------------------------------------------------------------------------


def test_pages_are_drained_until_has_more_is_zero_oldest_first(
    kf: FakeKf, client: KfClient
) -> None:
    said = [kf.customer_says(KFID, ALICE, f"第{i}条") for i in range(25)]
    kf.page_cap = 10  # WeCom may return fewer than the limit
    token = kf.ring(KFID)
    pages = list(client.pages(token, open_kfid=KFID))
    assert [len(p.messages) for p in pages] == [10, 10, 5]
    assert [p.has_more for p in pages] == [True, True, False]
    batch = client.drain(token, open_kfid=KFID)
    assert [m.msgid for m in batch.messages] == said and batch.pages == 3
    assert batch.cursor == pages[-1].next_cursor
    # the kept cursor: only what came since
    later = kf.customer_says(KFID, ALICE, "还有一个问题")
    again = client.drain(kf.ring(KFID), batch.cursor, KFID)
    assert [m.msgid for m in again.messages] == [later]


def test_an_empty_page_that_says_has_more_is_followed(kf: FakeKf, client: KfClient) -> None:
    said = kf.customer_says(KFID, ALICE, "你好")
    kf.empty_pages = 2
    batch = client.drain(kf.ring(KFID))
    assert [m.msgid for m in batch.messages] == [said] and batch.pages == 3


def test_a_message_that_comes_twice_is_kept_once_per_drain_and_keeps_its_msgid(
    kf: FakeKf, client: KfClient
) -> None:
    first = kf.customer_says(KFID, ALICE, "订单什么时候到")
    for i in range(3):
        kf.customer_says(KFID, BOB, f"问题{i}")
    kf.repeat(first)  # rung twice: on a later page
    kf.page_cap = 2
    batch = client.drain(kf.ring(KFID))
    assert len(batch.messages) == 4 and batch.duplicates == 1
    assert [m.msgid for m in batch.messages].count(first) == 1
    # across drains the same msgid comes back as it was: the inbox's unique key catches it
    kf.repeat(first)
    assert [m.msgid for m in client.drain(kf.ring(KFID), batch.cursor).messages] == [first]


def test_only_the_account_asked_for_is_read(kf: FakeKf, client: KfClient) -> None:
    mine = kf.customer_says(KFID, ALICE, "售前问题")
    kf.customer_says(OTHER_KFID, BOB, "售后问题")
    token = kf.ring(KFID)
    assert [m.msgid for m in client.drain(token, open_kfid=KFID).messages] == [mine]
    assert len(client.drain(token).messages) == 2  # no open_kfid: every account
    error = refusal(lambda: client.sync_msg(token, open_kfid="wkNotAnAccount"))
    assert error.errcode == 95004 and error.broken


def test_messages_older_than_three_days_are_gone(kf: FakeKf, client: KfClient) -> None:
    kf.now = 1_700_000_000.0
    kf.customer_says(KFID, ALICE, "三天前")
    kf.advance(72 * 3600 + 1)
    fresh = kf.customer_says(KFID, ALICE, "今天")
    assert [m.msgid for m in client.drain(kf.ring(KFID)).messages] == [fresh]


def test_items_are_typed_events_carry_their_customer_inside(kf: FakeKf, client: KfClient) -> None:
    tapped = kf.customer_says(KFID, ALICE, "满意", menu_id="101")
    kf.customer_sends(KFID, ALICE, "image", {"media_id": "MEDIA_1"})
    entered = kf.customer_enters(KFID, BOB, scene="ad42", scene_param="spring")
    kf.customer_recalls(KFID, ALICE, tapped)
    kf.servicer_says(KFID, ALICE, "zhangsan", "我来处理")
    sent = reply(client, "收到")
    kf.send_fails(sent, 10)
    messages = {m.msgid: m for m in client.drain(kf.ring(KFID)).messages}
    assert len(messages) == 6
    text = messages[tapped]
    assert (text.text, text.menu_id, text.origin, text.from_customer) == ("满意", "101", 3, True)
    image = next(m for m in messages.values() if m.msgtype == "image")
    assert image.media_id == "MEDIA_1" and image.text == ""
    enter = messages[entered]
    assert (enter.origin, enter.open_kfid, enter.external_userid) == (4, KFID, BOB)
    assert enter.event is not None and enter.event.event_type == "enter_session"
    assert (enter.event.scene, enter.event.scene_param) == ("ad42", "spring")
    assert enter.event.welcome_code and not enter.from_customer
    events = {m.event.event_type: m.event for m in messages.values() if m.event}
    assert events["user_recall_msg"].recall_msgid == tapped
    assert (events["msg_send_fail"].fail_msgid, events["msg_send_fail"].fail_type) == (sent, 10)
    servicer = next(m for m in messages.values() if m.origin == 5)
    assert servicer.servicer_userid == "zhangsan" and servicer.text == "我来处理"
    assert all(m.msgtype != "text" or m.text != "收到" for m in messages.values())  # ours: never


def test_without_a_doorbell_token_sync_msg_is_throttled(kf: FakeKf, client: KfClient) -> None:
    kf.untokened_per_minute = 3
    for _ in range(3):
        client.sync_msg()
    error = refusal(client.sync_msg)
    assert error.errcode == 45009 and error.retry_later
    assert client.sync_msg(kf.ring()).has_more is False  # with the doorbell's token: fine


def test_a_stale_doorbell_token_is_retried_once_without_it(kf: FakeKf, client: KfClient) -> None:
    kf.now = 1_700_000_000.0
    said = kf.customer_says(KFID, ALICE, "你好")
    token = kf.ring(KFID)
    kf.advance(601)  # a doorbell's token lives 10 minutes
    assert [m.msgid for m in client.sync_msg(token).messages] == [said]
    assert kf.refused == [("sync_msg", 95007)] and kf.calls.count("sync_msg") == 2
    error = refusal(lambda: client.sync_msg(token, cursor="not-a-cursor-of-this-corp"))
    assert error.errcode == INVALID


# --- the doorbell ----------------------------------------------------------------------------


class Receiver:
    """Our side of the callback, built from the runtime's own crypto and doorbell reading."""

    def __init__(self, corp_id: str, failures: int = 0, token: str = TOKEN):
        self.corp_id, self.failures = corp_id, failures
        self.crypto = WeComCrypto(token, AES_KEY, corp_id)
        self.plaintexts: list[str] = []
        self.bells: list[Doorbell | None] = []

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/kf")
        def verify(
            msg_signature: str = "", timestamp: str = "", nonce: str = "", echostr: str = ""
        ) -> Response:
            try:
                return PlainTextResponse(self.crypto.open(msg_signature, timestamp, nonce, echostr))
            except CryptoError:
                return Response(status_code=403)

        @app.post("/kf")
        async def receive(
            request: Request, msg_signature: str = "", timestamp: str = "", nonce: str = ""
        ) -> Response:
            encrypted = parse_xml(await request.body())["Encrypt"]
            plain = self.crypto.open(msg_signature, timestamp, nonce, encrypted)
            self.plaintexts.append(plain)
            if self.failures:
                self.failures -= 1
                return Response(status_code=500)
            self.bells.append(read_doorbell(parse_xml(plain.encode()), self.corp_id))
            return Response(b"")

        return app


def wecom_with_callback(kf: FakeKf, receiver: Receiver, url: str) -> None:
    kf.callback_url, kf.callback_token, kf.callback_aes_key = f"{url}/kf", TOKEN, AES_KEY


def test_a_doorbell_arrives_signed_and_encrypted_and_its_token_unlocks_sync_msg(
    kf: FakeKf, client: KfClient
) -> None:
    receiver = Receiver(kf.corp_id)
    with Served(receiver.app()) as ours:
        wecom_with_callback(kf, receiver, ours.url)
        assert kf.verify_callback()
        said = kf.customer_says(KFID, ALICE, "你好")
        kf.ring(KFID)
        kf.auth_change([OTHER_KFID], [])
    assert kf.deliveries == [[200], [200]]
    bell = receiver.bells[0]
    assert bell is not None and bell.open_kfid == KFID and receiver.bells[1] is None
    assert "你好" not in receiver.plaintexts[0]  # a doorbell, not the message
    assert [m.msgid for m in client.drain(bell.token, open_kfid=bell.open_kfid).messages] == [said]
    assert kf.refused == []


def test_a_doorbell_without_an_http_200_is_rung_three_more_times(kf: FakeKf) -> None:
    patient = Receiver(kf.corp_id, failures=2)
    with Served(patient.app()) as ours:
        wecom_with_callback(kf, patient, ours.url)
        assert kf.verify_callback()
        kf.ring(KFID)
        patient.failures = 10
        kf.ring(KFID)
    assert kf.deliveries == [[500, 500, 200], [500, 500, 500, 500]]
    assert len(set(patient.plaintexts[:3])) == 1  # the same doorbell each time


def test_a_callback_url_that_cannot_decrypt_never_gets_doorbells(kf: FakeKf) -> None:
    impostor = Receiver(kf.corp_id, token="not-the-callback-token")
    with Served(impostor.app()) as ours:
        wecom_with_callback(kf, impostor, ours.url)
        assert not kf.verify_callback()
        with pytest.raises(AssertionError):
            kf.ring(KFID)
    assert impostor.plaintexts == []


def test_a_doorbell_for_another_corp_or_with_a_strange_token_is_refused() -> None:
    bell = {"ToUserName": "wwA", "MsgType": "event", "Event": "kf_msg_or_event", "Token": "ENCx"}
    bell["CreateTime"] = "1700000000"
    assert read_doorbell(bell, "wwA") == Doorbell("ENCx", "", 1700000000)
    for broken in ({"ToUserName": "wwB"}, {"Token": ""}, {"Token": "x" * 129}, {"Token": "令牌"}):
        with pytest.raises(ValueError):
            read_doorbell({**bell, **broken}, "wwA")
    assert read_doorbell({**bell, "Event": "kf_account_auth_change"}, "wwA") is None


# --- messages out ----------------------------------------------------------------------------


def test_the_sixth_reply_since_the_customer_wrote_is_refused_with_95001(
    kf: FakeKf, client: KfClient
) -> None:
    kf.customer_says(KFID, ALICE, "介绍一下产品")
    for i in range(5):
        reply(client, f"第{i + 1}段")
    error = refusal(lambda: reply(client, "第6段"))
    assert (error.errcode, error.stop_customer, error.retry_later) == (95001, True, False)
    assert error.reason == "errcode 95001: send msg count limit"
    assert len(kf.texts_to(ALICE)) == 5
    kf.customer_says(KFID, ALICE, "继续")  # the customer's own message opens five more
    reply(client, "第6段")
    assert kf.texts_to(ALICE)[-1] == "第6段"


def test_no_reply_after_48_hours_or_to_someone_who_never_wrote(
    kf: FakeKf, client: KfClient
) -> None:
    kf.now = 1_700_000_000.0
    kf.customer_says(KFID, ALICE, "你好")
    kf.advance(48 * 3600 + 1)
    error = refusal(lambda: reply(client, "抱歉久等"))
    assert error.errcode == 95002 and error.stop_customer
    assert refusal(lambda: reply(client, "你好", to=BOB)).errcode == 95002
    assert refusal(lambda: reply(client, "你好", to="wmNobody")).errcode == 40096
    assert kf.texts_to(ALICE) == []


def test_a_session_a_human_owns_or_that_ended_gets_no_bot_reply(
    kf: FakeKf, client: KfClient
) -> None:
    kf.customer_says(KFID, ALICE, "转人工")
    assert client.service_state_trans(KFID, ALICE, 3, "zhangsan")
    error = refusal(lambda: reply(client, "机器人插话"))
    assert (error.errcode, error.human_owns, error.stop_customer) == (95018, True, False)
    client.service_state_trans(KFID, ALICE, 4)
    error = refusal(lambda: reply(client, "再见"))
    assert error.errcode == 95013 and error.stop_customer
    kf.customer_says(KFID, ALICE, "我又来了")  # a new session
    reply(client, "欢迎回来")
    assert kf.texts_to(ALICE) == ["欢迎回来"]


def test_a_retry_after_a_lost_answer_is_never_shown_twice(kf: FakeKf) -> None:
    impatient = KfClient(kf.corp_id, kf.secret, tokens=AccessTokens(), timeout=0.5)
    kf.customer_says(KFID, ALICE, "价格多少")
    kf.stall("send_msg", 1.5)  # WeCom takes the message, the answer is lost
    msgid = make_msgid("bot-a", "inbox-17", "0")
    lost = refusal(lambda: impatient.send_msg(KFID, ALICE, "99 元", msgid=msgid))
    assert lost.retry_later and lost.errcode is None
    again = refusal(lambda: impatient.send_msg(KFID, ALICE, "99 元", msgid=msgid))
    assert again.errcode == INVALID and not again.retry_later
    assert kf.texts_to(ALICE) == ["99 元"]
    assert impatient.send_msg(KFID, ALICE, "还有优惠", msgid=make_msgid("bot-a", "inbox-17", "1"))


def test_our_msgid_comes_back_and_bad_ones_never_leave(kf: FakeKf, client: KfClient) -> None:
    kf.customer_says(KFID, ALICE, "hi")
    msgid = make_msgid("bot", "1")
    assert len(msgid) <= 32 and make_msgid("bot", "1") == msgid != make_msgid("bot", "2")
    assert client.send_msg(KFID, ALICE, "hello", msgid=msgid) == msgid
    calls = len(kf.calls)
    for bad in ("", "x" * 33, "has space", "中文"):
        with pytest.raises(ValueError):
            client.send_msg(KFID, ALICE, "hello", msgid=bad)
    with pytest.raises(ValueError):
        client.send_msg(KFID, ALICE, "字" * 683, msgid="long")  # 2049 bytes
    assert len(kf.calls) == calls
    assert client.send_msg(KFID, ALICE, "字" * 682 + "ab", msgid="exact") == "exact"


def test_a_welcome_code_works_once_and_for_20_seconds(kf: FakeKf, client: KfClient) -> None:
    kf.now = 1_700_000_000.0
    kf.customer_enters(KFID, ALICE, scene="ad42")
    kf.customer_enters(KFID, BOB)
    codes = {
        m.external_userid: m.event.welcome_code
        for m in client.drain(kf.ring(KFID)).messages
        if m.event
    }
    client.send_msg_on_event(codes[ALICE], "欢迎咨询", msgid="welcome-alice")
    used = refusal(lambda: client.send_msg_on_event(codes[ALICE], "欢迎咨询", msgid="w-alice-2"))
    assert used.errcode == INVALID and not used.retry_later
    kf.advance(21)
    late = refusal(lambda: client.send_msg_on_event(codes[BOB], "欢迎咨询", msgid="welcome-bob"))
    assert late.errcode == INVALID
    assert kf.texts_to(ALICE) == ["欢迎咨询"] and kf.texts_to(BOB) == []
    # welcomed: entering again gives no code; a welcome is not a reply allowance either
    kf.customer_enters(KFID, ALICE)
    again = [m for m in client.drain(kf.ring(KFID)).messages if m.external_userid == ALICE]
    assert again[-1].event is not None and again[-1].event.welcome_code == ""
    assert refusal(lambda: reply(client, "在吗")).errcode == 95002


def test_no_welcome_code_for_a_customer_who_wrote_within_48_hours(
    kf: FakeKf, client: KfClient
) -> None:
    kf.customer_says(KFID, ALICE, "你好")
    kf.customer_enters(KFID, ALICE)
    entered = [m for m in client.drain(kf.ring(KFID)).messages if m.event]
    assert entered[0].event is not None and entered[0].event.welcome_code == ""


# --- sessions, accounts, links, customers ----------------------------------------------------


def test_session_states_move_as_wecom_allows_and_codes_come_with_the_moves(
    kf: FakeKf, client: KfClient
) -> None:
    assert client.service_state_get(KFID, ALICE).state == 4  # not started
    kf.customer_says(KFID, ALICE, "你好")
    assert client.service_state_get(KFID, ALICE).state == 0
    assert client.service_state_trans(KFID, ALICE, 1) == ""
    queued = client.service_state_trans(KFID, ALICE, 2)
    assert queued and client.service_state_get(KFID, ALICE).state == 2
    assert client.send_msg_on_event(queued, "正在为您转接人工", msgid="queue-1") == "queue-1"
    assert refusal(lambda: client.service_state_trans(KFID, ALICE, 1)).errcode == FORBIDDEN_MOVE
    kf.servicers["lisi"] = 1  # stopped receiving
    assert refusal(lambda: client.service_state_trans(KFID, ALICE, 3, "lisi")).errcode == 95014
    assert client.service_state_trans(KFID, ALICE, 3, "zhangsan")
    state = client.service_state_get(KFID, ALICE)
    assert (state.state, state.servicer_userid) == (3, "zhangsan")
    closing = client.service_state_trans(KFID, ALICE, 4)
    client.send_msg_on_event(closing, "感谢咨询", msgid="bye-1")
    assert refusal(lambda: client.service_state_trans(KFID, ALICE, 1)).errcode == FORBIDDEN_MOVE
    assert kf.texts_to(ALICE) == ["正在为您转接人工", "感谢咨询"]
    with pytest.raises(ValueError):
        client.service_state_trans(KFID, ALICE, 3)  # no servicer named


def test_a_code_for_a_state_the_session_has_left_is_refused(kf: FakeKf, client: KfClient) -> None:
    kf.customer_says(KFID, ALICE, "人工")
    queued = client.service_state_trans(KFID, ALICE, 2)
    client.service_state_trans(KFID, ALICE, 3, "zhangsan")
    assert refusal(lambda: client.send_msg_on_event(queued, "排队中", msgid="q")).errcode
    assert kf.texts_to(ALICE) == []


def test_every_account_is_listed_across_pages(kf: FakeKf, client: KfClient) -> None:
    kf.accounts.update({f"wkMany{i:04d}": f"客服{i}" for i in range(148)})
    accounts = client.account_list()
    assert len(accounts) == 150 and kf.calls.count("account/list") == 2
    assert accounts[0].open_kfid == KFID and accounts[0].name == "咨询客服"
    assert all(a.manage_privilege for a in accounts)


def test_a_contact_link_brings_its_scene_and_param_back_unless_edited(
    kf: FakeKf, client: KfClient
) -> None:
    link = client.add_contact_way(KFID, "spring_ad")
    kf.customer_opens(link + "&scene_param=%E6%98%A5%E5%AD%A3", ALICE)
    kf.customer_opens(link.replace("enc_scene=ENC", "enc_scene=XYZ") + "&scene_param=x", BOB)
    events = [m.event for m in client.drain(kf.ring(KFID)).messages if m.event]
    assert [(e.scene, e.scene_param) for e in events] == [("spring_ad", "春季"), ("", "")]
    with pytest.raises(ValueError):
        client.add_contact_way(KFID, "有空格 的场景")
    assert refusal(lambda: client.add_contact_way("wkNotMine")).errcode == 95004


def test_customers_are_known_by_nickname_only(kf: FakeKf, client: KfClient) -> None:
    kf.customers.update({f"wmMany{i:04d}": f"客户{i}" for i in range(120)})
    asked = [ALICE, "wmNobody", *[f"wmMany{i:04d}" for i in range(120)], ALICE]
    customers = client.customer_batchget(asked)
    assert kf.calls.count("customer/batchget") == 2  # 100 at a time
    assert len(customers) == 121 and customers[0] == KfCustomer(ALICE, "张三")
    assert [f.name for f in fields(KfCustomer)] == ["external_userid", "nickname"]


# --- words -----------------------------------------------------------------------------------


def test_every_errcode_the_client_classifies_has_words_in_both_languages() -> None:
    classified = (
        kf_errors.TOKEN_CODES
        | kf_errors.MSG_TOKEN_CODES
        | kf_errors.RETRY_CODES
        | kf_errors.STOP_CUSTOMER_CODES
        | kf_errors.HUMAN_CODES
        | kf_errors.BROKEN_CODES
        | kf_errors.DROP_CODES
    )
    assert sorted(classified - {int(k.split(".")[-1]) for k in KF_STRINGS}) == []
    for entry in KF_STRINGS.values():
        assert entry["zh"] and entry["en"] and "{code}" in entry["zh"] and "{code}" in entry["en"]


def test_an_error_is_told_in_the_readers_language_with_its_code(
    kf: FakeKf, client: KfClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, entry in KF_STRINGS.items():  # as once runtime/i18n merges kf_strings
        monkeypatch.setitem(STRINGS, key, entry)
    kf.customer_says(KFID, ALICE, "你好")
    kf.fail("send_msg", 95001)
    error = refusal(lambda: reply(client, "回复"))
    assert error.text("zh") == KF_STRINGS["kf.errcode.95001"]["zh"].format(code=95001)
    assert "Five replies" in error.text("en") and "95001" in error.text("en")
    kf.fail("send_msg", 99999)  # a code without words of its own
    assert "99999" in refusal(lambda: reply(client, "回复")).text("zh")


def test_callers_retry_only_what_is_worth_retrying(kf: FakeKf, client: KfClient) -> None:
    kf.customer_says(KFID, ALICE, "你好")
    for code, retry in ((-1, True), (45033, True), (95018, False), (40096, False), (95017, False)):
        kf.fail("send_msg", code)
        error = refusal(lambda: reply(client, "回复"))
        assert (error.errcode, error.retry_later) == (code, retry)
    assert kf.calls.count("send_msg") == 5  # the client itself repeats none of them
