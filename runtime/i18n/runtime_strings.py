"""Messages of the runtime and the command line: spec errors, engine, server."""

RUNTIME_STRINGS: dict[str, dict[str, str]] = {
    # --- reading a bot file -------------------------------------------------
    "file.not_found": {"zh": "找不到文件", "en": "file not found"},
    "file.too_large": {
        "zh": "文件太大（{size} 字节），机器人文件最多 {limit} 字节",
        "en": "file is too large ({size} bytes); a bot file may be at most {limit} bytes",
    },
    "file.not_utf8": {
        "zh": "文件不是 UTF-8 编码（第 {line} 行附近有无法识别的字节），请用 UTF-8 另存",
        "en": "file is not UTF-8 (undecodable bytes near line {line}); save it as UTF-8",
    },
    "yaml.syntax": {"zh": "YAML 格式错误：{detail}", "en": "YAML syntax error: {detail}"},
    "yaml.alias_bomb": {
        "zh": "文件中的锚点/别名（& 和 *）展开后过大（超过 {limit} 个节点），已拒绝",
        "en": "anchors and aliases (& and *) expand to more than {limit} nodes; refused",
    },
    "yaml.too_deep": {
        "zh": "嵌套层级太深（超过 {limit} 层）",
        "en": "nesting is too deep (more than {limit} levels)",
    },
    "yaml.duplicate_key": {
        "zh": "键 “{key}” 重复出现（第一次在第 {first} 行）",
        "en": "key '{key}' appears twice (first on line {first})",
    },
    "yaml.not_mapping": {
        "zh": "机器人文件的顶层必须是键值对（如 id: ...、name: ...）",
        "en": "the top level of a bot file must be a mapping (id: ..., name: ...)",
    },
    "yaml.bad_key": {"zh": "键必须是文字", "en": "keys must be text"},
    # --- validating a bot ---------------------------------------------------
    "spec.extra_forbidden": {
        "zh": "未知的设置项 “{field}”{hint}",
        "en": "unknown key '{field}'{hint}",
    },
    "spec.did_you_mean": {"zh": "，是不是 “{name}”？", "en": "; did you mean '{name}'?"},
    "spec.missing": {"zh": "缺少必填项 “{field}”", "en": "'{field}' is required"},
    "spec.string_type": {"zh": "“{field}” 应为文字", "en": "'{field}' must be text"},
    "spec.int_type": {"zh": "“{field}” 应为整数", "en": "'{field}' must be a whole number"},
    "spec.float_type": {"zh": "“{field}” 应为数字", "en": "'{field}' must be a number"},
    "spec.bool_type": {
        "zh": "“{field}” 应为 true 或 false",
        "en": "'{field}' must be true or false",
    },
    "spec.list_type": {
        "zh": "“{field}” 应为列表（每项以 - 开头）",
        "en": "'{field}' must be a list (items starting with -)",
    },
    "spec.dict_type": {
        "zh": "“{field}” 应为键值对",
        "en": "'{field}' must be a mapping of keys to values",
    },
    "spec.literal_error": {
        "zh": "“{field}” 只能是 {expected}",
        "en": "'{field}' must be one of {expected}",
    },
    "spec.greater_than": {
        "zh": "“{field}” 必须大于 {gt}",
        "en": "'{field}' must be greater than {gt}",
    },
    "spec.greater_than_equal": {
        "zh": "“{field}” 不能小于 {ge}",
        "en": "'{field}' must be at least {ge}",
    },
    "spec.less_than_equal": {
        "zh": "“{field}” 不能大于 {le}",
        "en": "'{field}' must be at most {le}",
    },
    "spec.string_too_long": {
        "zh": "“{field}” 太长（最多 {max_length} 个字符）",
        "en": "'{field}' is too long (at most {max_length} characters)",
    },
    "spec.string_too_short": {"zh": "“{field}” 不能为空", "en": "'{field}' must not be empty"},
    "spec.too_short": {"zh": "“{field}” 不能为空", "en": "'{field}' must not be empty"},
    "spec.invalid": {"zh": "“{field}” 的值无效：{detail}", "en": "'{field}' is invalid: {detail}"},
    "spec.bad_id": {
        "zh": "ID “{value}” 无效：只能用小写字母、数字和短横线（-），以字母或数字开头，最多 64 个字符",
        "en": "id '{value}' is invalid: use lowercase letters, digits and dashes, "
        "starting with a letter or digit, at most 64 characters",
    },
    "spec.id_mismatch": {
        "zh": "ID “{value}” 必须与文件名 “{stem}” 一致",
        "en": "id '{value}' must match the file name '{stem}'",
    },
    "spec.bad_variant_id": {
        "zh": "变体 ID “{value}” 无效：只能用字母、数字、_ 和 -，最多 32 个字符",
        "en": "variant id '{value}' is invalid: letters, digits, _ and -, at most 32 characters",
    },
    "spec.bad_field_key": {
        "zh": "字段键 “{value}” 无效：以小写字母开头，只能用小写字母、数字和 _",
        "en": "field key '{value}' is invalid: start with a lowercase letter; "
        "then lowercase letters, digits and _",
    },
    "spec.duplicate": {
        "zh": "{what} “{value}” 重复（第 {first} 行已使用）",
        "en": "{what} '{value}' is used twice (first on line {first})",
    },
    "spec.what.field_key": {"zh": "字段键", "en": "field key"},
    "spec.what.variant_id": {"zh": "变体 ID", "en": "variant id"},
    "spec.what.schedule_id": {"zh": "定时任务 ID", "en": "schedule id"},
    "spec.unknown_field_ref": {
        "zh": "“{value}” 不是已定义的线索字段（已有：{known}）",
        "en": "'{value}' is not a lead field (fields: {known})",
    },
    "spec.options_required": {
        "zh": "单选类型（choice）的字段必须填写选项（options）",
        "en": "a choice field needs options (the list of choices)",
    },
    "spec.options_unexpected": {
        "zh": "只有单选类型（choice）的字段可以填写选项（options）",
        "en": "only a choice field may have options",
    },
    "spec.prefix_required": {
        "zh": "“群聊中何时回复（wecom.trigger）”选了“消息以前缀开头时”，必须填写触发前缀（wecom.prefix）",
        "en": "trigger 'prefix' needs a prefix to listen for",
    },
    "spec.bad_cron": {
        "zh": "cron 表达式 “{value}” 无效：{detail}（格式：分 时 日 月 星期，如 0 9 * * 1-5）",
        "en": "cron expression '{value}' is invalid: {detail} "
        "(format: minute hour day month weekday, e.g. 0 9 * * 1-5)",
    },
    "spec.bad_timezone": {
        "zh": "时区 “{value}” 无效（例如 Asia/Shanghai）",
        "en": "time zone '{value}' is invalid (e.g. Asia/Shanghai)",
    },
    "spec.bad_rate_limit": {
        "zh": "频率限制 “{value}” 无效，应写成 次数/单位，如 10/minute（单位：second、minute、hour、day）",
        "en": "rate limit '{value}' is invalid; write count/unit such as 10/minute "
        "(units: second, minute, hour, day)",
    },
    "spec.schedule_body": {
        "zh": "定时任务需要固定文字（text）或让机器人撰写的提示词（prompt），二者选一",
        "en": "a schedule needs exactly one of text (fixed text) or prompt (the bot writes it)",
    },
    "spec.unknown_figure": {
        "zh": "{field}：不认识的数字 “{{{value}}}”（可用：{known}；大括号只用来引用这些数字）",
        "en": "{field}: unknown figure '{{{value}}}' (available: {known}; braces only name these)",
    },
    "spec.unknown_model": {
        "zh": "模型文件 “{value}” 不在 {gguf_dir} 中（已有：{known}）",
        "en": "model file '{value}' is not in {gguf_dir} (available: {known})",
    },
    "spec.model_not_gguf": {
        "zh": "模型文件 “{value}” 必须是 gguf/ 目录下的 .gguf 文件名",
        "en": "model file '{value}' must be the name of a .gguf file in gguf/",
    },
    "spec.none": {"zh": "无", "en": "none"},
    # --- managing bots ------------------------------------------------------
    "ops.exists": {
        "zh": "已经有 ID 为 “{bot}” 的机器人了，请换一个 ID",
        "en": "a bot with id '{bot}' already exists; choose another id",
    },
    "ops.copy_name": {"zh": "{name}（副本）", "en": "{name} (copy)"},
    # --- command line -------------------------------------------------------
    "cli.check_ok": {"zh": "{path}：正确", "en": "{path}: OK"},
    "cli.check_none": {"zh": "{path} 中没有机器人文件", "en": "no bot files in {path}"},
    "cli.unknown_bot": {
        "zh": "没有名为 “{bot}” 的机器人（已有：{known}）",
        "en": "there is no bot '{bot}' (bots: {known})",
    },
    "cli.invalid_bot": {
        "zh": "机器人 “{bot}” 的文件有错误，请先运行 check：",
        "en": "bot '{bot}' has errors; run check:",
    },
    "cli.unknown_variant": {
        "zh": "机器人 “{bot}” 没有变体 “{variant}”（已有：{known}）",
        "en": "bot '{bot}' has no variant '{variant}' (variants: {known})",
    },
    "cli.chat_intro": {
        "zh": "与 {name} 对话（输入 /reset 清空记忆，/quit 退出）",
        "en": "Chatting with {name} (type /reset to forget, /quit to leave)",
    },
    "cli.chat_reset": {"zh": "（已清空对话记忆）", "en": "(conversation forgotten)"},
    "cli.no_models": {
        "zh": "{path} 中没有 .gguf 模型文件",
        "en": "no .gguf model files in {path}",
    },
    "cli.gpu_available": {
        "zh": "llama.cpp：可将模型层放到 GPU 上（在机器人的“GPU 层数（model.gpu_layers）”中设置）",
        "en": "llama.cpp: GPU offload available (set model.gpu_layers in a bot)",
    },
    "cli.gpu_unavailable": {
        "zh": "llama.cpp：纯 CPU 版本（如需 GPU，请用 BOTSTUDIO_CUDA=1 ./botstudio start 重新编译）",
        "en": "llama.cpp: CPU-only build (for a GPU, rebuild with BOTSTUDIO_CUDA=1 ./botstudio start)",
    },
    "cli.model_unreadable": {"zh": "无法读取：{detail}", "en": "unreadable: {detail}"},
    "cli.serving": {
        "zh": "BotStudio 已启动：http://{host}:{port}",
        "en": "BotStudio is running at http://{host}:{port}",
    },
    "cli.refuse_public": {
        "zh": "拒绝在 {host} 上监听：请先在设置中设置工作台密码，或使用 127.0.0.1",
        "en": "refusing to listen on {host}: set a studio password first, or use 127.0.0.1",
    },
    "cli.bad_data_dir": {
        "zh": "无法使用数据目录 {path}：{detail}",
        "en": "cannot use the data directory {path}: {detail}",
    },
    "cli.interrupted": {"zh": "已中断", "en": "interrupted"},
    # --- damaged files under the data directory (runtime/store/damaged.py) ----
    "store.damaged_settings": {
        "zh": "设置文件 {path} 已损坏（{problem}），BotStudio 已停止，没有改动它：请把它移到别处再启动"
        "（之后需重新设置工作台密码和企业微信绑定）",
        "en": "The settings file {path} is damaged ({problem}), so BotStudio stopped and left "
        "it as it is: move it somewhere else and start again (the studio password and "
        "WeCom bindings will then need to be set again).",
    },
    "store.damaged_settings_backup": {
        "zh": "设置文件 {path} 已损坏（{problem}），BotStudio 已停止，没有改动它：请用上一版的备份 "
        "{backup} 覆盖它（例如 cp {backup} {path}）再启动",
        "en": "The settings file {path} is damaged ({problem}), so BotStudio stopped and left "
        "it as it is: copy the previous version's backup {backup} over it "
        "(e.g. cp {backup} {path}) and start again.",
    },
    "store.damaged_journal": {
        "zh": "数据库 {path} 已损坏（{problem}），BotStudio 已停止，没有改动它：如有备份请用备份替换它，"
        "否则请把它（连同旁边的 -wal 和 -shm 文件）移到别处，以空数据库重新启动",
        "en": "The database {path} is damaged ({problem}), so BotStudio stopped and left it "
        "as it is: replace it with your backup if you have one, or move it (with any -wal "
        "and -shm files beside it) somewhere else to start with an empty database.",
    },
    "store.problem.empty": {"zh": "文件是空的", "en": "the file is empty"},
    "store.problem.not_json": {"zh": "不是有效的 JSON", "en": "it is not valid JSON"},
    "store.problem.not_settings": {
        "zh": "内容不是 BotStudio 的设置",
        "en": "it does not hold BotStudio settings",
    },
    "store.problem.not_sqlite": {
        "zh": "不是可用的 SQLite 数据库",
        "en": "it is not a usable SQLite database",
    },
    "store.problem.unreadable": {"zh": "无法读取", "en": "it cannot be read"},
    # --- engine and prompt --------------------------------------------------
    "engine.model_missing": {
        "zh": "找不到模型文件 {path}。请把 .gguf 文件放入 gguf/ 目录，或重新运行安装命令放置默认模型",
        "en": "model file {path} not found. Put a .gguf file in gguf/, or rerun "
        "setup to place the default model",
    },
    "engine.load_failed": {
        "zh": "无法加载模型 {path}：{detail}",
        "en": "could not load model {path}: {detail}",
    },
    "engine.cpu_only": {
        "zh": "llama.cpp 为纯 CPU 版本：“GPU 层数（gpu_layers）”设置被忽略，模型在 CPU 上运行",
        "en": "llama.cpp was built for CPU only: gpu_layers is ignored; the model runs on the CPU",
    },
    "prompt.too_long": {
        "zh": "内容太长，模型一次看不下：人设、知识和示例约占 {pinned} 个词元（模型计算文字的单位，约一个汉字），"
        "这条消息约 {message} 个，回复预留 {reply} 个，超出了上下文长度（model.context）{context}。"
        "请缩短产品知识或示例对话，或调大“上下文长度（model.context）”",
        "en": "the prompt is too long: persona, knowledge and examples take {pinned} tokens "
        "(the model's unit of text, about three quarters of a word); with this message "
        "({message}) and the room kept for the reply ({reply}) it exceeds the context size "
        "(model.context) of {context}. Shorten the knowledge or examples, or raise the "
        "context size (model.context)",
    },
    "prompt.knowledge_heading": {"zh": "产品知识", "en": "Product knowledge"},
    # --- WeCom bindings -----------------------------------------------------
    "bind.nothing": {
        "zh": "请至少给出一种绑定，例如 --webhook 网址或密钥（见 bind --help）",
        "en": "give at least one binding, e.g. --webhook URL_OR_KEY (see bind --help)",
    },
    "bind.bad_webhook": {
        "zh": "webhook 无效：请粘贴完整的 webhook 地址或其中的 key",
        "en": "invalid webhook: paste the whole webhook URL or its key",
    },
    "bind.bad_alert_webhook": {
        "zh": "提醒 webhook 无效：请粘贴完整的 webhook 地址或其中的 key",
        "en": "invalid alert webhook: paste the whole webhook URL or its key",
    },
    "bind.bad_aibot": {
        "zh": "智能机器人绑定缺少：{detail}（需要 --aibot-token 和 --aibot-aes-key）",
        "en": "AI bot binding lacks: {detail} (needs --aibot-token and --aibot-aes-key)",
    },
    "bind.bad_longconn": {
        "zh": "长连接绑定缺少：{detail}（需要 --longconn-bot-id 和 --longconn-secret）",
        "en": "long connection binding lacks: {detail} (needs --longconn-bot-id and --longconn-secret)",
    },
    "bind.bad_app": {
        "zh": "自建应用绑定缺少：{detail}",
        "en": "self-built app binding lacks: {detail}",
    },
    "bind.bad_kf": {
        "zh": "微信客服绑定缺少：{detail}（需要 --kf-corp-id、--kf-secret、--kf-token、--kf-aes-key 和 --kf-open-kfid）",
        "en": "微信客服 binding lacks: {detail} (needs --kf-corp-id, --kf-secret, --kf-token, --kf-aes-key and --kf-open-kfid)",
    },
    "bind.bad_aes_key": {
        "zh": "EncodingAESKey 无效：{detail}",
        "en": "invalid EncodingAESKey: {detail}",
    },
    "bind.done": {"zh": "已绑定 {bot} 的 {kind}：{shown}", "en": "bound {kind} of {bot}: {shown}"},
    "bind.callback": {
        "zh": "请在企业微信后台把回调地址设为：https://你的公网地址{path}（本机端口 {port}）",
        "en": "in WeCom's admin console, set the callback URL to https://YOUR-PUBLIC-ADDRESS{path} (local port {port})",
    },
    "unbind.done": {"zh": "已解除 {bot} 的绑定：{kinds}", "en": "unbound from {bot}: {kinds}"},
    "push.unbound": {
        "zh": "机器人 {bot} 还没有绑定 {kind}，请先运行 bind",
        "en": "bot {bot} has no {kind} binding; run bind first",
    },
    "push.sent": {"zh": "已发送（{n} 条）", "en": "sent ({n} messages)"},
    "push.failed": {"zh": "发送失败：{error}", "en": "sending failed: {error}"},
    # --- lead capture -------------------------------------------------------
    "lead.nothing_known": {"zh": "暂无", "en": "nothing yet"},
    "lead.default_ask": {
        "zh": "方便告诉我您的{label}吗？",
        "en": "Could you tell me your {label}?",
    },
    "dialogue.caller_note": {
        "zh": "（调用方的补充要求：{note}）",
        "en": "(The caller's own instructions: {note})",
    },
    "lead.note_ask": {
        "zh": "（给你的提示，不要复述：已知客户信息：{known}。先回答客户的问题，然后自然地只问一个问题：“{question}” {why}）",
        "en": '(Note for you, do not repeat it: known about the customer: {known}. Answer first, then ask only this one question: "{question}" {why})',
    },
    "lead.note_no_ask": {
        "zh": "（给你的提示，不要复述：已知客户信息：{known}。这次只回答问题，不要索要任何信息。）",
        "en": "(Note for you, do not repeat it: known about the customer: {known}. This time just answer; do not ask for anything.)",
    },
    "lead.alert_title": {
        "zh": "**新线索** · {name} · 客户 {user}",
        "en": "**New lead** · {name} · customer {user}",
    },
    "lead.alert_variant": {"zh": "变体", "en": "Variant"},
    "leads.no_such": {"zh": "没有用户 {user} 的线索", "en": "no lead for user {user}"},
    "leads.deleted": {
        "zh": "已删除 {user} 的线索和对话记录",
        "en": "deleted the lead and messages of {user}",
    },
    "leads.written": {"zh": "已导出 {n} 条线索到 {path}", "en": "wrote {n} leads to {path}"},
    # --- chat commands and replies ------------------------------------------
    "reply.rate_limited": {
        "zh": "您的消息有点多，我稍微歇一下，请过一会儿再问我吧 🙏",
        "en": "That is a lot of messages at once; please give me a moment and ask again shortly 🙏",
    },
    "cmd.help": {
        "zh": "我是{name}。可用命令：\n/help 查看帮助\n/clear 清空我们的对话记录\n/status 查看机器人状态",
        "en": "I am {name}. Commands:\n/help this help\n/clear forget our conversation\n/status the bot's status",
    },
    "cmd.cleared": {
        "zh": "好的，我已经忘记了我们之前的对话。",
        "en": "Done: I have forgotten our conversation.",
    },
    "cmd.status": {
        "zh": "{name} 运行中 · 本对话已记住 {turns} 条消息",
        "en": "{name} is running · {turns} messages remembered here",
    },
    "reply.empty": {
        "zh": "抱歉，我没有想好怎么回答，可以换个说法再问我吗？",
        "en": "Sorry, I have no answer to that; could you ask another way?",
    },
    "reply.unavailable": {
        "zh": "抱歉，我暂时无法回答，请稍后再试。",
        "en": "Sorry, I cannot answer right now; please try again later.",
    },
    "reply.text_only": {
        "zh": "目前我只能看懂文字消息哦。",
        "en": "For now I can only read text messages.",
    },
    # --- server -------------------------------------------------------------
    "server.running_title": {"zh": "BotStudio 正在运行", "en": "BotStudio is running"},
}
