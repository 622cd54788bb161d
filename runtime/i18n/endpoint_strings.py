"""Models served elsewhere (OpenAI-compatible endpoints): errors, the terminal's
`endpoints` command, /healthz and the studio's part of the 🧠 模型 tab."""

ENDPOINT_STRINGS: dict[str, dict[str, str]] = {
    # --- a bot's model.endpoint / model.name ----------------------------------
    "field.model.endpoint": {"zh": "模型端点", "en": "Model endpoint"},
    "field.model.name": {"zh": "端点上的模型名", "en": "Model on the endpoint"},
    "spec.file_and_endpoint": {
        "zh": "“model.file” 和 “model.endpoint” 只能写一个：本机模型文件，或者远程端点",
        "en": "write either 'model.file' or 'model.endpoint', not both: a local model file or a remote endpoint",
    },
    "spec.name_needs_endpoint": {
        "zh": "“{field}” 只能和 “model.endpoint”（模型端点）一起用",
        "en": "'{field}' only goes with 'model.endpoint' (a model endpoint)",
    },
    "spec.bad_endpoint_name": {
        "zh": "端点名 “{value}” 无效：只能用小写字母、数字、- 和 _（用 python launch.py endpoints list 查看已有的端点）",
        "en": "endpoint name '{value}' is invalid: lowercase letters, digits, - and _ only (see python launch.py endpoints list)",
    },
    # --- what went wrong, in plain words ----------------------------------------
    "endpoint.err.unknown": {
        "zh": "没有名为 “{name}” 的模型端点。请在 🧠 模型 页添加，或运行 python launch.py endpoints add {name} --base-url 地址",
        "en": "there is no model endpoint named '{name}'. Add it in the 🧠 Models tab, or run python launch.py endpoints add {name} --base-url URL",
    },
    "endpoint.err.auth": {
        "zh": "端点 {name} 的 API Key 不对或已失效（HTTP {status}）。请到服务商控制台复制正确的密钥，在 🧠 模型 页重新保存这个端点",
        "en": "the API key of endpoint {name} is wrong or no longer valid (HTTP {status}). Copy the right key from the provider's console and save the endpoint again in the 🧠 Models tab",
    },
    "endpoint.err.quota": {
        "zh": "端点 {name} 的额度用完了，或请求太频繁被限流（HTTP 429）。请到服务商控制台查看余额和限额；{url} 会先歇一会儿再用",
        "en": "endpoint {name} is out of quota or rate-limited (HTTP 429). Check the balance and limits in the provider's console; {url} rests a while before it is used again",
    },
    "endpoint.err.model": {
        "zh": "端点 {name} 上找不到模型 “{model}”（HTTP 404）。请检查模型名（端点的默认模型，或机器人的 model.name），以及地址 {url} 是否正确",
        "en": "endpoint {name} has no model '{model}' (HTTP 404). Check the model name (the endpoint's default, or the bot's model.name) and that {url} is right",
    },
    "endpoint.err.down": {
        "zh": "连不上端点 {name} 的地址 {url}：服务没有启动、地址写错了，或网络不通",
        "en": "cannot reach {url} of endpoint {name}: the server is not running, the address is wrong, or the network is down",
    },
    "endpoint.err.timeout": {
        "zh": "端点 {name} 的地址 {url} 超过 {seconds} 秒没有回应：服务器太忙或网络太慢",
        "en": "{url} of endpoint {name} gave no answer for {seconds} seconds: the server is too busy or the network too slow",
    },
    "endpoint.err.server": {
        "zh": "端点 {name} 的服务器 {url} 出错了（HTTP {status}）：{detail}",
        "en": "the server at {url} of endpoint {name} failed (HTTP {status}): {detail}",
    },
    "endpoint.err.bad_request": {
        "zh": "端点 {name} 不接受这个请求（HTTP {status}）：{detail}",
        "en": "endpoint {name} refused the request (HTTP {status}): {detail}",
    },
    "endpoint.err.no_model": {
        "zh": "端点 {name} 没有设置模型名，服务器也没有列出模型。请给端点填默认模型，或在机器人里写 model.name",
        "en": "endpoint {name} has no model set and its server lists none. Give the endpoint a default model, or set the bot's model.name",
    },
    "endpoint.err.no_url": {
        "zh": "端点 {name} 没有可用的地址",
        "en": "endpoint {name} has no base URL",
    },
    "endpoint.err.all_urls": {
        "zh": "{message}（{n} 个地址都试过了）",
        "en": "{message} ({n} addresses tried)",
    },
    "endpoint.no_remote": {
        "zh": "这里不能使用远程端点（没有数据目录）",
        "en": "remote endpoints are not available here (no data folder)",
    },
    # --- adding one ----------------------------------------------------------------
    "endpoint.bad_name": {
        "zh": "端点名 “{value}” 无效：只能用小写字母、数字、- 和 _，最多 40 个字符",
        "en": "endpoint name '{value}' is invalid: lowercase letters, digits, - and _, at most 40",
    },
    "endpoint.bad_url": {
        "zh": "地址 “{value}” 无效：应以 http:// 或 https:// 开头，例如 https://api.deepseek.com/v1",
        "en": "'{value}' is not a valid address: it starts with http:// or https://, e.g. https://api.deepseek.com/v1",
    },
    "endpoint.url_with_secret": {
        "zh": "地址 {value} 里带了用户名、密码或参数：密钥请填在 API Key 里（那里会被隐藏保存），地址只写到 /v1 这样的路径",
        "en": "the address {value} carries a user, password or query: put the key in the API key (kept hidden) and the address only up to a path such as /v1",
    },
    "endpoint.no_url": {
        "zh": "至少需要一个地址（--base-url）",
        "en": "at least one base URL is needed (--base-url)",
    },
    "endpoint.bad_kind": {
        "zh": "服务器类型 “{value}” 无效，可选：{known}",
        "en": "server kind '{value}' is invalid; one of: {known}",
    },
    "endpoint.bad_key": {
        "zh": "API Key 里不能有空格或换行",
        "en": "the API key must not contain spaces or line breaks",
    },
    "endpoint.bad_model": {"zh": "模型名 “{value}” 无效", "en": "model name '{value}' is invalid"},
    "endpoint.bad_timeout": {
        "zh": "超时 “{value}” 无效：1 到 3600 秒",
        "en": "timeout '{value}' is invalid: 1 to 3600 seconds",
    },
    "endpoint.unknown_preset": {
        "zh": "没有预设 “{value}”，可选：{known}",
        "en": "no preset '{value}'; one of: {known}",
    },
    "endpoint.saved": {
        "zh": "已保存端点 {name}：{urls} · 模型 {model} · 类型 {kind} · API Key {key}",
        "en": "saved endpoint {name}: {urls} · model {model} · kind {kind} · API key {key}",
    },
    "endpoint.updated": {
        "zh": "已更新端点 {name}：{urls} · 模型 {model} · 类型 {kind} · API Key {key}",
        "en": "updated endpoint {name}: {urls} · model {model} · kind {kind} · API key {key}",
    },
    "endpoint.use_hint": {
        "zh": "在机器人的 YAML 里写 model: {{endpoint: {name}}} 即可使用；先用 python launch.py endpoints test {name} 试一下",
        "en": "a bot uses it with model: {{endpoint: {name}}}; try it first with python launch.py endpoints test {name}",
    },
    "endpoint.removed": {"zh": "已删除端点 {name}", "en": "removed endpoint {name}"},
    "endpoint.not_found": {
        "zh": "没有名为 “{name}” 的端点（已有：{known}）",
        "en": "no endpoint named '{name}' (known: {known})",
    },
    "endpoint.still_used": {
        "zh": "注意：这些机器人还在用它，回复会失败直到改用别的模型：{bots}",
        "en": "note: these bots still use it and cannot answer until they use another model: {bots}",
    },
    "endpoint.none": {
        "zh": "还没有模型端点。添加一个：python launch.py endpoints add NAME --preset deepseek --api-key 密钥（预设见 endpoints presets）",
        "en": "no model endpoints yet. Add one: python launch.py endpoints add NAME --preset deepseek --api-key KEY (presets: endpoints presets)",
    },
    "endpoint.key_prompt": {
        "zh": "API Key（输入时不显示）：",
        "en": "API key (not shown as you type): ",
    },
    "endpoint.no_key": {"zh": "无", "en": "none"},
    "endpoint.server_model": {"zh": "（服务器自己的）", "en": "(the server's own)"},
    "endpoint.test_ok": {
        "zh": "✔ {url}：{seconds} 秒开始回答（模型 {model}）：{reply}",
        "en": "✔ {url}: answered in {seconds} s (model {model}): {reply}",
    },
    "endpoint.test_bad": {"zh": "✖ {url}：{error}", "en": "✖ {url}: {error}"},
    "endpoint.test_summary": {
        "zh": "{ok}/{n} 个地址可用",
        "en": "{ok} of {n} addresses work",
    },
    # --- list and presets columns (terminal and studio) ------------------------------
    "endpoint.col.name": {"zh": "名称", "en": "Name"},
    "endpoint.col.kind": {"zh": "类型", "en": "Kind"},
    "endpoint.col.model": {"zh": "默认模型", "en": "Default model"},
    "endpoint.col.key": {"zh": "访问密钥（API Key）", "en": "API key"},
    "endpoint.col.urls": {"zh": "地址", "en": "Base URLs"},
    "endpoint.col.url": {"zh": "地址", "en": "Base URL"},
    "endpoint.col.state": {"zh": "状态", "en": "State"},
    "endpoint.col.in_flight": {"zh": "进行中", "en": "In flight"},
    "endpoint.col.requests": {"zh": "请求数", "en": "Requests"},
    "endpoint.col.error": {"zh": "最近错误", "en": "Last error"},
    "endpoint.col.preset": {"zh": "预设", "en": "Preset"},
    "endpoint.col.provider": {"zh": "服务", "en": "Service"},
    "endpoint.state.ok": {"zh": "✅ 正常", "en": "✅ working"},
    "endpoint.state.unused": {"zh": "尚未使用", "en": "not used yet"},
    "endpoint.state.error": {"zh": "⚠️ 最近一次失败", "en": "⚠️ last request failed"},
    "endpoint.state.resting": {
        "zh": "⏸ 暂停使用 {seconds} 秒后重试",
        "en": "⏸ resting, retried in {seconds} s",
    },
    "status.endpoints": {"zh": "模型端点", "en": "Model endpoints"},
    "status.endpoint_line": {
        "zh": "{name} {url}：{state}，进行中 {in_flight}，最近错误：{error}",
        "en": "{name} {url}: {state}, {in_flight} in flight, last error: {error}",
    },
    "health.endpoint_resting": {
        "zh": "模型端点 {name} 的地址 {url} 暂时不可用：{error}",
        "en": "model endpoint {name}: {url} is unavailable for now: {error}",
    },
    # --- studio ------------------------------------------------------------------
    "endpoints.title": {
        "zh": "🌐 远程模型端点（OpenAI 兼容接口）",
        "en": "🌐 Remote model endpoints (OpenAI-compatible)",
    },
    "endpoints.intro": {
        "zh": "用别处提供的模型：DeepSeek、通义千问、智谱、Kimi、豆包、硅基流动等服务商的 OpenAI 兼容接口，或自己部署的 llama-server、vLLM、Ollama。选一个预设，填上 API Key 保存，然后在机器人里选用这个端点（YAML 里写 `model: {endpoint: 名称}`）。密钥只保存在本机数据目录，不会写进 bots/，也不会出现在日志或导出里。同一个端点可以填多个地址：请求会分给最空闲的那个，某个地址出问题时自动换下一个。",
        "en": "Use a model served elsewhere: the OpenAI-compatible APIs of DeepSeek, Qwen, Zhipu, Kimi, Doubao, SiliconFlow and others, or your own llama-server, vLLM or Ollama. Pick a preset, type the API key, save, then choose the endpoint for a bot (`model: {endpoint: NAME}` in its YAML). Keys stay in the local data folder: never in bots/, logs or exports. One endpoint may have several addresses: each request goes to the least busy one, and a failing one is passed over.",
    },
    "endpoints.preset": {"zh": "预设", "en": "Preset"},
    "endpoints.custom": {"zh": "其他 OpenAI 兼容服务", "en": "Another OpenAI-compatible service"},
    "endpoints.name": {"zh": "端点名称", "en": "Endpoint name"},
    "endpoints.name_help": {
        "zh": "小写字母、数字、- 和 _，机器人用它来引用",
        "en": "lowercase letters, digits, - and _; bots refer to it by this",
    },
    "endpoints.urls": {"zh": "地址（每行一个）", "en": "Base URLs (one per line)"},
    "endpoints.key": {"zh": "访问密钥（API Key）", "en": "API key"},
    "endpoints.key_help": {
        "zh": "自建服务可以留空；修改已有端点时留空表示保留原来的密钥",
        "en": "may be empty for your own server; left empty when editing, the old key is kept",
    },
    "endpoints.model": {"zh": "默认模型", "en": "Default model"},
    "endpoints.model_help": {
        "zh": "机器人可以用 model.name 换成别的；自建服务留空则用服务器自己的模型",
        "en": "a bot may use another with model.name; empty = the server's own (self-hosted)",
    },
    "endpoints.kind": {"zh": "服务器类型", "en": "Server kind"},
    "endpoints.kind.openai": {
        "zh": "OpenAI 兼容服务（各服务商）",
        "en": "OpenAI-compatible (providers)",
    },
    "endpoints.kind.llama-server": {
        "zh": "llama.cpp（llama-server）",
        "en": "llama.cpp (llama-server)",
    },
    "endpoints.kind.vllm": {"zh": "vLLM", "en": "vLLM"},
    "endpoints.kind.ollama": {"zh": "Ollama", "en": "Ollama"},
    "endpoints.save": {"zh": "保存端点", "en": "Save endpoint"},
    "endpoints.pick": {"zh": "端点", "en": "Endpoint"},
    "endpoints.test": {"zh": "测试连接", "en": "Test connection"},
    "endpoints.remove": {"zh": "删除端点", "en": "Remove endpoint"},
    "endpoints.health_title": {"zh": "各地址状态", "en": "Each address"},
    "endpoints.use_title": {"zh": "让机器人使用这个端点", "en": "Have bots use this endpoint"},
    "endpoints.use_bots": {"zh": "机器人", "en": "Bots"},
    "endpoints.use": {"zh": "改用这个端点", "en": "Switch to this endpoint"},
    "endpoints.switched": {
        "zh": "已让 {bots} 使用端点 {name}",
        "en": "{bots} now use endpoint {name}",
    },
    "endpoints.switch_failed": {"zh": "{bot} 没有改：{detail}", "en": "{bot} unchanged: {detail}"},
    "endpoints.pick_first": {
        "zh": "请先选择或填写一个端点",
        "en": "Pick or name an endpoint first",
    },
    "endpoints.testing": {"zh": "正在测试……", "en": "Testing…"},
}
