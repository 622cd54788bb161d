"""WXBizMsgCrypt against WeCom's official known-answer vectors (shared/wecom/PROTOCOL.md §2)."""

from __future__ import annotations

import pytest

from runtime.wecom.crypto import CryptoError, WeComCrypto, signature

TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
AES_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
CORP_ID = "ww1436e0e65a779aee"
ECHOSTR = "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA=="
XML_ENCRYPT = (
    "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGz"
    "BhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3J"
    "WcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQH"
    "E7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYu"
    "PDGOCI8jmnKiypE+"
)
XML_PLAIN = (
    "<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName>"
    "<CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content>"
    "<MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>"
)


@pytest.fixture
def crypto() -> WeComCrypto:
    return WeComCrypto(TOKEN, AES_KEY, CORP_ID)


def test_url_verification_vector(crypto: WeComCrypto) -> None:
    plain = crypto.open(
        "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "1476416373", "47744683", ECHOSTR
    )
    assert plain == "1288432023552776189"


def test_message_vector_decrypts(crypto: WeComCrypto) -> None:
    plain = crypto.open(
        "0c3914025cb4b4d68103f6bfc8db550f79dcf48e", "1476422779", "1597212914", XML_ENCRYPT
    )
    assert plain == XML_PLAIN


def test_reencrypting_with_the_vector_prefix_reproduces_the_ciphertext(crypto: WeComCrypto) -> None:
    prefix = b"694ce5a83ae07fe3"  # the 16 random bytes, as ASCII, in WeCom's sample
    assert crypto.encrypt(XML_PLAIN, prefix) == XML_ENCRYPT


def test_a_forged_signature_is_rejected_before_decrypting(crypto: WeComCrypto) -> None:
    with pytest.raises(CryptoError, match="bad signature"):
        crypto.open("0" * 40, "1476422779", "1597212914", XML_ENCRYPT)


def test_a_wrong_receive_id_is_rejected() -> None:
    other = WeComCrypto(TOKEN, AES_KEY, "ww_someone_else")
    with pytest.raises(CryptoError, match="wrong receive id"):
        other.decrypt(XML_ENCRYPT)


def test_garbage_ciphertext_is_a_clear_error(crypto: WeComCrypto) -> None:
    for bad in ("not base64!!", "AAAA", "QUJDREVGR0hJSktMTU5PUA=="):
        with pytest.raises(CryptoError):
            crypto.decrypt(bad)


def test_round_trip_with_an_empty_receive_id_and_32_byte_padding() -> None:
    aibot = WeComCrypto(TOKEN, AES_KEY, "")
    for text in ("", "x" * 12, "你好" * 100, '{"msgid":"1"}'):
        assert aibot.decrypt(aibot.encrypt(text)) == text
    sealed = aibot.seal('{"msgtype":"stream"}', "1641002400", "nonce1")
    expected = signature(TOKEN, "1641002400", "nonce1", sealed["encrypt"])
    assert sealed["msgsignature"] == expected


def test_a_bad_encoding_aes_key_is_refused() -> None:
    with pytest.raises(CryptoError):
        WeComCrypto(TOKEN, "short", "")
