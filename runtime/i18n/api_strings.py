"""The OpenAI-compatible API (`/v1/…`): its errors, in the server's language, and the
terminal's `apikey` command (also the reasons runtime/store/api_keys.py refuses a key)."""

API_STRINGS: dict[str, dict[str, str]] = {
    # --- the API's errors (runtime/channels/openai_api.py) -------------------------------
    "api.no_key": {
        "zh": "缺少 API 密钥：请求头里要有 Authorization: Bearer 你的密钥（用 python launch.py apikey create 名字 创建）",
        "en": "No API key: send the header Authorization: Bearer YOUR_KEY (make one with python launch.py apikey create NAME)",
    },
    "api.bad_key": {
        "zh": "API 密钥不对，或者已经被吊销",
        "en": "The API key is wrong or has been revoked",
    },
    "api.rate": {
        "zh": "这个密钥的请求太频繁了（上限：{rate}），请 {seconds} 秒后再试",
        "en": "Too many requests with this key (its limit: {rate}); try again in {seconds} seconds",
    },
    "api.unknown_model": {
        "zh": "没有名为 “{model}” 的机器人（这个密钥能用的机器人见 GET /v1/models）",
        "en": "There is no bot '{model}' (GET /v1/models lists the bots this key may use)",
    },
    "api.bot_broken": {
        "zh": "机器人 {bot} 的配置文件有问题，暂时不能回答，请在工作室里修好：{problem}",
        "en": "Bot {bot} cannot answer for now: its file has a problem, fix it in the studio: {problem}",
    },
    "api.bad_json": {
        "zh": '请求内容要是一个 JSON 对象，比如 {"model": "机器人ID", "messages": [{"role": "user", "content": "你好"}]}',
        "en": 'The body must be a JSON object, e.g. {"model": "BOT_ID", "messages": [{"role": "user", "content": "Hi"}]}',
    },
    "api.model_missing": {
        "zh": "缺少 “model”：写机器人 ID，或者 机器人ID:版本 来指定 A/B 版本",
        "en": "'model' is missing: the bot's id, or BOT:VARIANT to pin an A/B variant",
    },
    "api.messages_missing": {
        "zh": '“messages” 要是一个不为空的列表，每条写成 {"role": "user", "content": "…"}',
        "en": '\'messages\' must be a non-empty list of {"role": "user", "content": "…"}',
    },
    "api.message_not_object": {
        "zh": 'messages[{index}] 要是一个对象：{{"role": …, "content": …}}',
        "en": 'messages[{index}] must be an object: {{"role": …, "content": …}}',
    },
    "api.message_role": {
        "zh": "messages[{index}] 的 role “{role}” 不支持：只能是 system、user 或 assistant",
        "en": "messages[{index}] has role '{role}', which is not supported: only system, user or assistant",
    },
    "api.message_content": {
        "zh": 'messages[{index}] 的 content 要是文字，或者由 {{"type": "text", "text": …}} 组成的列表',
        "en": 'messages[{index}].content must be text, or a list of {{"type": "text", "text": …}} parts',
    },
    "api.message_part": {
        "zh": "messages[{index}] 里有 “{kind}” 类型的内容：机器人只看文字",
        "en": "messages[{index}] holds content of type '{kind}': the bot reads text only",
    },
    "api.last_not_user": {
        "zh": "最后一条消息要是 user（客户说的话），机器人回答的就是它",
        "en": "The last message must be the user's: it is what the bot answers",
    },
    "api.empty_message": {
        "zh": "最后一条 user 消息是空的",
        "en": "The last user message is empty",
    },
    "api.system_refused": {
        "zh": "机器人 {bot} 不接受 system 消息：它的人设、知识和示例都由机器人自己决定。要允许，在机器人配置里写 api: {{allow_system: true}}",
        "en": "Bot {bot} takes no system messages: its persona, knowledge and examples are its own. To allow them, set api: {{allow_system: true}} in the bot's file",
    },
    "api.too_many_messages": {
        "zh": "“messages” 最多 {limit} 条，这次有 {count} 条",
        "en": "'messages' may hold at most {limit} messages; this one has {count}",
    },
    "api.too_long": {
        "zh": "消息太长：所有 messages 的文字合计最多 {limit} 个字符，这次有 {count} 个",
        "en": "Too long: all messages together may hold at most {limit} characters; these hold {count}",
    },
    "api.stream_type": {
        "zh": "“stream” 要是 true 或 false",
        "en": "'stream' must be true or false",
    },
    "api.stream_options": {
        "zh": '“stream_options” 要是对象，比如 {"include_usage": true}，而且只在 stream 为 true 时使用',
        "en": "'stream_options' must be an object such as {\"include_usage\": true}, and only with stream: true",
    },
    "api.max_tokens": {
        "zh": "“{field}” 要是正整数（回答最多多少个 token）",
        "en": "'{field}' must be a positive whole number (the most tokens the answer may have)",
    },
    "api.temperature": {
        "zh": "“temperature” 要是 0 到 2 之间的数字",
        "en": "'temperature' must be a number from 0 to 2",
    },
    "api.user": {
        "zh": "“user” 要是不超过 {limit} 个字符的文字（代表一位客户，用来固定 A/B 版本、记录线索）",
        "en": "'user' must be text of at most {limit} characters (one customer: for A/B variants and leads)",
    },
    "api.n": {
        "zh": "只支持 n = 1：每次只生成一个回答",
        "en": "Only n = 1 is supported: one answer per request",
    },
    "api.tools": {
        "zh": "不支持 “{field}”：机器人不调用工具，只回答文字",
        "en": "'{field}' is not supported: the bot calls no tools, it answers in text",
    },
    "api.response_format": {
        "zh": "不支持 response_format “{kind}”：机器人只回答文字",
        "en": "response_format '{kind}' is not supported: the bot answers in text",
    },
    "api.no_route": {
        "zh": "没有这个接口：{method} {path}。可用的是 GET /v1/models 和 POST /v1/chat/completions",
        "en": "No such endpoint: {method} {path}. There are GET /v1/models and POST /v1/chat/completions",
    },
    "api.failed": {
        "zh": "机器人这次没能回答，请稍后再试",
        "en": "The bot could not answer this time; try again later",
    },
    # --- the terminal's `apikey` (runtime/cli/apikey.py, runtime/store/api_keys.py) ------
    "apikey.bad_name": {
        "zh": "密钥名 “{value}” 不能用：只能用小写字母、数字、- 和 _，开头和结尾是字母或数字，最多 40 个字符",
        "en": "Key name '{value}' cannot be used: lowercase letters, digits, - and _ only, starting and ending with a letter or digit, at most 40 characters",
    },
    "apikey.exists": {
        "zh": "已经有名为 “{name}” 的密钥了：换个名字，或者先运行 python launch.py apikey revoke {name}",
        "en": "There is already a key named '{name}': pick another name, or first run python launch.py apikey revoke {name}",
    },
    "apikey.bad_rate": {
        "zh": "频率 “{value}” 看不懂：写成 次数/minute、次数/hour 或 次数/day，比如 60/minute（每分钟 60 次）",
        "en": "Cannot read the rate '{value}': write COUNT/minute, COUNT/hour or COUNT/day, e.g. 60/minute",
    },
    "apikey.created": {
        "zh": "已创建 API 密钥 “{name}”（机器人：{bots}；频率：{rate}）。密钥是：",
        "en": "API key '{name}' made (bots: {bots}; rate: {rate}). The key is:",
    },
    "apikey.once": {
        "zh": "⚠️ 这个密钥只显示这一次，请现在复制，存到安全的地方。丢了没法找回，只能吊销后重新创建。",
        "en": "⚠️ This key is shown only now: copy it to a safe place. It cannot be shown again; if lost, revoke it and make a new one.",
    },
    "apikey.all_bots": {"zh": "全部", "en": "all"},
    "apikey.no_rate": {"zh": "不限", "en": "no limit"},
    "apikey.rate.minute": {"zh": "每分钟 {n} 次", "en": "{n} per minute"},
    "apikey.rate.hour": {"zh": "每小时 {n} 次", "en": "{n} per hour"},
    "apikey.rate.day": {"zh": "每天 {n} 次", "en": "{n} per day"},
    "apikey.none": {
        "zh": "还没有 API 密钥。用 python launch.py apikey create 名字 创建一个",
        "en": "No API keys yet. Make one with python launch.py apikey create NAME",
    },
    "apikey.col.name": {"zh": "名字", "en": "Name"},
    "apikey.col.key": {"zh": "密钥开头", "en": "Key starts"},
    "apikey.col.bots": {"zh": "机器人", "en": "Bots"},
    "apikey.col.rate": {"zh": "频率", "en": "Rate"},
    "apikey.col.created": {"zh": "创建时间", "en": "Created"},
    "apikey.revoked": {
        "zh": "已吊销密钥 “{name}”：从现在起用它的请求都会被拒绝",
        "en": "Key '{name}' revoked: every request with it is refused from now on",
    },
    "apikey.unknown": {
        "zh": "没有名为 “{name}” 的密钥（已有：{known}）",
        "en": "There is no key named '{name}' (keys: {known})",
    },
}
