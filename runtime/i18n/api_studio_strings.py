"""设置 → API 密钥: the studio's keys section."""

API_STUDIO_STRINGS: dict[str, dict[str, str]] = {
    "apikeys.title": {"zh": "API 密钥", "en": "API keys"},
    "apikeys.help": {
        "zh": "其他系统（官网、CRM、小程序后台）用 OpenAI 兼容接口 /v1/chat/completions 调用机器人时要带密钥。密钥只在创建时显示一次，请立即复制保存；不用了就撤销。",
        "en": "Other systems (a website, a CRM, a mini program's backend) call bots through the OpenAI-compatible /v1/chat/completions with a key. A key is shown once, when made: copy it at once; revoke it when no longer used.",
    },
    "apikeys.col.name": {"zh": "名称", "en": "Name"},
    "apikeys.col.bots": {"zh": "可用的机器人", "en": "Bots"},
    "apikeys.col.rate": {"zh": "调用频率上限", "en": "Rate limit"},
    "apikeys.col.created": {"zh": "创建时间", "en": "Created"},
    "apikeys.name": {
        "zh": "密钥名称（小写字母、数字、- 或 _）",
        "en": "Key name (a-z, 0-9, - or _)",
    },
    "apikeys.bots": {"zh": "限定机器人", "en": "Only these bots"},
    "apikeys.bots_info": {"zh": "不选 = 全部机器人", "en": "None picked = every bot"},
    "apikeys.rate": {"zh": "频率上限", "en": "Rate limit"},
    "apikeys.rate_info": {
        "zh": "例如 60/minute（每分钟 60 次）；留空 = 不限",
        "en": "e.g. 60/minute; empty = no limit",
    },
    "apikeys.rate_placeholder": {"zh": "例如“60/minute”", "en": "e.g. 60/minute"},
    "apikeys.create": {"zh": "创建密钥", "en": "Create key"},
    "apikeys.pick": {"zh": "选择密钥", "en": "Key"},
    "apikeys.revoke": {"zh": "撤销", "en": "Revoke"},
    "apikeys.all_bots": {"zh": "全部", "en": "All"},
    "apikeys.no_rate": {"zh": "不限", "en": "None"},
    "apikeys.created": {"zh": "已创建密钥 {name}：", "en": "Key {name} created:"},
    "apikeys.shown_once": {
        "zh": "这是唯一一次显示完整密钥，请现在复制保存。",
        "en": "This is the only time the full key is shown: copy it now.",
    },
    "apikeys.pick_first": {"zh": "请先选择要撤销的密钥", "en": "Pick the key to revoke first"},
    "apikeys.revoked": {
        "zh": "已撤销密钥 {name}，用它的调用会被拒绝",
        "en": "Key {name} revoked: calls with it are refused",
    },
}
