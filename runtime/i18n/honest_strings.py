"""Messages that are honest about the model, and the studio's comforts (issue 13)."""

HONEST_STRINGS: dict[str, dict[str, str]] = {
    # --- the bundled demo model ---------------------------------------------
    "demo.notice": {
        "zh": "⚠️ **{bot}正在使用内置的演示模型**（SmolLM2-135M，一个很小的英文模型）：它的中文回复多半语无伦次，常常写满字数上限才停（15–30 秒），有时还会把给它的内部提示说出来。它只适合看看流程。要真正回答客户，请到 🧠 模型 页下载或上传一个中文模型（例如 Qwen2.5 的 GGUF 文件），再到 ✏️ 编辑 → 模型 里选中它。",
        "en": "⚠️ **{bot}uses the bundled demo model** (SmolLM2-135M, a tiny English model): its Chinese replies are mostly nonsense, often run to the length cap (15–30 s) and sometimes repeat the hidden instructions it was given. It only shows how things work. To answer customers, download or upload a Chinese model in 🧠 Models (such as a Qwen2.5 GGUF file), then pick it in ✏️ Edit → Model.",
    },
    "demo.the_bot": {"zh": "当前机器人", "en": "The current bot "},
    # --- reviewing a bot copied from a template -----------------------------
    "review.title": {
        "zh": "### 👀 使用前请检查：这个机器人是从模板“{template}”复制来的",
        "en": "### 👀 Check before first use: this bot is a copy of the template '{template}'",
    },
    "review.name": {"zh": "名称", "en": "Name"},
    "review.greeting": {"zh": "开场白", "en": "Greeting"},
    "review.persona": {"zh": "人设", "en": "Persona"},
    "review.system_prompt": {"zh": "回复规则", "en": "Reply rules"},
    "review.knowledge": {"zh": "产品知识", "en": "Knowledge"},
    "review.few_shot": {"zh": "示例对话", "en": "Example exchanges"},
    "review.variant": {"zh": "变体 {variant} 的{part}", "en": "Variant {variant}: {part}"},
    "review.none": {"zh": "（空）", "en": "(empty)"},
    "review.brand": {
        "zh": "⚠️ 还带着模板的品牌：{words}",
        "en": "⚠️ still carries the template's brand: {words}",
    },
    "review.clean": {
        "zh": "✅ 没有找到模板的品牌词（{words}）。",
        "en": "✅ None of the template's brand words ({words}) were found.",
    },
    "review.ask": {
        "zh": "👉 请到 ✏️ 编辑 把上面标 ⚠️ 的地方（包括 A/B 变体里的开场白和提示词）改成你自己的品牌和说法，再去试聊。",
        "en": "👉 In ✏️ Edit, change everything marked ⚠️ above (the A/B variants' greetings and prompts too) to your own brand and wording before you try it.",
    },
    # --- comparing ----------------------------------------------------------
    "compare.waiting": {
        "zh": "⏳ 等待左侧完成…（两侧用的是同一个模型，它设为一次只写一条回复）",
        "en": "⏳ Waiting for the left side to finish… (both sides use the same model, set to write one reply at a time)",
    },
    "compare.parallel": {
        "zh": "两侧用的是不同的模型，同时生成",
        "en": "Different models on each side: both generate at once",
    },
    # --- long work ----------------------------------------------------------
    "models.checking": {
        "zh": "⏳ 已收到 {file}（{size}），正在检查文件头并放入模型目录…",
        "en": "⏳ Received {file} ({size}); checking its header and moving it into the model folder…",
    },
    "models.added_pick": {
        "zh": "已添加 {file}（{size}）。现在可以在 ✏️ 编辑 → 模型 里选中它。",
        "en": "Added {file} ({size}). You can now pick it in ✏️ Edit → Model.",
    },
    "rehearse.turn": {
        "zh": "⏳ 彩排进行中：第 {done}/{total} 段对话（{customer} × {variant}），第 {turn}/{turns} 轮",
        "en": "⏳ Rehearsing: conversation {done}/{total} ({customer} × {variant}), turn {turn}/{turns}",
    },
    "bots.importing": {
        "zh": "⏳ 正在导入 {file}：检查每一项设置…",
        "en": "⏳ Importing {file}: checking every setting…",
    },
    # --- keyboard -----------------------------------------------------------
    "edit.save_keys": {
        "zh": "快捷键：Ctrl+S（Mac 上 ⌘+S）保存",
        "en": "Shortcut: Ctrl+S (⌘+S on a Mac) saves",
    },
    "try.enter_sends": {"zh": "按 Enter 发送", "en": "Enter sends"},
}
