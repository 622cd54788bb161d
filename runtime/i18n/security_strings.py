"""Messages of the server's protections: sign-in limits, sign-out, hosts, origins and
size limits. Seen by a browser user or a script, so plain and specific."""

SECURITY_STRINGS: dict[str, dict[str, str]] = {
    "login.too_many": {
        "zh": "密码错误次数过多，请 {seconds} 秒后再试",
        "en": "Too many wrong passwords; try again in {seconds} seconds",
    },
    "auth.required": {
        "zh": "需要工作台密码",
        "en": "The studio password is required",
    },
    "app.sign_out": {"zh": "退出登录", "en": "Sign out"},
    "guard.bad_host": {
        "zh": "拒绝访问：地址“{host}”不是本服务的地址。若要通过这个域名访问，"
        "请在启动时加上 --allowed-host {host}",
        "en": "Refused: “{host}” is not an address of this server. To use this name, "
        "start BotStudio with --allowed-host {host}",
    },
    "guard.no_host": {
        "zh": "拒绝访问：请求没有 Host 头",
        "en": "Refused: the request has no Host header",
    },
    "guard.bad_origin": {
        "zh": "拒绝访问：来自其他网站（{origin}）的请求不能操作工作台",
        "en": "Refused: a request from another site ({origin}) cannot use the studio",
    },
    "limit.body": {
        "zh": "请求内容太大：上限 {limit}",
        "en": "The request is too large: the limit is {limit}",
    },
    "limit.file": {
        "zh": "文件“{file}”太大：上限 {limit}，未保存",
        "en": "The file “{file}” is too large: the limit is {limit}; nothing was saved",
    },
    "limit.upload_label": {
        "zh": "模型文件最大 {models}，其他文件最大 {other}",
        "en": "Model files up to {models}, other files up to {other}",
    },
}
