"""Downloading recommended models: the studio's section, `models download` and
`models catalog`, and every reason a download stops."""

DOWNLOAD_STRINGS: dict[str, dict[str, str]] = {
    # --- what each recommended model is good for -----------------------------
    "dl.good.qwen2.5-1.5b": {
        "zh": "最小最快：普通办公电脑只用 CPU 也能较快回复，适合回答常见问题、按固定话术接待；复杂追问容易答偏。",
        "en": "Smallest and fastest: quick on an ordinary office PC's CPU; fine for FAQs and scripted greetings, weak on complex follow-ups.",
    },
    "dl.good.qwen2.5-3b": {
        "zh": "速度和质量的平衡：能按知识库回答产品问题、礼貌地收集电话和需求，8 GB 内存的电脑即可运行。",
        "en": "A balance of speed and quality: answers product questions from the knowledge base and collects leads politely; runs on 8 GB of RAM.",
    },
    "dl.good.qwen3-4b": {
        "zh": "新一代小模型：中文理解接近 7B，但默认会先“思考”再回答，回复更慢、更长；适合需要推理的咨询。",
        "en": "Newer small model: Chinese understanding close to a 7B, but it 'thinks' before answering by default, so replies are slower and longer.",
    },
    "dl.good.qwen2.5-7b": {
        "zh": "中文客服首选：理解准确、话术自然，能处理多轮追问、比价和投诉安抚；需要 16 GB 内存或一块显卡。",
        "en": "The pick for Chinese customer service: accurate, natural wording, handles follow-ups, price questions and complaints; needs 16 GB of RAM or a GPU.",
    },
    "dl.good.qwen3-8b": {
        "zh": "效果最好：复杂咨询、长对话、写营销文案都更出色；会先“思考”再回答，最好有 8 GB 以上显存的显卡。",
        "en": "Best quality: complex questions, long conversations and marketing copy; thinks before answering, best with a GPU of 8 GB or more.",
    },
    # --- whether it fits -------------------------------------------------------
    "dl.fit.gpu": {
        "zh": "✔ 显卡放得下（需要 {need}，显存空闲 {vram}）",
        "en": "✔ fits on the GPU (needs {need}, {vram} free)",
    },
    "dl.fit.ram": {
        "zh": "✔ 内存够用（需要 {need}，空闲 {free}）",
        "en": "✔ fits in memory (needs {need}, {free} free)",
    },
    "dl.fit.tight": {
        "zh": "⚠ 内存偏紧：需要 {need}，现在只空闲 {free}（共 {total}），先关掉其他程序",
        "en": "⚠ tight: needs {need}, only {free} free now (of {total}); close other programs first",
    },
    "dl.fit.total_ok": {
        "zh": "✔ 内存总量够用（需要 {need}，共 {total}）",
        "en": "✔ enough memory in all (needs {need}, {total} installed)",
    },
    "dl.fit.no": {
        "zh": "✖ 本机放不下（需要 {need}，内存共 {total}）",
        "en": "✖ does not fit (needs {need}, {total} installed)",
    },
    "dl.fit.unknown": {
        "zh": "？ 还不知道（连上下载源后计算）",
        "en": "? not known yet (computed once the source is reached)",
    },
    # --- progress ----------------------------------------------------------------
    "dl.progress": {"zh": "已下载 {done} / {total}（{pct}%）", "en": "{done} of {total} ({pct}%)"},
    "dl.progress_part": {"zh": "第 {part}/{parts} 个分卷", "en": "part {part} of {parts}:"},
    "dl.speed": {"zh": "{speed}/秒", "en": "{speed}/s"},
    "dl.eta": {"zh": "还需约 {eta}", "en": "about {eta} left"},
    "dl.time.s": {"zh": "{s} 秒", "en": "{s} s"},
    "dl.time.ms": {"zh": "{m} 分 {s} 秒", "en": "{m} min {s} s"},
    "dl.time.hm": {"zh": "{h} 小时 {m} 分", "en": "{h} h {m} min"},
    "dl.phase.checking": {
        "zh": "正在核对上次已下载的部分：",
        "en": "Checking what was downloaded before:",
    },
    "dl.phase.retrying": {
        "zh": "网络中断，正在从 {done} 处续传（第 {n} 次重连）…",
        "en": "Connection lost; resuming from {done} (reconnection {n})…",
    },
    "dl.phase.verifying": {
        "zh": "正在校验 {file} 的 SHA-256…",
        "en": "Verifying the SHA-256 of {file}…",
    },
    # --- why a download stops ------------------------------------------------------
    "dl.hub.not_found": {
        "zh": "下载源 {source} 上找不到 {repo} 里的 {file}：请检查仓库名和文件名，或换一个下载源。",
        "en": "{source} has no {file} in {repo}: check the repository and file names, or try another source.",
    },
    "dl.hub.http": {
        "zh": "下载源 {source} 回答了错误（{detail}），没有给出 {file} 的信息。请稍后再试，或换一个下载源。",
        "en": "{source} answered with an error ({detail}) about {file}. Try again later or use another source.",
    },
    "dl.hub.unreachable": {
        "zh": "连不上下载源 {source}（{detail}）。请检查网络；在国内建议用 ModelScope 或 Hugging Face 镜像。",
        "en": "Cannot reach {source} ({detail}). Check the network; in China, ModelScope or a Hugging Face mirror usually works.",
    },
    "dl.hub.no_size": {
        "zh": "下载源 {source} 没有告诉我们 {file} 有多大，无法先检查磁盘空间，所以没有下载。",
        "en": "{source} did not say how large {file} is, so free disk space cannot be checked; nothing was downloaded.",
    },
    "dl.no_checksum": {
        "zh": "下载源 {source} 没有提供 {file} 的 SHA-256 校验值，无法确认下载是否完整。请用 --sha256 指定校验值，或换一个下载源。",
        "en": "{source} gives no SHA-256 for {file}, so the download could not be verified. Give one with --sha256, or use another source.",
    },
    "dl.sha_differs_from_hub": {
        "zh": "你提供的 SHA-256（{given}）和下载源 {source} 记录的（{hub}）不一样，下载出来也不可能两个都对，所以没有下载 {file}。",
        "en": "The SHA-256 you gave ({given}) differs from {source}'s record ({hub}); no file could match both, so {file} was not downloaded.",
    },
    "dl.mismatch": {
        "zh": "{file} 下载完了，但校验没通过：算出的 SHA-256 是 {got}，应该是 {want}。文件可能在传输中损坏，或下载源给的不是原文件。这个文件已经删除，没有放进 gguf/；请重新下载，或换一个下载源。",
        "en": "{file} was downloaded but failed its check: its SHA-256 is {got}, it should be {want}. It was damaged on the way or the source served another file. It has been deleted and was not put into gguf/; download it again or use another source.",
    },
    "dl.no_space": {
        "zh": "磁盘空间不够：下载需要 {need}，{folder} 所在的磁盘只剩 {free}。请先清理空间，什么都没有下载。",
        "en": "Not enough disk space: the download needs {need}, the disk of {folder} has {free} free. Nothing was downloaded.",
    },
    "dl.exists_different": {
        "zh": "gguf/ 里已经有一个同名但大小不同的 {file}，没有覆盖它。请先把它改名或移走。",
        "en": "gguf/ already holds a different file named {file}; it was not overwritten. Rename or move it first.",
    },
    "dl.not_gguf": {
        "zh": "{file} 通过了校验，但它不是 GGUF 模型文件（文件头不对），已删除。请检查文件名。",
        "en": "{file} passed its check but is not a GGUF model (wrong header); it was deleted. Check the file name.",
    },
    "dl.not_gguf_name": {
        "zh": "{file} 不是 .gguf 模型文件名。",
        "en": "{file} is not the name of a .gguf model file.",
    },
    "dl.http": {
        "zh": "下载 {file} 时下载源 {source} 返回错误 {status}。已下载的部分会保留，稍后再下载会从断点继续。",
        "en": "{source} answered {status} while downloading {file}. What was downloaded is kept; the next try resumes from there.",
    },
    "dl.network": {
        "zh": "下载 {file} 时网络中断，重试多次仍未恢复（{detail}）。已下载的 {done} 会保留，再次下载会从断点继续。",
        "en": "The connection broke while downloading {file} and did not recover after several retries ({detail}). The {done} downloaded is kept; the next try resumes from there.",
    },
    "dl.busy": {
        "zh": "{file} 正在另一个窗口或终端里下载，请等它完成。",
        "en": "{file} is being downloaded elsewhere (another window or terminal); wait for it to finish.",
    },
    "dl.unexpected": {
        "zh": "下载 {file} 时出现意外错误，详情见日志。已下载的部分会保留。",
        "en": "Downloading {file} failed unexpectedly (see the log). What was downloaded is kept.",
    },
    "dl.bad_source": {
        "zh": "不认识的下载源：{source}。可用 modelscope、huggingface、hf-mirror，或一个以 http(s):// 开头的 Hugging Face 兼容地址。",
        "en": "Unknown source: {source}. Use modelscope, huggingface, hf-mirror, or the http(s):// URL of a Hugging Face-compatible endpoint.",
    },
    "dl.bad_sha": {
        "zh": "--sha256 应该是 64 位十六进制数，而不是 {value}。",
        "en": "--sha256 must be 64 hexadecimal digits, not {value}.",
    },
    # --- switching bots --------------------------------------------------------------
    "dl.switch.done": {"zh": "{bot} 已改用 {file}", "en": "{bot} now uses {file}"},
    "dl.switch.no_bot": {"zh": "没有叫 {bot} 的机器人", "en": "no bot called {bot}"},
    "dl.switch.invalid": {
        "zh": "{bot} 没有修改：{detail}",
        "en": "{bot} was not changed: {detail}",
    },
    # --- the terminal ------------------------------------------------------------------
    "dl.cli.source": {"zh": "下载源：{source}", "en": "Source: {source}"},
    "dl.cli.source_saved": {
        "zh": "已保存下载源：{source}",
        "en": "Download source saved: {source}",
    },
    "dl.cli.start": {
        "zh": "从 {source} 下载 {repo} 的 {file}（{size}）",
        "en": "Downloading {file} from {repo} on {source} ({size})",
    },
    "dl.cli.resume": {"zh": "接着上次继续：已有 {done}", "en": "Resuming: {done} already here"},
    "dl.cli.done": {
        "zh": "✔ {file} 已下载并通过 SHA-256 校验，放进了 {folder}。在机器人里使用：model: {{file: {file}}}",
        "en": "✔ {file} is downloaded, its SHA-256 checked, and in {folder}. In a bot: model: {{file: {file}}}",
    },
    "dl.cli.already": {
        "zh": "{file} 已经在 {folder} 里了。",
        "en": "{file} is already in {folder}.",
    },
    "dl.cli.interrupted": {
        "zh": "已中断。已下载的部分保留在 {folder}，再次运行同一命令会从断点继续。",
        "en": "Interrupted. What was downloaded stays in {folder}; run the same command again to resume.",
    },
    "dl.cli.machine": {
        "zh": "本机：空闲内存 {free}（共 {total}）；{gpu}",
        "en": "This machine: {free} of memory free ({total} installed); {gpu}",
    },
    "dl.cli.gpu_none": {
        "zh": "llama.cpp 只用 CPU（未编译 GPU 支持）",
        "en": "llama.cpp runs on the CPU only (no GPU build)",
    },
    "dl.cli.gpu_free": {"zh": "显卡 {name} 空闲显存 {vram}", "en": "GPU {name} with {vram} free"},
    "dl.cli.gpu_unknown": {
        "zh": "支持 GPU，但读不到显存",
        "en": "GPU build, free GPU memory unknown",
    },
    "dl.cli.size": {"zh": "下载 {size}", "en": "download {size}"},
    "dl.cli.need": {
        "zh": "运行约需 {need}（上下文 {context}）",
        "en": "needs about {need} to run (context {context})",
    },
    "dl.cli.unknown_size": {"zh": "大小未知", "en": "size unknown"},
    "dl.cli.stale": {"zh": "（{source} 上次记录的数字）", "en": "(as {source} said last time)"},
    "dl.cli.have": {"zh": "已下载", "en": "downloaded"},
    "dl.cli.partial": {"zh": "已下载 {done}，可续传", "en": "{done} downloaded, resumable"},
    "dl.cli.command": {"zh": "下载：{command}", "en": "Download: {command}"},
    "dl.cli.good_for": {"zh": "适合：{text}", "en": "Good for: {text}"},
    # --- the studio ------------------------------------------------------------------------
    "dl.ui.title": {"zh": "下载推荐模型", "en": "Download a recommended model"},
    "dl.ui.intro": {
        "zh": "适合中文客服的模型，从小到大。大小来自下载源的记录，内存按上下文 {context} 计算（模型本身 + 对话缓存 + 运行缓冲）。下载可以随时暂停，之后从断点继续；下载完会先核对 SHA-256，通过后才出现在上面的模型列表里。",
        "en": "Models for Chinese customer service, small to large. Sizes are the source's own records; memory is computed for a context of {context} (weights + KV cache + working buffer). A download can be paused and resumed; it is checked against its SHA-256 before it appears in the list above.",
    },
    "dl.ui.source": {"zh": "下载源", "en": "Source"},
    "dl.ui.source.modelscope": {
        "zh": "ModelScope 魔搭社区（国内推荐）",
        "en": "ModelScope (best in China)",
    },
    "dl.ui.source.hf": {"zh": "Hugging Face 官方", "en": "Hugging Face"},
    "dl.ui.source.mirror": {
        "zh": "Hugging Face 镜像 hf-mirror.com",
        "en": "Hugging Face mirror hf-mirror.com",
    },
    "dl.ui.source.custom": {
        "zh": "其他 Hugging Face 兼容地址",
        "en": "Another Hugging Face-compatible endpoint",
    },
    "dl.ui.endpoint": {
        "zh": "地址（如 https://hf-mirror.com）",
        "en": "Endpoint (e.g. https://hf-mirror.com)",
    },
    "dl.ui.refresh": {"zh": "查询大小和内存", "en": "Check sizes and memory"},
    "dl.ui.col.model": {"zh": "模型", "en": "Model"},
    "dl.ui.col.good": {"zh": "适合", "en": "Good for"},
    "dl.ui.col.size": {"zh": "下载大小", "en": "Download"},
    "dl.ui.col.need": {"zh": "需要内存", "en": "Memory needed"},
    "dl.ui.col.fit": {"zh": "本机放得下吗", "en": "Fits here?"},
    "dl.ui.col.state": {"zh": "状态", "en": "State"},
    "dl.ui.pick": {"zh": "选择要下载的模型", "en": "Model to download"},
    "dl.ui.download": {"zh": "下载", "en": "Download"},
    "dl.ui.pause": {"zh": "暂停", "en": "Pause"},
    "dl.ui.paused": {
        "zh": "已暂停：{file} 已下载的部分会保留，再点“下载”会从断点继续。",
        "en": "Paused: what was downloaded of {file} is kept; click Download to resume.",
    },
    "dl.ui.done": {
        "zh": "{file} 已下载并通过 SHA-256 校验，可以在机器人里使用了。",
        "en": "{file} is downloaded and its SHA-256 checked: bots can use it now.",
    },
    "dl.ui.starting": {"zh": "正在连接下载源…", "en": "Contacting the source…"},
    "dl.ui.unknown": {"zh": "未知", "en": "unknown"},
    "dl.ui.checked": {
        "zh": "已从 {source} 查询：{n} 个模型。",
        "en": "Checked with {source}: {n} models.",
    },
    "dl.ui.model": {"zh": "模型文件", "en": "Model file"},
    "dl.ui.switch_title": {"zh": "让机器人改用这个模型", "en": "Switch bots to this model"},
    "dl.ui.switch_bots": {"zh": "选择机器人", "en": "Bots"},
    "dl.ui.switch": {"zh": "改用这个模型", "en": "Use this model"},
    "dl.ui.switch_none": {"zh": "请先选择至少一个机器人", "en": "Pick at least one bot first"},
    "dl.ui.switch_nothing": {"zh": "请先下载一个模型", "en": "Download a model first"},
}
