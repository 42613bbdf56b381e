"""Every user-facing string of the WeChat channel (Chinese first, English second)."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u4e00-\u9fff]")

_TEXTS: dict[str, dict[str, str]] = {
    "choice": {"zh": "回复 {key} {label}", "en": "Reply {key} {label}"},
    "choice_word": {"zh": "回复「{label}」", "en": "Reply \"{label}\""},
    "pending": {"zh": "您有 {count} 条新消息：", "en": "You have {count} new messages:"},
    "template_first": {"zh": "您有新的投诉消息", "en": "You have a new message"},
    "template_remark": {"zh": "回复任意内容即可查看全部消息。",
                        "en": "Reply with anything to read all messages."},
}

MENU: tuple[tuple[str, str], ...] = (("投诉", "complain"), ("查询", "status"), ("帮助", "help"))
"""The custom menu (``odrbot wechat menu``): label and CLICK key, routed as click:<key>."""


def language_of(sample: str) -> str:
    """The adapter has no language setting of its own: follow the text it renders."""
    return "zh" if _CJK.search(sample) or not sample.strip() else "en"


def text(lang: str, name: str, **values: object) -> str:
    entry = _TEXTS[name]
    return entry.get(lang, entry["zh"]).format(**values)
