"""Phone numbers and order numbers."""

from __future__ import annotations

import re

from nlp.text import normalize

_SEP = r"[ \-\u2010-\u2015]?"
# Mainland mobile 1[3-9]x xxxx xxxx, optionally +86, with spaces or dashes between groups.
_MOBILE = re.compile(
    r"(?<![\dA-Za-z*])(?:\+?86" + _SEP + r")?(?P<num>1" + _SEP + r"[3-9](?:" + _SEP + r"\d){9})"
    r"(?![\dA-Za-z*])"
)
# Landline with area code: 010/02x + 8 digits, 0xxx + 7-8 digits; "(0412)1234567" too.
_LANDLINE = re.compile(
    r"(?<![\dA-Za-z*])\(?(?P<area>0(?:10|2\d|[3-9]\d{2}))\)?" + _SEP
    + r"(?P<local>[1-9]\d{2,3}" + _SEP + r"\d{4})(?![\dA-Za-z*])"
)
_HOTLINE = re.compile(r"(?<![\dA-Za-z*])(?P<num>[48]00" + _SEP + r"\d{3}" + _SEP + r"\d{4})(?!\d)")

_ORDER_CUE = re.compile(
    r"(?:订单编号|订单号码|订单号|订单|单号|合同编号|合同号|运单号|快递单号|交易号|交易单号|流水号|"
    r"编号|order\s*(?:no\.?|number|id|#)?|Order\s*(?:No\.?|number|ID|#)?)"
    r"\s*(?:是|为|:|：|#|＃)?\s*"
)
_ORDER_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-*]{5,39}")
_MASKED_OR_CODE = re.compile(r"(?=(?:[^\d]*\d){4})")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def find_mobile(norm: str) -> tuple[str, int] | None:
    m = _MOBILE.search(norm)
    return (_digits(m.group("num")), m.start()) if m else None


def find_landline(norm: str) -> tuple[str, int] | None:
    for m in _LANDLINE.finditer(norm):
        local = _digits(m.group("local"))
        area = m.group("area")
        if (len(area) == 3 and len(local) != 8) or len(local) not in (7, 8):
            continue
        return f"{area}-{local}", m.start()
    hotline = _HOTLINE.search(norm)
    return (_digits(hotline.group("num")), hotline.start()) if hotline else None


def find_phone(norm: str) -> str | None:
    """The first mobile number, else the first landline, normalised."""
    mobile = find_mobile(norm)
    if mobile:
        return mobile[0]
    landline = find_landline(norm)
    return landline[0] if landline else None


def parse_phone(text: str) -> str | None:
    """A mobile ("13912345678") or landline ("0412-1234567") from an answer."""
    return find_phone(normalize(text)[:200])


def parse_mobile(text: str) -> str | None:
    """Only a mainland mobile number, 11 digits."""
    found = find_mobile(normalize(text)[:200])
    return found[0] if found else None


# Without a cue word: a masked number (38806*********41207) or a long digit run, which in a
# complaint is an order number; not a masked phone and not an ID-card number.
_BARE_ORDER = re.compile(r"(?<![\dA-Za-z*])(?:\d{2,}\*{4,}\d*|\d{15,22})(?![\dA-Za-z*])")
_MASKED_PHONE = re.compile(r"1[3-9]\d\*{4}\d{4}")
_ID_CARD = re.compile(r"[1-8]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]")


def find_order_no(norm: str) -> tuple[int, int] | None:
    """Span of an order or contract number: after a cue word, else a masked or long number."""
    for cue in _ORDER_CUE.finditer(norm):
        m = _ORDER_VALUE.match(norm, cue.end())
        if m and _MASKED_OR_CODE.match(m.group(0)):
            value = m.group(0).rstrip("-")
            return m.start(), m.start() + len(value)
    for m in _BARE_ORDER.finditer(norm):
        token = m.group(0)
        if _MASKED_PHONE.fullmatch(token) or _ID_CARD.fullmatch(token):
            continue
        return m.start(), m.end()
    return None


def parse_order_no(text: str) -> str | None:
    """An order number from an answer: after a cue word, or the answer itself."""
    norm = normalize(text)[:200]
    span = find_order_no(norm)
    if span:
        return norm[span[0] : span[1]]
    tokens: list[str] = re.findall(r"[A-Za-z0-9][A-Za-z0-9\-*]{5,39}", norm)
    for token in tokens:
        if len(_digits(token)) >= 4 and not _MOBILE.fullmatch(token):
            return token.rstrip("-")
    return None
