"""Labelled customer messages for bench/leads.py: (message, expected values by field key).

Written from real patterns: phone numbers in the formats people type, emails and
WeChat ids with and without cues, company names, product interest, meeting
times, and decoys (order numbers, landlines, ten-digit numbers, QQ numbers).
"""

from __future__ import annotations

NUMBERS = [
    "13812345678",
    "13987654321",
    "15900001111",
    "18612349876",
    "17788889999",
    "13300002222",
    "19912345670",
    "14755556666",
    "16623456789",
    "15012340000",
]


def phone_formats(n: str) -> list[str]:
    full = "".join(chr(ord(c) + 0xFEE0) for c in n)
    return [
        n,
        f"{n[:3]} {n[3:7]} {n[7:]}",
        f"{n[:3]}-{n[3:7]}-{n[7:]}",
        f"+86 {n}",
        f"86-{n}",
        full,
        f"+86 {n[:3]} {n[3:7]} {n[7:]}",
    ]


PHONE_SENTENCES = [
    "我的手机是{p}",
    "电话：{p}，随时联系",
    "call me at {p}",
    "my cell is {p} thanks",
    "{p} 这是我号码",
    "你好，手机号{p}，请尽快报价",
    "Phone: {p}",
    "可以打{p}找我",
    "WhatsApp不用，直接打 {p}",
    "联系方式 {p}（工作日）",
]

DECOYS = [
    ("我的订单号是 2026111813812345678，查一下物流", {}),
    ("订单 20261118001，金额 13812 元", {}),
    ("座机 010-62345678", {}),
    ("电话 021-5555 6666 转 123", {}),
    ("号码是 1381234567", {}),
    ("12345678901 是我随便写的", {}),
    ("我QQ是 123456789", {}),
    ("invoice no. 138123456789", {}),
    ("发票号 19912345670123", {}),
    ("我们公司成立于2013年，有180名员工", {}),
    ("价格13800元一年吗", {}),
    ("身份证号 110101199003071234 不方便给", {}),
    ("tracking 1Z999AA10123456784", {}),
    ("call 911", {}),
    ("房间 1380 号", {}),
]

EMAILS = [
    "li.lei@example.com",
    "wang_wu@corp.cn",
    "ZhangSan@Company.COM",
    "sales-01@blueim.io",
    "hr@shop.com.cn",
    "chen.jia.shun@163.com",
    "tom+news@gmail.com",
    "ops@a-b.org",
]
EMAIL_SENTENCES = ["邮箱：{e}", "email me at {e}", "发到 {e} 就行", "我的邮件地址是{e}，谢谢"]
EMAIL_DECOYS = [
    ("li at example dot com", {}),
    ("关注我 @lilei", {}),
    ("user@localhost", {}),
    ("mail me: wang@", {}),
]

WECHATS = ["lilei_88", "Zhang-San2024", "wxid_abc123", "momo_shop", "Kevin1990", "sales_blue"]
WECHAT_SENTENCES = [
    "我微信号是 {w}",
    "加我微信：{w}",
    "vx: {w}",
    "WeChat ID {w}",
    "wx {w} 备注BotStudio",
]
WECHAT_DECOYS = [
    ("我用微信", {}),
    ("微信 12345", {}),
    ("hello world everyone", {}),
    ("加个好友吧", {}),
    ("微信号 ab", {}),
]

COMPANIES = [
    ("我们是蓝莺科技", "蓝莺科技"),
    ("我在杭州云帆网络工作", "杭州云帆网络"),
    ("I work at Acme Ltd", "Acme Ltd"),
    ("公司叫星河传媒", "星河传媒"),
    ("We are Northwind Traders", "Northwind Traders"),
    ("我是华为的采购", "华为"),
    ("来自上海小象教育", "上海小象教育"),
    ("my company is Globex", "Globex"),
    ("我们公司：青木咖啡", "青木咖啡"),
    ("从深圳大疆来的", "深圳大疆"),
    ("Initech here, looking for an SDK", "Initech"),
    ("美团这边想了解一下", "美团"),
]
NO_COMPANY = [
    "你们支持哪些平台？",
    "价格多少",
    "thanks!",
    "能发个资料吗",
    "明天再聊",
    "what's the latency?",
    "好的，了解了",
    "你们有私有化部署吗",
]

PRODUCTS = [
    ("想了解一下 IM SDK", "IM SDK"),
    ("我们需要智能客服", "智能客服"),
    ("音视频通话怎么收费", "音视频"),
    ("interested in the im sdk", "IM SDK"),
    ("主要看音视频", "音视频"),
    ("客服机器人，智能客服那个", "智能客服"),
]
NO_PRODUCT = ["你好", "有人吗", "我再想想", "ok"]

MEETINGS = [
    ("明天下午3点可以", "2026-11-19T15:00"),
    ("下周二上午10点半方便", "2026-11-24T10:30"),
    ("3月5日下午两点", "2027-03-05T14:00"),
    ("后天晚上8点", "2026-11-20T20:00"),
    ("周五 14:00", "2026-11-20T14:00"),
    ("2026-12-01 09:30 开会", "2026-12-01T09:30"),
]
NO_MEETING = ["最近都没空", "以后再说", "不用开会"]


MIXED = [
    (
        "公司是蓝莺科技，手机 138-1234-5678，想看 IM SDK",
        {"company": "蓝莺科技", "phone": "13812345678", "product": "IM SDK"},
    ),
    (
        "hi, Acme Ltd here, reach me at li.lei@example.com",
        {"company": "Acme Ltd", "email": "li.lei@example.com"},
    ),
    ("手机号码 1３8１２３４５６７８ 微信 lilei_88", {"phone": "13812345678", "wechat": "lilei_88"}),
    ("订单号 202611181381234567890，我的手机 15900001111", {"phone": "15900001111"}),
    ("明天下午3点打我电话 13987654321", {"phone": "13987654321", "meeting": "2026-11-19T15:00"}),
    ("我电话是13812345678吗？不对，是13812345679", {"phone": "13812345679"}),
    ("手机：138 1234 567", {}),
    ("phone +1 415 555 0100", {}),
    ("我们想要音视频，邮箱 hr@shop.com.cn", {"product": "音视频", "email": "hr@shop.com.cn"}),
    (
        "星河传媒的，下周二上午10点半来公司聊",
        {"company": "星河传媒", "meeting": "2026-11-24T10:30"},
    ),
]


def labelled() -> list[tuple[str, dict[str, str]]]:
    data: list[tuple[str, dict[str, str]]] = []
    for i, number in enumerate(NUMBERS):
        for j, typed in enumerate(phone_formats(number)):
            sentence = PHONE_SENTENCES[(i + j) % len(PHONE_SENTENCES)]
            data.append((sentence.format(p=typed), {"phone": number}))
    data += DECOYS
    for mail in EMAILS:
        for sentence in EMAIL_SENTENCES:
            data.append(
                (
                    sentence.format(e=mail),
                    {"email": mail[: mail.index("@")] + mail[mail.index("@") :].lower()},
                )
            )
    data += EMAIL_DECOYS
    for wid in WECHATS:
        for sentence in WECHAT_SENTENCES:
            data.append((sentence.format(w=wid), {"wechat": wid}))
    data += WECHAT_DECOYS
    data += [(m, {"company": c}) for m, c in COMPANIES] + [(m, {}) for m in NO_COMPANY]
    data += [(m, {"product": p}) for m, p in PRODUCTS] + [(m, {}) for m in NO_PRODUCT]
    data += [(m, {"meeting": t}) for m, t in MEETINGS] + [(m, {}) for m in NO_MEETING]
    data += MIXED
    return data
