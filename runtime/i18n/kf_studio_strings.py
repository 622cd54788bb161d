"""Words of the 微信客服 (kf) binding form and campaign links: the studio's 🔗 企业微信 tab
(studio/tabs/kf_bind.py, kf_links.py), runtime/wecom/kf_links.py and `kf-link` on the
command line. WeCom's errcodes have their words in kf_strings.py."""

KF_STUDIO_STRINGS: dict[str, dict[str, str]] = {
    # --- binding a bot to a 微信客服 account ------------------------------------------------
    "kfs.help": {
        "zh": "让微信里的客户通过“微信客服”和机器人聊天。需要一个企业微信**自建应用**：在管理后台 → 微信客服 → API 里把它设为“可调用接口的应用”，并把客服账号分配给它；在这个应用的“接收消息”里填上方的微信客服回调地址，以及这里的令牌和消息加密密钥。需要企业微信能访问到这台电脑（公网地址或内网穿透）。",
        "en": "Let customers on WeChat chat with the bot through 微信客服 (WeChat customer service). You need a WeCom **self-built app**: in the admin console → 微信客服 → API, list it as an app that may call the API and assign the kf account to it; under the app's “Receive messages”, enter the 微信客服 callback URL shown above, and the token and encryption key given here. WeCom must be able to reach this machine (a public address or a tunnel).",
    },
    "kfs.label.secret": {"zh": "应用密钥（Secret）", "en": "App secret (Secret)"},
    "kfs.label.account": {"zh": "客服账号（open_kfid）", "en": "kf account (open_kfid)"},
    "kfs.account_info": {
        "zh": "点“读取客服账号”列出这个应用能用的客服账号，或直接填写 open_kfid",
        "en": "Click “Read kf accounts” to list the accounts this app may use, or type an open_kfid",
    },
    "kfs.account_choice": {"zh": "{name}（{open_kfid}）", "en": "{name} ({open_kfid})"},
    "kfs.account_no_privilege": {
        "zh": "{name}（{open_kfid}）· 这个应用不能接待",
        "en": "{name} ({open_kfid}) · this app may not serve it",
    },
    "kfs.unnamed": {"zh": "未命名", "en": "unnamed"},
    "kfs.fetch": {"zh": "读取客服账号", "en": "Read kf accounts"},
    "kfs.fetched": {
        "zh": "读到 {n} 个客服账号，请在“客服账号”里选择",
        "en": "Found {n} kf account(s); pick one under “kf account”",
    },
    "kfs.fetched_none": {
        "zh": "这个应用还没有能用的客服账号：请在管理后台 → 微信客服 → API 里把客服账号分配给它",
        "en": "This app has no kf account yet: assign one to it in the admin console → 微信客服 → API",
    },
    "kfs.need_corp_secret": {
        "zh": "请先填写企业 ID 和应用密钥",
        "en": "Fill in the Corp ID and the app secret first",
    },
    "kfs.missing": {"zh": "请填写：{fields}", "en": "Please fill in: {fields}"},
    "kfs.bad_aes_key": {
        "zh": "消息加密密钥（EncodingAESKey）不对：应是企业微信后台给出的 43 位字母和数字",
        "en": "The encryption key (EncodingAESKey) is wrong: it is the 43 letters and digits WeCom's admin console gives",
    },
    "kfs.refused": {"zh": "没有保存：{why}", "en": "Not saved: {why}"},
    "kfs.fetch_failed": {
        "zh": "没有读到客服账号：{why}",
        "en": "Could not read the kf accounts: {why}",
    },
    "kfs.account_not_found": {
        "zh": "这个应用的客服账号里没有“{account}”：请点“读取客服账号”重新选择",
        "en": "“{account}” is not among this app's kf accounts: click “Read kf accounts” and pick again",
    },
    "kfs.bound": {
        "zh": "已绑定微信客服账号“{name}”。请把回调地址 {url} 填到自建应用的“接收消息”里（地址开头换成你的公网地址）",
        "en": "Bound to the 微信客服 account “{name}”. Enter the callback URL {url} under the app's “Receive messages” (with your public address at its start)",
    },
    "kfs.url": {
        "zh": "微信客服 `{local}/wecom/kf/{bot}`",
        "en": "微信客服 `{local}/wecom/kf/{bot}`",
    },
    # --- contact links per campaign ----------------------------------------------------------
    "kfs.links_title": {"zh": "微信客服 · 活动二维码", "en": "微信客服 · campaign QR codes"},
    "kfs.links_help": {
        "zh": "为每个推广活动生成一个客服链接和二维码，印在海报上或发到朋友圈。客户扫码进入会话时，企业微信会带上这个活动的渠道标识（scene），用来区分客户是从哪个活动来的。",
        "en": "Make a customer-service link and QR code for each campaign, for a poster or a Moments post. When a customer scans it, WeCom passes the campaign's channel key (scene) along, telling which campaign they came from.",
    },
    "kfs.label.campaign": {"zh": "活动名称", "en": "Campaign name"},
    "kfs.label.scene": {"zh": "渠道标识（scene）", "en": "Channel key (scene)"},
    "kfs.scene_placeholder": {"zh": "可以不填，自动生成", "en": "optional: made for you"},
    "kfs.scene_info": {
        "zh": "最多 32 个英文字母、数字、下划线或减号",
        "en": "At most 32 letters, digits, underscores or hyphens",
    },
    "kfs.create": {"zh": "生成链接和二维码", "en": "Make the link and QR code"},
    "kfs.created": {
        "zh": "已生成“{label}”的客服链接（渠道标识 {scene}）",
        "en": "Made the link for “{label}” (channel key {scene})",
    },
    "kfs.kept": {
        "zh": "渠道标识 {scene} 已经有链接（活动“{label}”），显示的是原来那个，没有新建",
        "en": "Channel key {scene} already has a link (campaign “{label}”); that one is shown, none was made",
    },
    "kfs.link_failed": {"zh": "没有生成链接：{why}", "en": "No link made: {why}"},
    "kfs.col.label": {"zh": "活动名称（渠道标识）", "en": "Campaign (channel key)"},
    "kfs.col.url": {"zh": "客服链接", "en": "Link"},
    "kfs.col.created": {"zh": "生成时间", "en": "Made at"},
    "kfs.pick": {"zh": "查看哪个活动的二维码", "en": "Which campaign's QR code to show"},
    "kfs.delete": {"zh": "删除这个链接", "en": "Delete this link"},
    "kfs.deleted": {
        "zh": "已删除“{label}”的记录。已经发出去的链接和二维码仍然可以打开客服会话",
        "en": "Removed “{label}” from this list. Links and QR codes already handed out still open the chat",
    },
    "kfs.no_link": {"zh": "请先选择一个活动", "en": "Pick a campaign first"},
    "kfs.qr_alt": {"zh": "“{label}”的二维码", "en": "QR code for “{label}”"},
    "kfs.qr_link": {"zh": "客服链接：{url}", "en": "Link: {url}"},
    "kfs.download": {"zh": "下载二维码图片", "en": "Download the QR code picture"},
    "kfs.unbound": {
        "zh": "这个机器人还没有绑定微信客服：请先在上面绑定，再生成活动二维码",
        "en": "This bot is not bound to 微信客服 yet: bind it above, then make campaign QR codes",
    },
    "kfs.label_missing": {
        "zh": "请填写活动名称（或渠道标识）",
        "en": "Fill in a campaign name (or a channel key)",
    },
    "kfs.label_long": {
        "zh": "活动名称太长：最多 {n} 个字",
        "en": "The campaign name is too long: at most {n} characters",
    },
    "kfs.scene_bad": {
        "zh": "渠道标识“{scene}”不能用：只能是最多 32 个英文字母、数字、下划线 _ 或减号 -",
        "en": "The channel key “{scene}” cannot be used: at most 32 letters, digits, underscores _ or hyphens -",
    },
    # --- `kf-link` on the command line ---------------------------------------------------
    "kflink.unbound": {
        "zh": "机器人 {bot} 还没有绑定微信客服，请先运行 bind {bot} --kf-corp-id … --kf-open-kfid …",
        "en": "bot {bot} has no 微信客服 binding; run bind {bot} --kf-corp-id … --kf-open-kfid … first",
    },
    "kflink.qr_written": {"zh": "二维码已保存：{path}", "en": "QR code written: {path}"},
    "kflink.qr_failed": {
        "zh": "二维码没能保存到 {path}：{detail}",
        "en": "could not write the QR code to {path}: {detail}",
    },
}
