"""What the 微信客服 (kf) channel says about its own work: messages held back or not sent,
drains that failed, and WeCom's reasons for not delivering (`msg_send_fail`'s fail_type).
The errcodes' words are in kf_strings.py."""

KF_CHANNEL_STRINGS: dict[str, dict[str, str]] = {
    # --- the 微信客服 channel ----------------------------------------------------------------
    "outbox.interrupted": {
        "zh": "上次发送到一半时程序停止了，已重新发送",
        "en": "Sending was interrupted by a stop; sent again",
    },
    "kf.unbound": {
        "zh": "这个机器人没有绑定微信客服，消息没有发出",
        "en": "This bot has no 微信客服 binding; the message was not sent",
    },
    "kf.held_back": {
        "zh": "没有发出：这位客户上次的回复已被企业微信拒绝（{why}），要等客户再发消息",
        "en": "Not sent: WeCom refused the last reply to this customer ({why}); waiting until they write again",
    },
    "kf.not_sent": {
        "zh": "微信客服消息没有发出：{why}",
        "en": "微信客服 message not sent: {why}",
    },
    "kf.sync_failed": {
        "zh": "从微信客服拉取消息失败：{why}",
        "en": "Fetching messages from 微信客服 failed: {why}",
    },
    "kf.unknown_account": {
        "zh": "收到客服账号 {account} 的消息通知，但没有机器人绑定这个账号",
        "en": "A notice came for kf account {account}, but no bot is bound to it",
    },
    "kf.welcome_late": {
        "zh": "客户进入会话已超过 20 秒，欢迎语不能再发",
        "en": "The customer entered more than 20 seconds ago; the greeting can no longer be sent",
    },
    "kf.fail_type.4": {
        "zh": "企业微信没有送达：会话已超过 48 小时",
        "en": "WeCom did not deliver it: the session is older than 48 hours",
    },
    "kf.fail_type.5": {
        "zh": "企业微信没有送达：会话已结束",
        "en": "WeCom did not deliver it: the session was closed",
    },
    "kf.fail_type.6": {
        "zh": "企业微信没有送达：客户上次发言后已回复满 5 条",
        "en": "WeCom did not deliver it: five replies were already sent since the customer last wrote",
    },
    "kf.fail_type.10": {
        "zh": "企业微信没有送达：客户拒收了消息",
        "en": "WeCom did not deliver it: the customer refuses messages",
    },
    "kf.fail_type.other": {
        "zh": "企业微信没有送达（失败类型 {fail_type}）",
        "en": "WeCom did not deliver it (failure type {fail_type})",
    },
}
