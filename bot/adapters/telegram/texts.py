"""What the Telegram adapter itself says (Chinese first, English second).

The conversation's wording lives in ``handlers/texts.py``; this catalogue holds only
what is about Telegram: the command menu and notes on files and edits.
"""

from __future__ import annotations

NOTICES: dict[str, tuple[str, str]] = {
    "file_too_large": (
        "文件超过 20 MB，Telegram 不允许机器人下载。请压缩后重新发送，或直接发送照片。",
        "That file is larger than 20 MB, which Telegram does not let bots download. "
        "Please compress it, or send it as a photo.",
    ),
    "file_unavailable": (
        "这个文件无法下载，请重新发送一次。",
        "I could not download that file. Please send it again.",
    ),
    "edited": (
        "您修改了一条我已经处理过的消息，修改不会生效。如需更正，请直接发送一条新消息。",
        "You edited a message I had already handled, so the edit changes nothing. "
        "To correct something, please send a new message.",
    ),
}

# (command, Chinese description, English description) for setMyCommands.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("start", "开始使用", "Start"),
    ("complain", "我要投诉", "File a complaint"),
    ("status", "查询投诉进度（可附编号）", "Check your complaints (optionally a reference)"),
    ("cancel", "取消正在填写的投诉", "Cancel the complaint you are filling in"),
    ("help", "帮助", "Help"),
)


def language_of(code: str | None) -> str:
    """Telegram's ``language_code`` → our two languages (the handlers' rule)."""
    return "en" if code and code.lower().startswith("en") else "zh"


def notice(key: str, language: str | None) -> str:
    zh, en = NOTICES[key]
    return en if language_of(language) == "en" else zh
