"""Words for the channels customers come in by, in reports (📊 概览, 🧪 实验, `report`)."""

from __future__ import annotations

CHANNEL_STRINGS: dict[str, dict[str, str]] = {
    "channel.wecom": {"zh": "企业微信", "en": "WeCom"},
    "channel.kf": {"zh": "微信客服", "en": "WeChat customer service"},
    "channel.web": {"zh": "网页聊天链接", "en": "Web chat link"},
    "channel.api": {"zh": "API 接口", "en": "API"},
    "overview.channels": {"zh": "按渠道", "en": "By channel"},
    "overview.channels_help": {
        "zh": "客户按第一次发消息的渠道计算；“回复”是机器人在这个渠道发出的回答",
        "en": "Customers count under the channel they first wrote on; replies are the bot's"
        " answers on it",
    },
    "overview.col.channel": {"zh": "渠道", "en": "Channel"},
    "overview.col.replies": {"zh": "回复", "en": "Replies"},
    "overview.no_channels": {
        "zh": "还没有客户发来消息",
        "en": "No customer has written yet",
    },
    "exp.who": {"zh": "看哪些客户", "en": "Customers shown"},
    "exp.who_help": {
        "zh": "只看从某个渠道（企业微信、网页聊天链接、API）或某个推广来源来的客户；"
        "客户按第一次来的渠道和来源计算",
        "en": "Only the customers of one channel (WeCom, the web chat link, the API) or one"
        " campaign, by the first they came by",
    },
    "who.all": {"zh": "全部客户", "en": "All customers"},
    "who.channel": {"zh": "渠道：{name}", "en": "Channel: {name}"},
    "who.source": {"zh": "推广来源：{name}", "en": "Campaign: {name}"},
    "cli.report.channel": {
        "zh": "只看从“{name}”来的客户",
        "en": "Only the customers who came by {name}",
    },
    "cli.report.source": {
        "zh": "只看推广来源“{name}”的客户",
        "en": "Only the customers of the campaign {name}",
    },
    "cli.report.bad_channel": {
        "zh": "没有这个渠道：{value}（可选 {choices}）",
        "en": "No such channel: {value} (choose from {choices})",
    },
}
