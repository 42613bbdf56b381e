"""Purchase channel (TAXONOMY §4) from cue words."""

from __future__ import annotations

import re

from nlp.text import normalize

# Ordered: a live-stream purchase is also online, so the more specific channel wins.
_ANSWER_CUES: tuple[tuple[str, str], ...] = (
    ("livestream", r"直播|主播|带货|live ?stream|live-stream|\blive\b"),
    ("tv_phone_mail", r"电视购物|电视上|电视里|电视广告|购物频道|电话购物|电话订购|电话推销|电话销售|"
                      r"电话里|电话买|打电话订|邮购|邮寄购买|目录购物|tv shopping|by phone|mail order"),
    ("online", r"网上|网购|网店|线上|淘宝|天猫|京东|拼多多|唯品会|苏宁易购|当当|亚马逊|闲鱼|得物|"
               r"小红书|抖音|快手|美团|饿了么|外卖|携程|飞猪|去哪儿|同程|官网|网站|小程序|公众号|"
               r"app|微店|微信|朋友圈|网页|online|internet|\bweb|taobao|\bjd\b"),
    ("offline", r"店里|门店|实体店|商场|超市|专卖店|专柜|柜台|现场|线下|卖场|市场|商店|店铺|"
                r"营业厅|药店|药房|4s店|售楼处|店内|店面|到店|商城|百货|广场|批发|摊|"
                r"offline|in store|in-store|\bshop|\bstore|\bmall"),
    ("tv_phone_mail", r"电话|电视|\btv\b|\bphone\b|\bmail\b"),
)
_ANSWER = tuple((code, re.compile(cues, re.IGNORECASE)) for code, cues in _ANSWER_CUES)

# In a narrative only unambiguous cues count: "电话" there is usually a call to the shop.
_TEXT_CUES: tuple[tuple[str, str, float], ...] = (
    ("livestream", r"直播间|直播带货|主播|看直播|在直播|直播下单|直播里|带货", 0.9),
    ("tv_phone_mail", r"电视购物|电话购物|电话订购|电话推销买|购物频道|邮购|电视广告买", 0.9),
    ("online", r"网上|网购|网店|线上|淘宝|天猫|京东|拼多多|唯品会|苏宁易购|当当|亚马逊|闲鱼|得物|"
               r"美团|饿了么|外卖|携程|飞猪|去哪儿|官网|小程序|旗舰店|自营|卖家|店家发|发货|物流|"
               r"快递|包邮|收到货|到货|下单|拍下|网页|购物车|专营店|好评|差评|返现|亲[，,!！ ]|"
               r"签收|退货运费|运费险|app|APP|App", 0.75),
    ("offline", r"店里|门店|实体店|商场|超市|专卖店|专柜|柜台|线下|卖场|营业厅|药店|药房|店内|到店|"
                r"售楼处|4S店买|4s店买|在4S店购|购车时|提车|店员|导购|收银|购物广场|购物中心|百货", 0.8),
)
_TEXT = tuple((code, re.compile(cues), weight) for code, cues, weight in _TEXT_CUES)


def parse_channel(text: str) -> str | None:
    """Channel from an answer: 网上买的/淘宝 → online, 店里 → offline, 直播间 → livestream."""
    norm = normalize(text)[:300]
    for code, pattern in _ANSWER:
        if pattern.search(norm):
            return code
    return None


def channel_scores(norm: str) -> dict[str, float]:
    """Cue counts per channel in a narrative, for the classifier's rule layer."""
    scores: dict[str, float] = {}
    for code, pattern, weight in _TEXT:
        hits = len(pattern.findall(norm))
        if hits:
            scores[code] = weight * min(hits, 3)
    return scores
