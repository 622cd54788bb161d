"""Words of the 微信客服 settings of a bot (handover to a person, the text-only reply),
of handovers as they happen, and of where customers came from (sources)."""

KF_HANDOVER_STRINGS: dict[str, dict[str, str]] = {
    # --- the settings, in the edit form and in messages about the bot file ---------------
    "edit.section.kf": {"zh": "微信客服", "en": "微信客服 (WeChat customers)"},
    "field.kf": {"zh": "微信客服", "en": "微信客服"},
    "field.kf.handover_words": {"zh": "转人工的说法", "en": "Words that ask for a person"},
    "field.kf.handover_to": {"zh": "转给谁", "en": "Hand over to"},
    "field.kf.servicer": {"zh": "接待人员账号", "en": "Servicer's WeCom account"},
    "field.kf.handover_on_conversion": {
        "zh": "客户转化后自动转人工",
        "en": "Hand over once a lead converts",
    },
    "field.kf.handover_reply": {"zh": "转人工时的回复", "en": "Reply when handing over"},
    "field.kf.text_only_reply": {
        "zh": "收到图片、语音等时的回复",
        "en": "Reply to pictures, voice and files",
    },
    "edit.handover_words": {"zh": "转人工的说法", "en": "Words that ask for a person"},
    "edit.handover_words_help": {
        "zh": "客户说出其中任何一个（如“转人工”），机器人就把会话交给人工；用逗号分隔",
        "en": "A customer saying any of these hands the chat to a person; comma separated",
    },
    "edit.handover_to": {"zh": "转给谁", "en": "Hand over to"},
    "edit.handover_to.queue": {"zh": "排队等待人工接入", "en": "The waiting queue"},
    "edit.handover_to.servicer": {"zh": "指定的接待人员", "en": "One servicer"},
    "edit.servicer": {"zh": "接待人员账号", "en": "Servicer's WeCom account"},
    "edit.servicer_help": {
        "zh": "企业微信里接待人员的账号（userid），选“指定的接待人员”时必填",
        "en": "The servicer's WeCom userid; needed for 'One servicer'",
    },
    "edit.handover_on_conversion": {
        "zh": "客户转化后自动转人工",
        "en": "Hand over once a lead converts",
    },
    "edit.handover_reply": {"zh": "转人工时的回复", "en": "Reply when handing over"},
    "edit.handover_reply_help": {
        "zh": "留空则说：好的，正在为您转接人工客服，请稍候。",
        "en": "Blank: the standard words",
    },
    "edit.text_only_reply": {
        "zh": "收到图片、语音等时的回复",
        "en": "Reply to pictures, voice and files",
    },
    "edit.text_only_reply_help": {
        "zh": "留空则说：目前我只能看懂文字消息哦。",
        "en": "Blank: the standard words",
    },
    "spec.servicer_required": {
        "zh": "“转给谁（kf.handover_to）”选了“指定的接待人员”，必须填写接待人员账号（kf.servicer）",
        "en": "handing over to one servicer needs the servicer's account (kf.servicer)",
    },
    # --- handovers as they happen --------------------------------------------------------
    "kf.handover_reply": {
        "zh": "好的，正在为您转接人工客服，请稍候。",
        "en": "Sure, connecting you with a person now. One moment please.",
    },
    "kf.handover_alert": {
        "zh": "🙋 {bot}：微信客服客户 {customer} 需要人工接待（{why}）",
        "en": "🙋 {bot}: 微信客服 customer {customer} needs a person ({why})",
    },
    "kf.handover_why.words": {
        "zh": "客户要求转人工：“{text}”",
        "en": "the customer asked: “{text}”",
    },
    "kf.handover_why.rule": {"zh": "客户已转化", "en": "the lead converted"},
    "kf.handover_why.studio": {"zh": "工作台里点了转人工", "en": "handed over from the studio"},
    "kf.handover_lead": {"zh": "线索：{fields}", "en": "Lead: {fields}"},
    "kf.handover_failed": {
        "zh": "转人工没有成功（{why}），机器人继续接待这位客户",
        "en": "The handover failed ({why}); the bot goes on answering this customer",
    },
    "kf.session.0": {"zh": "新会话", "en": "New"},
    "kf.session.1": {"zh": "机器人接待中", "en": "The bot"},
    "kf.session.2": {"zh": "排队等人工", "en": "Queued for a person"},
    "kf.session.3": {"zh": "人工接待中（{servicer}）", "en": "A person ({servicer})"},
    "kf.session.4": {"zh": "已结束", "en": "Ended"},
    "leads.handover": {"zh": "🙋 转人工", "en": "🙋 Hand over to a person"},
    "leads.handover.handed": {
        "zh": "已把 {user} 转给人工：客户会收到转接提示，之后机器人不再回复，直到人工结束会话",
        "en": "{user} handed to a person: the bot stays silent until the person ends the chat",
    },
    "leads.handover.already": {
        "zh": "{user} 已经在人工接待或排队中",
        "en": "{user} is already with a person or queued for one",
    },
    "leads.handover.not_kf": {
        "zh": "只有通过微信客服来的客户可以转人工：{user} 不是，或这个机器人还没有绑定微信客服",
        "en": "Only 微信客服 customers can be handed over: {user} is not one, or the bot has no 微信客服 binding",
    },
    "leads.nickname": {"zh": "{name}（{user}）", "en": "{name} ({user})"},
    # --- where customers came from -------------------------------------------------------
    "source.none": {"zh": "（未知来源）", "en": "(unknown)"},
    "overview.sources": {"zh": "按来源", "en": "By source"},
    "overview.col.source": {"zh": "来源", "en": "Source"},
    "overview.col.people": {"zh": "来访客户", "en": "Customers"},
    "overview.col.leads": {"zh": "留下线索", "en": "Leads"},
    "overview.col.converted": {"zh": "已转化", "en": "Converted"},
    "overview.col.rate": {"zh": "转化率", "en": "Conversion rate"},
    "overview.no_sources": {
        "zh": "还没有带来源的客户：在“企业微信”页为每个推广渠道生成微信客服链接",
        "en": "No customers with a source yet: make a 微信客服 link per campaign in WeCom",
    },
}
