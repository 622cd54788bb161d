"""The studio's 📚 知识库 tab."""

KNOWLEDGE_STUDIO_STRINGS: dict[str, dict[str, str]] = {
    "tab.knowledge": {"zh": "📚 知识库", "en": "📚 Knowledge"},
    "kbui.help": {
        "zh": "把价格表、产品介绍、售后政策等文档交给机器人：回答客户时，它会先在文档里找相关的段落再回答。常见问题则不经过模型，直接用你写好的答案回复。",
        "en": "Give the bot your price lists, product sheets and after-sales policies: before it answers a customer, it looks up the passages that fit. FAQ entries are answered at once with your own words, without the model.",
    },
    # -- documents ---------------------------------------------------------------------
    "kbui.docs.title": {"zh": "📄 文档", "en": "📄 Documents"},
    "kbui.docs.upload": {
        "zh": "上传文档（可以一次选多个）",
        "en": "Upload documents (several at once if you like)",
    },
    "kbui.docs.limits": {
        "zh": "能读的文件类型（{kinds}），每个文件不超过 {size}。同名文件会替换旧的。扫描成图片的 PDF 读不出文字。",
        "en": "Files it reads: {kinds}; up to {size} each. A file of the same name replaces the old one. A PDF scanned as pictures has no text to read.",
    },
    "kbui.docs.reading": {
        "zh": "正在读第 {i}/{n} 个文件：{file}",
        "en": "Reading file {i} of {n}: {file}",
    },
    "kbui.docs.added": {"zh": "{file}：{n} 段", "en": "{file}: {n} passages"},
    "kbui.docs.failed": {"zh": "{file}：{why}", "en": "{file}: {why}"},
    "kbui.docs.unreadable": {
        "zh": "上传的文件读不出来，请重新上传",
        "en": "The uploaded file could not be read; upload it again",
    },
    "kbui.docs.col.file": {"zh": "文件", "en": "File"},
    "kbui.docs.col.passages": {"zh": "段落数", "en": "Passages"},
    "kbui.docs.col.added": {"zh": "添加时间", "en": "Added"},
    "kbui.docs.col.size": {"zh": "大小", "en": "Size"},
    "kbui.docs.col.state": {"zh": "状态", "en": "State"},
    "kbui.docs.ok": {"zh": "✔ 可以用", "en": "✔ In use"},
    "kbui.docs.pick": {"zh": "查看或删除文档", "en": "View or remove a document"},
    "kbui.docs.remove": {"zh": "🗑 删除文档", "en": "🗑 Remove document"},
    "kbui.docs.confirm": {"zh": "确定删除", "en": "Yes, remove it"},
    "kbui.docs.cancel": {"zh": "取消", "en": "Cancel"},
    "kbui.docs.ask_remove": {
        "zh": "确定要删除“{file}”吗？删除后机器人回答时不再参考它。",
        "en": "Remove “{file}”? The bot will no longer look things up in it.",
    },
    "kbui.docs.removed": {"zh": "已删除“{file}”", "en": "Removed “{file}”"},
    "kbui.docs.pick_first": {
        "zh": "先在下拉框里选一个文档",
        "en": "Pick a document in the list first",
    },
    "kbui.docs.passages_title": {"zh": "文档的段落", "en": "The document's passages"},
    "kbui.docs.passages_none": {
        "zh": "这个文档没有读出段落",
        "en": "No passages were read from this document",
    },
    "kbui.docs.passages_more": {
        "zh": "还有 {n} 段没有显示",
        "en": "{n} more passages not shown",
    },
    "kbui.docs.no_heading": {"zh": "（无标题）", "en": "(no heading)"},
    # -- the test box ------------------------------------------------------------------
    "kbui.test.title": {"zh": "🔎 试一试", "en": "🔎 Try a question"},
    "kbui.test.help": {
        "zh": "输入客户可能问的问题，看看文档里能找到哪些段落、常见问题会怎样处理，以及机器人会怎么回答。",
        "en": "Type a question a customer might ask: see the passages found, what the FAQ does with it, and what the bot would answer.",
    },
    "kbui.test.question": {"zh": "客户的问题", "en": "The customer's question"},
    "kbui.test.placeholder": {"zh": "例如：专业版多少钱？", "en": "e.g. How much is Pro?"},
    "kbui.test.find": {"zh": "🔎 查找", "en": "🔎 Look up"},
    "kbui.test.preview": {"zh": "💬 看看机器人会怎么回答", "en": "💬 See the bot's answer"},
    "kbui.test.empty": {"zh": "先输入一个问题", "en": "Type a question first"},
    "kbui.test.found_title": {"zh": "找到的段落", "en": "Passages found"},
    "kbui.test.no_docs": {
        "zh": "这个机器人还没有文档：先在上面上传",
        "en": "This bot has no documents yet: upload some above",
    },
    "kbui.test.no_hits": {
        "zh": "文档里没有找到相关的段落",
        "en": "No passage of the documents matches",
    },
    "kbui.test.score": {"zh": "相关度 {score}", "en": "score {score}"},
    "kbui.test.used": {"zh": "✔ 回答时会参考", "en": "✔ given to the model"},
    "kbui.test.below": {
        "zh": "低于最低相关度 {min}，不会参考",
        "en": "under the lowest score {min}: not given to the model",
    },
    "kbui.test.off": {
        "zh": "“每次回复参考的段落数”是 0：回答时不参考文档",
        "en": "“Passages per reply” is 0: replies do not use the documents",
    },
    "kbui.test.faq_title": {"zh": "常见问题", "en": "FAQ"},
    "kbui.test.faq_no_entries": {
        "zh": "还没有常见问题",
        "en": "No FAQ entries yet",
    },
    "kbui.test.faq_answer": {
        "zh": "直接回答：常见问题“{question}”（相似度 {score}）",
        "en": "Answered at once: the FAQ entry “{question}” (similarity {score})",
    },
    "kbui.test.faq_answer_text": {"zh": "答：{answer}", "en": "Answer: {answer}"},
    "kbui.test.faq_ask": {
        "zh": "反问：有两个相近的常见问题，机器人会请客户选一个",
        "en": "Asks which: two FAQ entries are close, the bot asks the customer to pick one",
    },
    "kbui.test.faq_choice": {
        "zh": "{n}. {question}（相似度 {score}）",
        "en": "{n}. {question} (similarity {score})",
    },
    "kbui.test.faq_hint": {
        "zh": "不够确定，不直接回答：把常见问题“{question}”（相似度 {score}）交给模型参考",
        "en": "Not sure enough to answer at once: the FAQ entry “{question}” (similarity {score}) is given to the model",
    },
    "kbui.test.faq_none": {
        "zh": "没有匹配的常见问题：由模型回答",
        "en": "No FAQ entry matches: the model answers",
    },
    "kbui.test.faq_nearest": {
        "zh": "最接近的是“{question}”，相似度 {score}（直接回答要到 {answer}，反问要到 {ask}）",
        "en": "The closest is “{question}”, similarity {score} (answering at once takes {answer}, asking which {ask})",
    },
    "kbui.test.answer_title": {"zh": "机器人会这样回答", "en": "The bot would answer"},
    "kbui.test.by_faq": {
        "zh": "（常见问题直接回答，不经过模型）",
        "en": "(answered from the FAQ, without the model)",
    },
    "kbui.test.by_model": {
        "zh": "（模型参考找到的段落回答，每次生成的说法可能不同）",
        "en": "(the model's answer from the passages found; its wording differs each time)",
    },
    # -- settings ----------------------------------------------------------------------
    "kbui.settings.title": {"zh": "⚙️ 文档参考设置", "en": "⚙️ How documents are used"},
    "kbui.settings.top_k": {"zh": "每次回复参考的段落数", "en": "Passages per reply"},
    "kbui.settings.top_k_info": {
        "zh": "0 到 10；0 表示回答时不参考文档",
        "en": "0 to 10; 0 means replies do not use the documents",
    },
    "kbui.settings.min_score": {"zh": "段落最低相关度", "en": "Lowest passage score"},
    "kbui.settings.min_score_info": {
        "zh": "相关度低于它的段落不交给模型；调高更严格，调低参考得更多",
        "en": "Passages scoring under it are not given to the model; higher is stricter",
    },
    "kbui.settings.save": {"zh": "💾 保存设置", "en": "💾 Save settings"},
    "kbui.settings.saved": {
        "zh": "已保存：每次参考 {k} 段，最低相关度 {min}",
        "en": "Saved: {k} passages per reply, lowest score {min}",
    },
    "kbui.settings.bad": {
        "zh": "没有保存：段落数要是 0 到 10 的整数，最低相关度要在 0 到 100 之间",
        "en": "Not saved: passages must be a whole number from 0 to 10, the lowest score from 0 to 100",
    },
    "kbui.not_saved": {"zh": "没有保存：{why}", "en": "Not saved: {why}"},
    # -- FAQ ---------------------------------------------------------------------------
    "kbui.faq.title": {"zh": "💬 常见问题", "en": "💬 FAQ"},
    "kbui.faq.help": {
        "zh": "客户的问题和这里的问题足够像时，机器人直接用你写的答案回复，不经过模型。同一个问题的其他说法写在“相似问法”里，用“|”隔开。",
        "en": "When a customer's question is close enough to one here, the bot replies with your answer as written, without the model. Other ways to ask the same go under “Similar phrasings”, separated by “|”.",
    },
    "kbui.faq.col.question": {"zh": "问题", "en": "Question"},
    "kbui.faq.col.answer": {"zh": "答案", "en": "Answer"},
    "kbui.faq.col.similar": {"zh": "相似问法", "en": "Similar phrasings"},
    "kbui.faq.answer_above": {"zh": "直接回答的相似度", "en": "Similarity to answer at once"},
    "kbui.faq.answer_above_info": {
        "zh": "0 到 1；客户的问题相似度达到它，就直接用答案回复",
        "en": "0 to 1; from this similarity the answer is given at once",
    },
    "kbui.faq.ask_above": {"zh": "反问确认的相似度", "en": "Similarity to ask which"},
    "kbui.faq.ask_above_info": {
        "zh": "0 到 1；达到它但还不够直接回答、又有两个相近问题时，机器人反问客户想问哪个",
        "en": "0 to 1; from here, with two close entries, the bot asks which one was meant",
    },
    "kbui.faq.add_row": {"zh": "➕ 添加一行", "en": "➕ Add a row"},
    "kbui.faq.save": {"zh": "💾 保存常见问题", "en": "💾 Save the FAQ"},
    "kbui.faq.import": {"zh": "📥 导入 Excel 或 CSV 表格", "en": "📥 Import an Excel or CSV sheet"},
    "kbui.faq.import_help": {
        "zh": "表格第一行写列名：问题、答案、相似问法（相似问法用“|”或换行隔开）。导入的内容先放进上面的表格，核对后点“保存常见问题”才生效。",
        "en": "Row 1 names the columns: question, answer, similar (phrasings separated by “|” or line breaks). Imported rows go into the table above; they take effect once you press “Save the FAQ”.",
    },
    "kbui.faq.imported": {
        "zh": "从“{file}”导入了 {n} 条，核对后点“保存常见问题”",
        "en": "Imported {n} entries from “{file}”; check them, then press “Save the FAQ”",
    },
    "kbui.faq.import_failed": {"zh": "没有导入：{why}", "en": "Nothing imported: {why}"},
    "kbui.faq.saved": {"zh": "已保存 {n} 条常见问题", "en": "Saved {n} FAQ entries"},
    "kbui.faq.no_question": {
        "zh": "第 {row} 行没有填问题",
        "en": "Row {row} has no question",
    },
    "kbui.faq.no_answer": {
        "zh": "第 {row} 行“{question}”还没有答案：请在“答案”一栏写上要回复客户的话",
        "en": "Row {row} “{question}” has no answer yet: write what to tell the customer under “Answer”",
    },
    "kbui.faq.duplicate": {
        "zh": "第 {row} 行的问题“{question}”和第 {first} 行重复：同一个问题只写一行，其他说法放进“相似问法”",
        "en": "Row {row} repeats the question “{question}” of row {first}: one row per question, other wordings under “Similar phrasings”",
    },
    "kbui.faq.too_long": {
        "zh": "第 {row} 行太长：问题和每个相似问法最多 500 字，答案最多 5000 字",
        "en": "Row {row} is too long: the question and each phrasing up to 500 characters, the answer up to 5,000",
    },
    "kbui.faq.thresholds": {
        "zh": "“反问确认的相似度”（{low}）不能高于“直接回答的相似度”（{high}）",
        "en": "The similarity to ask which ({low}) cannot be above the similarity to answer at once ({high})",
    },
    "kbui.faq.threshold_range": {
        "zh": "相似度要填 0 到 1 之间的数",
        "en": "Similarities are numbers from 0 to 1",
    },
    "kbui.faq.invalid": {
        "zh": "常见问题有地方不对：{detail}",
        "en": "Something in the FAQ is wrong: {detail}",
    },
    "kbui.faq.added_row": {
        "zh": "已把“{question}”加到常见问题第 {row} 行：请填上答案，再点“保存常见问题”",
        "en": "“{question}” is now row {row} of the FAQ: write its answer, then press “Save the FAQ”",
    },
    "kbui.faq.already": {
        "zh": "“{question}”已经在常见问题第 {row} 行了",
        "en": "“{question}” is already row {row} of the FAQ",
    },
    # -- hot questions -----------------------------------------------------------------
    "kbui.hot.title": {"zh": "🔥 热门问题", "en": "🔥 Hot questions"},
    "kbui.hot.help": {
        "zh": "最近 {days} 天客户问了、常见问题没能直接回答的问题，相近的问法合在一起，问得最多的在前。把常问的加进常见问题，写好答案，下次就能直接回答。",
        "en": "What customers asked in the last {days} days that no FAQ entry answered, similar wordings together, the most asked first. Add the common ones to the FAQ with an answer, and they are answered at once next time.",
    },
    "kbui.hot.col.question": {"zh": "问题", "en": "Question"},
    "kbui.hot.col.count": {"zh": "次数", "en": "Times"},
    "kbui.hot.col.wordings": {"zh": "其他问法", "en": "Other wordings"},
    "kbui.hot.none": {
        "zh": "最近 {days} 天没有常见问题答不上的问题",
        "en": "Nothing went unanswered by the FAQ in the last {days} days",
    },
    "kbui.hot.refresh": {"zh": "🔄 刷新", "en": "🔄 Refresh"},
    "kbui.hot.pick": {"zh": "选一个热门问题", "en": "Pick a hot question"},
    "kbui.hot.add": {"zh": "➕ 加入常见问题", "en": "➕ Add to the FAQ"},
    "kbui.hot.pick_first": {
        "zh": "先在下拉框里选一个热门问题",
        "en": "Pick a hot question in the list first",
    },
    # -- 试聊: what the last reply used ------------------------------------------------
    "kbui.try.faq_answer": {
        "zh": "常见问题直接回答：{question}",
        "en": "Answered from the FAQ: {question}",
    },
    "kbui.try.faq_ask": {"zh": "反问：{questions}", "en": "Asked which: {questions}"},
    "kbui.try.faq_hint": {
        "zh": "参考了常见问题：{question}",
        "en": "Used the FAQ entry: {question}",
    },
    "kbui.try.passages": {"zh": "参考了文档：", "en": "Used from the documents:"},
    "kbui.try.passage": {
        "zh": "{where}（相关度 {score}）",
        "en": "{where} (score {score})",
    },
}
