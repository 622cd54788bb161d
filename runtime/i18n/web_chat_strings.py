"""Words of the public web chat page (runtime/channels/web_chat.py): what its visitors read,
in the bot's language, the alert a handover sends the team, and the studio's section that
switches the page on and hands out its link, QR code and website embed."""

WEB_CHAT_STRINGS: dict[str, dict[str, str]] = {
    # --- the page, as a customer reads it ------------------------------------------------
    "webchat.not_found_title": {"zh": "页面不存在", "en": "Page not found"},
    "webchat.not_found": {
        "zh": "这个聊天页面不存在，或已经关闭。",
        "en": "This chat page does not exist or has been closed.",
    },
    "webchat.placeholder": {"zh": "输入您想咨询的问题…", "en": "Type your question…"},
    "webchat.send": {"zh": "发送", "en": "Send"},
    "webchat.typing": {"zh": "正在输入…", "en": "Typing…"},
    "webchat.handover": {"zh": "转人工 / 留下联系方式", "en": "Talk to a person / leave a contact"},
    "webchat.handover_title": {"zh": "留下联系方式", "en": "Leave your contact"},
    "webchat.handover_help": {
        "zh": "留下手机号或微信号，顾问会尽快联系您。",
        "en": "Leave a phone number or WeChat ID and an adviser will get back to you soon.",
    },
    "webchat.contact": {"zh": "手机号或微信号", "en": "Phone or WeChat ID"},
    "webchat.note": {"zh": "想咨询什么（选填）", "en": "What is it about (optional)"},
    "webchat.submit": {"zh": "提交", "en": "Submit"},
    "webchat.cancel": {"zh": "取消", "en": "Cancel"},
    "webchat.handover_done": {
        "zh": "已收到，顾问会尽快与您联系。",
        "en": "Thank you: an adviser will contact you soon.",
    },
    "webchat.note_turn": {
        "zh": "🙋 转人工 / 留下联系方式：{said}",
        "en": "🙋 Asked for a person / left a contact: {said}",
    },
    "webchat.handover_empty": {
        "zh": "请留下联系方式或想咨询的内容。",
        "en": "Please leave a contact or a few words about what you need.",
    },
    "webchat.empty": {"zh": "请输入内容。", "en": "Please type a message."},
    "webchat.too_long": {
        "zh": "消息太长了，请控制在 {n} 字以内。",
        "en": "That message is too long: at most {n} characters, please.",
    },
    "webchat.too_many": {
        "zh": "发送太频繁了，请稍等一会儿再试。",
        "en": "Too many messages at once: please wait a moment and try again.",
    },
    "webchat.no_cookie": {
        "zh": "请刷新页面后再试（需要允许浏览器保存 Cookie）。",
        "en": "Please reload the page and try again (cookies must be allowed).",
    },
    "webchat.bad_request": {
        "zh": "消息格式不对，请刷新页面后再试。",
        "en": "The message could not be read: please reload the page and try again.",
    },
    "webchat.failed": {
        "zh": "网络不太好，消息没有发出去，请稍后再试。",
        "en": "The connection failed and the message was not sent: please try again.",
    },
    "webchat.unavailable": {
        "zh": "暂时无法回答，请稍后再试或留下联系方式。",
        "en": "No answer right now: please try again later or leave your contact.",
    },
    "webchat.embed_button": {"zh": "在线咨询", "en": "Chat with us"},
    # --- the team's alert ----------------------------------------------------------------
    "webchat.alert": {
        "zh": "🙋 **{bot}** 网页聊天的客户 {customer} 请求人工 / 留下了联系方式",
        "en": "🙋 A web chat customer {customer} of **{bot}** asks for a person",
    },
    "webchat.alert_contact": {"zh": "联系方式", "en": "Contact"},
    "webchat.alert_note": {"zh": "留言", "en": "Note"},
    # --- the studio's section --------------------------------------------------------------
    "webchat.studio_title": {"zh": "🌐 网页聊天链接", "en": "🌐 Web chat link"},
    "webchat.studio_help": {
        "zh": "打开后，客户用手机或电脑浏览器打开链接就能和机器人聊天（无需企业微信），"
        "同样会记录线索、统计数据。链接可以放进落地页、公众号菜单、海报二维码，"
        "也可以把一行代码嵌入官网，网页右下角会出现“在线咨询”按钮。",
        "en": "Once on, customers chat with the bot from any browser, phone or computer, "
        "no WeCom needed; leads and statistics are kept as in WeCom. Put the link on a "
        "landing page, a menu or a poster's QR code, or paste one line into your website "
        "for a floating “Chat with us” button.",
    },
    "webchat.enabled": {"zh": "开启网页聊天", "en": "Web chat page on"},
    "webchat.title_label": {"zh": "页面标题", "en": "Page title"},
    "webchat.title_placeholder": {"zh": "留空则用机器人的名字", "en": "Empty: the bot's name"},
    "webchat.color_label": {"zh": "主题颜色", "en": "Colour"},
    "webchat.save": {"zh": "保存", "en": "Save"},
    "webchat.saved_on": {
        "zh": "已开启网页聊天，客户现在可以打开下面的链接。",
        "en": "The web chat page is on: customers can open the link below.",
    },
    "webchat.saved_off": {
        "zh": "已关闭网页聊天，链接现在打不开了。",
        "en": "The web chat page is off: its link no longer opens.",
    },
    "webchat.save_failed": {"zh": "没有保存：{why}", "en": "Not saved: {why}"},
    "webchat.bad_color": {
        "zh": "颜色要写成 #RRGGBB，如 #2563eb",
        "en": "a colour is written #RRGGBB, e.g. #2563eb",
    },
    "webchat.bad_title": {"zh": "标题最多 {n} 个字", "en": "a title is at most {n} characters"},
    "webchat.off_note": {
        "zh": "网页聊天还没有开启：勾选“开启网页聊天”并保存后，链接才能打开。",
        "en": "The web chat page is off: tick “Web chat page on” and save before handing out the link.",
    },
    "webchat.link": {
        "zh": "**聊天链接**（把 {local} 换成你的公网地址）：`{url}`",
        "en": "**Chat link** (replace {local} with your public address): `{url}`",
    },
    "webchat.campaign": {"zh": "活动代号（选填）", "en": "Campaign key (optional)"},
    "webchat.campaign_info": {
        "zh": "如 spring、poster_1：从这个链接来的客户，线索里的“来源”就是它",
        "en": "e.g. spring, poster_1: customers who come through this link have it as their source",
    },
    "webchat.make": {"zh": "生成链接和二维码", "en": "Make the link and QR code"},
    "webchat.bad_campaign": {
        "zh": "活动代号只能用字母、数字、- 和 _，最多 32 个字符（如 spring）",
        "en": "a campaign key is letters, digits, - and _, at most 32 (e.g. spring)",
    },
    "webchat.made": {"zh": "链接和二维码已生成", "en": "Link and QR code ready"},
    "webchat.qr_alt": {"zh": "网页聊天二维码", "en": "Web chat QR code"},
    "webchat.download": {"zh": "下载二维码图片", "en": "Download the QR code"},
    "webchat.embed": {"zh": "嵌入官网的代码", "en": "Code for your website"},
    "webchat.embed_info": {
        "zh": "把这一行放进网页的 </body> 前面，右下角会出现“在线咨询”按钮，点开是聊天页面",
        "en": "Paste this line before </body>: a “Chat with us” button opens the chat page",
    },
    "webchat.campaign_placeholder": {"zh": "例如“spring”", "en": "e.g. spring"},
}
