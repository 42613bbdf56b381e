"""Corrections at any point of the intake: "金额改成300", "电话写错了", "change amount to 300"."""

from __future__ import annotations

import re
from dataclasses import dataclass

_FIELD_WORDS: tuple[tuple[str, str], ...] = (
    ("amount", r"金额|价格|价钱|钱数|付款金额|amount|price"),
    ("consumer_phone", r"手机号码?|手机|电话号码?|电话|联系电话|phone|mobile"),
    ("purchase_date", r"购买日期|购买时间|日期|时间|date"),
    ("merchant", r"商家名称|商家|店名|店铺|企业|merchant|business|shop"),
    ("product", r"商品|产品|服务项目|product|goods"),
    ("demands", r"诉求|要求|demands?"),
    ("consumer_address", r"我的地址|地址|address"),
    ("consumer_name", r"姓名|名字|name"),
    ("channel", r"购买方式|购买渠道|渠道|channel"),
    ("facts", r"问题描述|描述|情况|description|facts"),
)
_FIELD = "|".join(f"(?P<{name}>{words})" for name, words in _FIELD_WORDS)
_SET = re.compile(
    rf"^(?:把|将)?\s*(?:{_FIELD})\s*(?:改成|改为|更正为|更改为|换成|应该是|应为|要改成)\s*[:：]?\s*(?P<value>.+)$",
    re.I | re.S,
)
_SET_EN = re.compile(rf"^(?:change|correct|set)\s+(?:the\s+)?(?:{_FIELD})\s+to\s+(?P<value>.+)$",
                     re.I | re.S)
_REASK = re.compile(
    rf"^(?:{_FIELD})\s*(?:写错了|填错了|错了|不对|有误|要改|需要修改|要修改|is wrong|was wrong)[了。!！]*$",
    re.I,
)
_REASK_EN = re.compile(rf"^(?:change|correct|edit)\s+(?:the\s+)?(?:{_FIELD})$", re.I)


@dataclass(frozen=True)
class Correction:
    field: str
    value: str | None
    """The new value as typed, or None when the user only said the field is wrong."""


def find_correction(text: str) -> Correction | None:
    stripped = text.strip()
    for pattern in (_SET, _SET_EN):
        match = pattern.match(stripped)
        if match:
            return Correction(_field_of(match), match.group("value").strip())
    for pattern in (_REASK, _REASK_EN):
        match = pattern.match(stripped)
        if match:
            return Correction(_field_of(match), None)
    return None


def _field_of(match: re.Match[str]) -> str:
    for name, _ in _FIELD_WORDS:
        if match.group(name):
            return name
    raise AssertionError("a field group always matches")
