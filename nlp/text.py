"""Length-preserving text normalisation.

Every function here keeps ``len(out) == len(text)`` so that a span found in the
normalised text can be cut from the original: entities are returned as written.
"""

from __future__ import annotations

import re

# Inputs are truncated before any analysis: a 100,000-character paste must not stall a turn.
MAX_CHARS = 4000

_HTML_TAG = re.compile(r"<[^<>]{0,300}>|&(?:[a-zA-Z]{2,8}|#\d{1,6});")

# Traditional -> simplified for the characters that carry complaint meaning (1:1 only).
_TRAD = (
    "買买賣卖質质電电話话號号錢钱貨货壞坏機机費费務务賠赔償偿換换維维訂订單单價价門门"
    "廣广場场際际時时萬万塊块圓圆週周後后來来個个們们這这說说還还沒没為为東东發发與与"
    "過过問问題题應应處处銷销車车衛卫術术醫医藥药療疗險险氣气遊游樂乐課课學学會会員员"
    "約约語语請请讓让給给對对點点樣样實实現现當当總总產产務务費费麵面飯饭雞鸡魚鱼湯汤"
    "廳厅館馆約约據据證证標标準准計计數数裝装線线網网購购開开關关裡里裏里擊击損损傷伤"
    "經经營营區区縣县鎮镇華华國国際际鞍鞍張张掖掖達达鐘钟錶表鞋鞋帽帽裝装衣衣褲裤"
    "護护膚肤藥药劑剂兒儿嬰婴紙纸尿尿褲裤輛辆駕驾駛驶際际飛飞億亿兩两廠厂導导師师"
    "訴诉謝谢幫帮聯联繫系熱热潔洁髮发寶宝貝贝險险賬账戶户額额聽听見见覺觉頭头臉脸"
    "鐵铁鋼钢鍋锅碼码簽签辦办準准種种爛烂誤误錯错補补騙骗騙骗歡欢認认識识讀读寫写"
)
_TRAD_MAP = {ord(_TRAD[i]): _TRAD[i + 1] for i in range(0, len(_TRAD) - 1, 2)}


# Full-width ASCII (U+FF01-FF5E) and the ideographic space map to ASCII; one C-level pass.
_WIDTH_MAP = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_NORMALIZE_MAP = _WIDTH_MAP | _TRAD_MAP


def fold_width(text: str) -> str:
    """Full-width ASCII (digits, letters, symbols) to half-width; same length."""
    return text.translate(_WIDTH_MAP)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def normalize(text: str) -> str:
    """Fold width, map traditional characters, blank out HTML tags and entities."""
    out = text.translate(_NORMALIZE_MAP)
    if "<" in out or "&" in out:
        out = _HTML_TAG.sub(_blank, out)
    return out


# A review site appends the business's answer ("宾馆反馈2008年6月3日：…"): its apologies and
# promises are not the consumer's complaint.
_REPLY = re.compile(r"(?:宾馆|酒店|商家|卖家|店家|掌柜)(?:反馈|回复)\s*(?:\d{4}年|[:：])")


def own_words(text: str) -> str:
    """The consumer's text without an appended reply of the business."""
    match = _REPLY.search(text)
    return text[: match.start()] if match and match.start() > 0 else text


def clip(text: str, limit: int = MAX_CHARS) -> str:
    """The first ``limit`` characters (long pastes keep their beginning)."""
    return text if len(text) <= limit else text[:limit]


CLAUSE_SPLIT = re.compile(r"[，,。!！?？;；\n\r~～…]+")


def clauses(text: str) -> list[tuple[int, str]]:
    """Clauses (start offset, text) split on punctuation."""
    out: list[tuple[int, str]] = []
    start = 0
    for m in CLAUSE_SPLIT.finditer(text):
        if m.start() > start:
            out.append((start, text[start : m.start()]))
        start = m.end()
    if start < len(text):
        out.append((start, text[start:]))
    return out
