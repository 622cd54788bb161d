"""The knowledge base and FAQ: settings' labels, replies, the command line."""

KNOWLEDGE_STRINGS: dict[str, dict[str, str]] = {
    "field.knowledge_base": {"zh": "知识库", "en": "Knowledge base"},
    "field.knowledge_base.top_k": {"zh": "每次回复参考的段落数", "en": "Passages per reply"},
    "field.knowledge_base.min_score": {"zh": "段落最低相关度", "en": "Lowest passage score"},
    "field.faq": {"zh": "常见问题", "en": "FAQ"},
    "field.faq.answer_above": {"zh": "直接回答的相似度", "en": "Similarity to answer at once"},
    "field.faq.ask_above": {"zh": "反问确认的相似度", "en": "Similarity to ask which"},
    "field.faq.entries": {"zh": "常见问题", "en": "FAQ entries"},
    "field.faq.entries.question": {"zh": "问题", "en": "Question"},
    "field.faq.entries.answer": {"zh": "答案", "en": "Answer"},
    "field.faq.entries.similar": {"zh": "相似问法", "en": "Similar phrasings"},
    "spec.what.faq_question": {"zh": "常见问题", "en": "FAQ question"},
    "spec.faq_thresholds": {
        "zh": "{field} 是 {low}，不能高于“直接回答的相似度”（{high}）",
        "en": "{field} is {low}; it cannot be above the similarity to answer at once ({high})",
    },
    "kb.lib.no_such_file": {
        "zh": "知识库里没有文件“{file}”",
        "en": "The knowledge base has no file “{file}”",
    },
    "kb.lib.bad_name": {
        "zh": "文件名“{file}”不能用：请用不含 / \\ : * ? 等符号、不以点开头、不超过 120 个字的名字",
        "en": "The file name “{file}” cannot be used: no / \\ : * ? and the like, no leading dot, at most 120 characters",
    },
    "kb.lib.unsupported": {
        "zh": "“{file}”不是知识库能读的文件类型；能读的有：{kinds}",
        "en": "“{file}” is not a type the knowledge base reads; it reads: {kinds}",
    },
    "kb.lib.unreadable": {
        "zh": "读不了文件“{file}”（权限或磁盘问题）",
        "en": "Cannot read the file “{file}” (permissions or disk)",
    },
    "kb.note": {
        "zh": "（给你的参考资料，不要复述，也不要提起它：\n{passages}\n只根据这些参考资料和你已知的产品知识回答；资料里没有的，就说：“{fallback}”）",
        "en": '(Reference for you, do not repeat or mention it:\n{passages}\nAnswer only from the reference and the product knowledge you were given; if they do not cover it, say: "{fallback}")',
    },
    # what the bot says when its documents do not cover a question (not screened out
    # of replies as an echo of the note: it is a parameter of kb.note, not its wording)
    "kb.fallback": {
        "zh": "这个我不太清楚，我帮您转人工，或者您留个联系方式，我们稍后回复您。",
        "en": "I'm not sure about that; I can pass you to a colleague, or leave your contact and we'll get back to you.",
    },
    "kb.note.faq": {
        "zh": "常见问题：{question} 答：{answer}",
        "en": "FAQ: {question} Answer: {answer}",
    },
    "kb.faq.ask": {
        "zh": "您想问的是哪一个？回复序号即可：\n{questions}",
        "en": "Which one did you mean? Reply with its number:\n{questions}",
    },
    "kb.faq.type": {
        "zh": "常见问题只能从 Excel（.xlsx）或 CSV 文件导入，“{file}”不是",
        "en": "The FAQ is imported from Excel (.xlsx) or CSV files; “{file}” is neither",
    },
    "kb.faq.not_excel": {
        "zh": "“{file}”不是能打开的 Excel 文件（可能已损坏，或其实是别的格式）",
        "en": "“{file}” is not an Excel file that opens (damaged, or another format)",
    },
    "kb.faq.too_big": {
        "zh": "“{file}”超过 {limit} MB，常见问题表不会这么大，请检查文件",
        "en": "“{file}” is over {limit} MB, too big for an FAQ sheet; check the file",
    },
    "kb.faq.no_header": {
        "zh": "“{file}”第 1 行要有“问题”和“答案”两列（可选“相似问法”）",
        "en": "Row 1 of “{file}” needs the columns “question” and “answer” (and optionally “similar”)",
    },
    "kb.faq.too_many": {
        "zh": "“{file}”超过 {most} 行，请分成几个文件导入",
        "en": "“{file}” has more than {most} rows; import it in parts",
    },
    "kb.faq.no_question": {
        "zh": "“{file}”第 {row} 行有答案但没有问题",
        "en": "Row {row} of “{file}” has an answer but no question",
    },
    "kb.faq.no_answer": {
        "zh": "“{file}”第 {row} 行没有答案",
        "en": "Row {row} of “{file}” has no answer",
    },
    "kb.faq.too_long": {
        "zh": "“{file}”第 {row} 行太长：问题最多 500 字，答案最多 5000 字",
        "en": "Row {row} of “{file}” is too long: questions up to 500 characters, answers up to 5,000",
    },
    "kb.faq.duplicate": {
        "zh": "“{file}”第 {row} 行的问题“{question}”和第 {first} 行重复",
        "en": "Row {row} of “{file}” repeats the question “{question}” of row {first}",
    },
    "kb.faq.empty": {
        "zh": "“{file}”里没有常见问题（除表头外都是空行）",
        "en": "“{file}” holds no FAQ (nothing under the header)",
    },
    "kb.cli.cannot_read": {"zh": "读不了文件 {file}", "en": "Cannot read {file}"},
    "kb.cli.added": {
        "zh": "✔ 已加入 {file}：{n} 段",
        "en": "✔ Added {file}: {n} passages",
    },
    "kb.cli.none": {
        "zh": "机器人 {bot} 的知识库里还没有文件",
        "en": "The knowledge base of {bot} has no documents yet",
    },
    "kb.cli.row": {
        "zh": "{file}\t{n} 段\t{at} 添加\t{kb} KB",
        "en": "{file}\t{n} passages\tadded {at}\t{kb} KB",
    },
    "kb.cli.removed": {"zh": "已移除 {file}", "en": "Removed {file}"},
    "kb.cli.nothing": {
        "zh": "知识库里没有找到相关内容",
        "en": "Nothing in the knowledge base matches",
    },
    "kb.cli.faq_imported": {
        "zh": "已导入 {n} 条常见问题，机器人 {bot} 现在共有 {total} 条",
        "en": "Imported {n} FAQ entries; {bot} now has {total}",
    },
    "overview.faq_answers": {"zh": "常见问题直接回答", "en": "Answered from the FAQ"},
}
