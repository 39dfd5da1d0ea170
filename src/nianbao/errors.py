"""Errors for unreadable input: a stable English code plus a one-line Chinese message.

Every message says what is wrong, where, and what to do. The CLI prints ``message``
as is; the API raises ``ParseError``; batch results carry ``code`` and ``message``.
"""

from __future__ import annotations


class NianbaoError(Exception):
    """Base class; ``code`` is stable and documented, ``message`` is for people."""

    def __init__(self, code: str, message: str, where: str | None = None) -> None:
        self.code = code
        self.message = message
        self.where = where
        super().__init__(self.one_line())

    def one_line(self) -> str:
        prefix = f"{self.where}：" if self.where else ""
        return f"{prefix}{self.message} [{self.code}]"

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "where": self.where}


class ParseError(NianbaoError):
    """The input could not be read as an annual report at all."""


# code -> message template; the catalogue is documented in docs/errors.md (generated).
MESSAGES: dict[str, str] = {
    "file_not_found": "找不到文件；请检查路径是否正确。",
    "not_a_file": "这不是一个普通文件；请给出年报文件或包含年报的目录。",
    "file_unreadable": "无法读取文件（{detail}）；请检查文件权限。",
    "empty_input": "文件为空（0 字节）；请确认文件已完整下载或导出。",
    "file_too_large": "文件过大（{size}，上限 {limit}）；年报通常不超过几 MB，请确认文件是否正确，"
    "或用环境变量 NIANBAO_MAX_BYTES 调高上限。",
    "binary_input": "文件不是文本、网页或 Word 文档，看起来是二进制数据；请提供 DOCX、HTML、"
    "Markdown 或文本格式的年报。",
    "encoding_unknown": "无法识别文件的文字编码（已尝试 UTF-8、GB18030、Big5、UTF-16）；"
    "请将文件另存为 UTF-8 编码后重试。",
    "pdf_unsupported": "暂不支持直接读取 PDF；请先用 PDF 转换工具转为 Markdown 或文本后再解析。",
    "doc_unsupported": "这是旧版 Word（.doc）文件，暂不支持；请在 Word 或 WPS 中另存为 .docx 后重试。",
    "zip_not_docx": "这是一个 ZIP 压缩包或 Excel/PowerPoint 等文件，不是 Word 文档；"
    "如是压缩包请解压后分别解析其中的年报。",
    "docx_encrypted": "这是一份设置了打开密码的 Word 文档，无法读取；请在 Word 或 WPS 中取消密码后"
    "另存为 .docx 再解析。",
    "docx_corrupt": "Word 文档已损坏或不完整（{detail}）；请重新下载或在 Word 中打开后另存为 .docx。",
    "archive_too_large": "Word 文档解压后过大（{size}，上限 {limit}），疑似压缩炸弹；已拒绝读取。",
    "not_a_report": "内容不是政府信息公开工作年度报告（未找到统计表，也未找到年报的各部分标题）；"
    "请确认文件是否选错。",
    "blank_template": "这是一份空白的年报格式模板（表格中没有任何数值）；请填写数据后再解析。",
    "internal_error": "解析时发生内部错误（{detail}）；这是 nianbao 的缺陷，请把该文件和本信息报告给开发者。",
    "unknown_format": "无法识别的输入格式“{detail}”；可选：text、html、docx、markdown。",
}


def parse_error(code: str, where: str | None = None, **fields: object) -> ParseError:
    return ParseError(code, MESSAGES[code].format(**fields), where)
