"""Lead field validation: the formats people really type, and nothing invalid accepted."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from runtime.leads import fields as f

NOW = datetime(2026, 11, 18, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Wednesday


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "86-13812345678",
        "+8613812345678",
        "００８６１３８１２３４５６７８",
        "１３８１２３４５６７８",
        "(138)1234-5678",
    ],
)
def test_phone_formats_normalise(typed: str) -> None:
    assert f.phone_cn(typed) == "13812345678"


@pytest.mark.parametrize(
    "typed",
    ["1381234567", "12345678901", "010-62345678", "23812345678", "138123456789", "", "phone"],
)
def test_invalid_phones_are_refused(typed: str) -> None:
    assert f.phone_cn(typed) is None


@pytest.mark.parametrize(
    ("message", "found"),
    [
        ("我的手机是138 1234 5678，谢谢", "13812345678"),
        ("call me at +86-139-8765-4321", "13987654321"),
        ("订单号 202611181381234567890，手机 15900001111", "15900001111"),
        ("订单号 202611181381234567890", None),
        ("座机 010-62345678", None),
        ("号码12345678901", None),
        ("我电话是13812345678吗？不对，是13812345679", "13812345679"),
    ],
)
def test_phone_found_in_a_message(message: str, found: str | None) -> None:
    assert f.find_phone(message) == found


def test_email_and_wechat() -> None:
    assert f.email("Li.Lei@Example.COM") == "Li.Lei@example.com"
    assert f.email("li@lei") is None
    assert f.find_email("邮箱：wang_wu@corp.cn 谢谢") == "wang_wu@corp.cn"
    assert f.wechat_id("wxid_abc123") == "wxid_abc123"
    assert f.wechat_id("1abcdef") is None and f.wechat_id("abc") is None
    assert f.find_wechat_id("我微信号是 lilei_88，加我") == "lilei_88"
    assert f.find_wechat_id("vx: Zhang-San2024") == "Zhang-San2024"
    assert f.find_wechat_id("hello world everyone") is None  # no cue, no id


def test_numbers_and_choices() -> None:
    assert f.number("大约 1,200 人") == 1200
    assert f.number("3.5") == 3.5
    assert f.number("很多") is None
    options = ["IM SDK", "智能客服", "音视频"]
    assert f.choice("im sdk", options) == "IM SDK"
    assert f.choice("我们想要智能客服", options) == "智能客服"
    assert f.choice("直播", options) is None


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("明天", date(2026, 11, 19)),
        ("后天下午", date(2026, 11, 20)),
        ("下周二", date(2026, 11, 24)),
        ("周一", date(2026, 11, 23)),
        ("这周五", date(2026, 11, 20)),
        ("3月5日", date(2027, 3, 5)),
        ("12月1号", date(2026, 12, 1)),
        ("2026-12-24", date(2026, 12, 24)),
        ("随便", None),
    ],
)
def test_dates_resolve_against_the_message_time(text: str, day: date | None) -> None:
    assert f.find_date(text, NOW) == day


def test_datetimes() -> None:
    assert f.find_datetime("明天下午3点", NOW) == datetime(2026, 11, 19, 15, 0, tzinfo=NOW.tzinfo)
    assert f.find_datetime("下周二上午10点半", NOW) == datetime(
        2026, 11, 24, 10, 30, tzinfo=NOW.tzinfo
    )
    assert f.find_time("晚上八点") == time(20, 0)
    assert f.find_time("14:45") == time(14, 45)
    assert f.find_datetime("没空", NOW) is None
