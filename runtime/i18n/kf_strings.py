"""What WeCom's 微信客服 (kf) answers mean, in words: one message per errcode that
runtime/wecom/kf_errors.py names. `{code}` is the errcode, `{detail}` WeCom's errmsg."""

KF_STRINGS: dict[str, dict[str, str]] = {
    # --- 微信客服 errcodes -----------------------------------------------------------------
    "kf.errcode.-1": {
        "zh": "企业微信系统繁忙，稍后会自动重试（错误码 {code}）",
        "en": "WeCom is busy; it will be retried shortly (error {code})",
    },
    "kf.errcode.40001": {
        "zh": "微信客服的密钥（Secret）不对：请在绑定里填写自建应用的 Secret（错误码 {code}）",
        "en": "The 微信客服 Secret is wrong: bind it with the self-built app's Secret (error {code})",
    },
    "kf.errcode.40013": {
        "zh": "企业 ID（CorpID）不对，请检查绑定（错误码 {code}）",
        "en": "The Corp ID (CorpID) is wrong; check the binding (error {code})",
    },
    "kf.errcode.40014": {
        "zh": "访问令牌（access_token）已失效，已重新获取仍不行（错误码 {code}）",
        "en": "The access token (access_token) is no longer valid, even after fetching a new one (error {code})",
    },
    "kf.errcode.42001": {
        "zh": "访问令牌（access_token）已过期，已重新获取仍不行（错误码 {code}）",
        "en": "The access token (access_token) expired, even after fetching a new one (error {code})",
    },
    "kf.errcode.41001": {
        "zh": "请求里缺少访问令牌（access_token）（错误码 {code}）",
        "en": "The request carried no access token (access_token) (error {code})",
    },
    "kf.errcode.40007": {
        "zh": "图片或文件已过期或无效，需要重新上传（错误码 {code}）",
        "en": "The picture or file is invalid or expired and must be uploaded again (error {code})",
    },
    "kf.errcode.40096": {
        "zh": "找不到这位微信客户（external_userid 无效），消息已放弃（错误码 {code}）",
        "en": "This WeChat customer does not exist (invalid external_userid); the message was dropped (error {code})",
    },
    "kf.errcode.45009": {
        "zh": "调用微信客服接口太频繁，稍后自动重试（错误码 {code}）",
        "en": "Too many calls to the 微信客服 API; retrying later (error {code})",
    },
    "kf.errcode.45033": {
        "zh": "同时调用微信客服接口的请求太多，稍后自动重试（错误码 {code}）",
        "en": "Too many simultaneous calls to the 微信客服 API; retrying later (error {code})",
    },
    "kf.errcode.48002": {
        "zh": "这个自建应用没有调用微信客服接口的权限：请在 微信客服 → API 里把它设为“可调用接口的应用”（错误码 {code}）",
        "en": "This self-built app may not call the 微信客服 API: list it under 微信客服 → API as an app that may call it (error {code})",
    },
    "kf.errcode.95017": {
        "zh": "微信客服的 API 开关是关闭的，请在管理后台打开（错误码 {code}）",
        "en": "The 微信客服 API switch is off; turn it on in the admin console (error {code})",
    },
    "kf.errcode.60020": {
        "zh": "这台电脑的公网 IP 不在应用的“企业可信IP”里，请在管理后台添加（错误码 {code}）",
        "en": "This machine's public IP is not among the app's trusted IPs; add it in the admin console (error {code})",
    },
    "kf.errcode.95000": {
        "zh": "客服账号 ID（open_kfid）不对，请检查绑定（错误码 {code}）",
        "en": "The kf account ID (open_kfid) is invalid; check the binding (error {code})",
    },
    "kf.errcode.95004": {
        "zh": "客服账号不存在或已删除，请检查绑定（错误码 {code}）",
        "en": "The kf account does not exist or was deleted; check the binding (error {code})",
    },
    "kf.errcode.95001": {
        "zh": "客户上次发言后已回复满 5 条，要等客户再发消息才能继续回复（错误码 {code}）",
        "en": "Five replies have been sent since the customer last wrote; wait until they write again (error {code})",
    },
    "kf.errcode.95002": {
        "zh": "客户上次发言已超过 48 小时，不能再主动回复，要等客户再发消息（错误码 {code}）",
        "en": "More than 48 hours have passed since the customer last wrote; wait until they write again (error {code})",
    },
    "kf.errcode.95013": {
        "zh": "这次会话已经结束，要等客户再发消息（错误码 {code}）",
        "en": "This conversation has ended; wait until the customer writes again (error {code})",
    },
    "kf.errcode.95007": {
        "zh": "消息通知里的令牌（Token）已失效，会不带令牌重新拉取（错误码 {code}）",
        "en": "The token from WeCom's notice is no longer valid; messages are fetched again without it (error {code})",
    },
    "kf.errcode.95011": {
        "zh": "这个客服账号已在企业微信里由人工接待，请先在管理后台改为由 API 接待（错误码 {code}）",
        "en": "This kf account is served inside WeCom; hand it to the API in the admin console first (error {code})",
    },
    "kf.errcode.95012": {
        "zh": "企业微信里没有启用微信客服（错误码 {code}）",
        "en": "微信客服 is not in use in this WeCom organisation (error {code})",
    },
    "kf.errcode.95014": {
        "zh": "这位接待人员不在接待中或未激活，不能转给他（错误码 {code}）",
        "en": "That servicer is not receiving or not activated; the chat cannot be handed to them (error {code})",
    },
    "kf.errcode.95018": {
        "zh": "这次会话正由人工接待或在排队，机器人不再回复（错误码 {code}）",
        "en": "A person owns this conversation (queued or being served); the bot does not reply (error {code})",
    },
}
