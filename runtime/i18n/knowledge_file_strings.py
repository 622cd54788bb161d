"""Documents for the knowledge base: what is wrong with a file, in plain words."""

KNOWLEDGE_FILE_STRINGS: dict[str, dict[str, str]] = {
    "kb.file.too_big": {
        "zh": "“{file}”有 {size}，超过了 {limit} 的上限。请把它拆成几个小文件再上传。",
        "en": "“{file}” is {size}, over the {limit} limit. Split it into smaller files and upload those.",
    },
    "kb.file.unsupported": {
        "zh": "“{file}”是不支持的文件类型（{ext}）。可以上传的类型：{supported}",
        "en": "“{file}” is a file type that cannot be used ({ext}). Types you can upload: {supported}",
    },
    "kb.file.no_extension": {"zh": "没有扩展名", "en": "no extension"},
    "kb.file.not_really": {
        "zh": "“{file}”的扩展名是 {ext}，但里面其实是{actual}，不是真正的 {ext} 文件。请用原来的软件打开它，另存为 {ext} 格式后再上传。",
        "en": "“{file}” is named {ext} but is really {actual}, not {expected}. Open it in the program that made it, save it as {ext} and upload that.",
    },
    "kb.file.not_really_unknown": {
        "zh": "“{file}”的扩展名是 {ext}，但里面不是真正的 {ext} 文件，可能是改过扩展名或者文件已经损坏。请用原来的软件另存一份再上传。",
        "en": "“{file}” is named {ext} but is not {expected}: its extension may have been changed, or it is damaged. Save it again from the program that made it and upload that.",
    },
    "kb.file.kind.word": {"zh": "Word 文档", "en": "a Word document"},
    "kb.file.kind.excel": {"zh": "Excel 表格", "en": "an Excel workbook"},
    "kb.file.kind.powerpoint": {"zh": "PPT 演示文稿", "en": "a PowerPoint presentation"},
    "kb.file.kind.pdf": {"zh": "PDF 文件", "en": "a PDF"},
    "kb.file.kind.text": {"zh": "纯文字文件", "en": "plain text"},
    "kb.file.kind.old_office": {
        "zh": "旧版 Word/Excel 文件（.doc 或 .xls）",
        "en": "an old Word or Excel file (.doc or .xls)",
    },
    "kb.file.kind.image": {"zh": "图片", "en": "a picture"},
    "kb.file.kind.program": {"zh": "程序文件", "en": "a program"},
    "kb.file.kind.archive": {"zh": "压缩包", "en": "a compressed archive"},
    "kb.file.zip_bomb": {
        "zh": "“{file}”解压后会有 {size}，超过了 {limit} 的上限，可能是损坏或者恶意的文件，没有打开它。",
        "en": "“{file}” would unpack to {size}, over the {limit} limit; it may be damaged or malicious, so it was not opened.",
    },
    "kb.file.zip_ratio": {
        "zh": "“{file}”里有一部分被压缩了 {ratio} 倍，正常文件不会这样，可能是恶意文件，没有打开它。",
        "en": "Part of “{file}” is compressed {ratio} times over, which normal files never are; it may be malicious, so it was not opened.",
    },
    "kb.file.corrupt": {
        "zh": "“{file}”已经损坏，读不出内容。请用原来的软件打开它，另存一份再上传。",
        "en": "“{file}” is damaged and cannot be read. Open it in the program that made it, save a new copy and upload that.",
    },
    "kb.file.pdf_encrypted": {
        "zh": "“{file}”是加密的 PDF（设了密码），读不出里面的文字。请去掉密码后再上传。",
        "en": "“{file}” is an encrypted PDF (it has a password), so its text cannot be read. Remove the password and upload it again.",
    },
    "kb.file.pdf_no_text": {
        "zh": "“{file}”这个 PDF 只有图片没有文字（可能是扫描件），读不出内容。请上传带文字的版本或 Word 文件。",
        "en": "“{file}” is a PDF of pictures with no text (perhaps a scan), so there is nothing to read. Upload a version with text, or a Word file.",
    },
    "kb.file.encoding": {
        "zh": "“{file}”的文字编码认不出来（既不是 UTF-8 也不是 GBK）。请用记事本打开它，另存为 UTF-8 编码后再上传。",
        "en": "The text encoding of “{file}” is not recognised (neither UTF-8 nor GBK). Open it in a text editor, save it as UTF-8 and upload it again.",
    },
    "kb.file.empty": {
        "zh": "“{file}”里没有找到文字，是空文件吗？",
        "en": "No text was found in “{file}”. Is it empty?",
    },
    "kb.file.column": {"zh": "第{n}列", "en": "Column {n}"},
}
