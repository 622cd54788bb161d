"""Labels and messages of the studio's 企业微信 tab."""

WECOM_STRINGS: dict[str, dict[str, str]] = {
    # --- wecom ---------------------------------------------------------------
    "tab.wecom": {"zh": "🔗 企业微信", "en": "🔗 WeCom"},
    "wecom.intro": {
        "zh": "把当前机器人接入企业微信。没有公网地址的电脑请用**长连接**（推荐）；群机器人 webhook 只能推送消息，不能接收。密钥只保存在本机数据目录，不会写进 bots/。",
        "en": "Connect the current bot to WeCom. Without a public address, use the **long connection** (recommended); a group webhook can only push, not receive. Keys stay in the local data folder, never in bots/.",
    },
    "wecom.recommended": {"zh": "推荐", "en": "recommended"},
    "wecom.mode.longconn": {"zh": "智能机器人长连接", "en": "AI bot long connection"},
    "wecom.mode.webhook": {"zh": "群机器人 webhook", "en": "Group webhook"},
    "wecom.mode.alert_webhook": {"zh": "线索提醒 webhook", "en": "Alert webhook"},
    "wecom.mode.aibot": {"zh": "智能机器人回调", "en": "AI bot callback"},
    "wecom.mode.app": {"zh": "自建应用回调", "en": "Self-built app callback"},
    "wecom.mode.kf": {"zh": "微信客服", "en": "WeChat customer service (微信客服)"},
    "wecom.col.mode": {"zh": "方式", "en": "Mode"},
    "wecom.col.key": {"zh": "凭据", "en": "Credential"},
    "wecom.col.state": {"zh": "状态", "en": "State"},
    "wecom.col.success": {"zh": "最近成功", "en": "Last success"},
    "wecom.col.error": {"zh": "最近错误", "en": "Last error"},
    "wecom.state.unbound": {"zh": "未绑定", "en": "not bound"},
    "wecom.state.ok": {"zh": "✅ 正常", "en": "✅ working"},
    "wecom.state.error": {
        "zh": "⚠️ 最近一次失败（会自动重试）",
        "en": "⚠️ last attempt failed (retrying)",
    },
    "wecom.state.broken": {
        "zh": "❌ 凭据无效，请重新绑定",
        "en": "❌ invalid credentials: bind again",
    },
    "wecom.state.waiting": {"zh": "已绑定，尚未使用", "en": "bound, not used yet"},
    "wecom.longconn_help": {
        "zh": "在企业微信管理后台创建“智能机器人”，选择“长连接”方式，把 Bot ID 和 Secret 填到这里。无需公网地址，断线会自动重连。",
        "en": "Create an AI bot in WeCom's admin console with the long connection mode and paste its Bot ID and Secret. No public address needed; it reconnects by itself.",
    },
    "wecom.webhook_help": {
        "zh": "在群里添加“群机器人”，复制它的 webhook 地址粘贴到这里（整段地址或其中的 key 都可以）。",
        "en": "Add a group robot to a group chat and paste its webhook URL (or just its key).",
    },
    "wecom.webhook_url": {"zh": "webhook 地址或 key", "en": "Webhook URL or key"},
    "wecom.as_alert": {"zh": "用作线索提醒", "en": "Use for lead alerts"},
    "wecom.callback_help": {
        "zh": "回调方式需要企业微信能访问到这台电脑（公网地址或内网穿透）。回调地址见上方。",
        "en": "Callbacks need WeCom to reach this machine (a public address or a tunnel). The callback URLs are shown above.",
    },
    "wecom.urls": {
        "zh": "**回调地址**（把 {local} 换成你的公网地址）：智能机器人 `{local}/wecom/aibot/{bot}` · 自建应用 `{local}/wecom/app/{bot}`",
        "en": "**Callback URLs** (replace {local} with your public address): AI bot `{local}/wecom/aibot/{bot}` · app `{local}/wecom/app/{bot}`",
    },
    "wecom.bind": {"zh": "绑定", "en": "Bind"},
    "wecom.bound": {"zh": "已绑定：{mode}", "en": "Bound: {mode}"},
    "wecom.unbind_which": {"zh": "解除哪种绑定", "en": "Which binding to remove"},
    "wecom.unbind": {"zh": "解除绑定", "en": "Unbind"},
    "wecom.test": {"zh": "发送测试消息", "en": "Send a test message"},
    "wecom.test_text": {
        "zh": "这是来自 BotStudio 的测试消息 ✅",
        "en": "A test message from BotStudio ✅",
    },
    "wecom.test_sent": {"zh": "测试消息已送达企业微信", "en": "The test message reached WeCom"},
    "wecom.test_queued": {
        "zh": "测试消息已排队，稍后会自动重试",
        "en": "The test message is queued and will be retried",
    },
    "wecom.invalid.longconn": {
        "zh": "请填写 Bot ID 和 Secret",
        "en": "Fill in the Bot ID and Secret",
    },
    "wecom.invalid.webhook": {
        "zh": "webhook 地址无效：请粘贴完整地址或其中的 key",
        "en": "Invalid webhook: paste the whole URL or its key",
    },
    "wecom.invalid.alert_webhook": {
        "zh": "webhook 地址无效：请粘贴完整地址或其中的 key",
        "en": "Invalid webhook: paste the whole URL or its key",
    },
    "wecom.invalid.aibot": {
        "zh": "请填写 Token 和 43 位的 EncodingAESKey",
        "en": "Fill in the Token and the 43-character EncodingAESKey",
    },
    "wecom.invalid.app": {
        "zh": "请填写全部五项，EncodingAESKey 为 43 位",
        "en": "Fill in all five; the EncodingAESKey has 43 characters",
    },
}
