"""Demands (诉求, TAXONOMY §3): what the consumer asks for."""

from __future__ import annotations

import re

from nlp.scan import WordScanner, ascii_lower
from nlp.text import normalize

DEMAND_ORDER = (
    "return", "refund", "exchange", "repair", "redo", "make_up", "compensation", "punitive",
    "apology", "perform", "other",
)

# Word lists per demand; the first matching list wins for overlapping spans.
_LEXICON: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("punitive", ("退一赔三", "退1赔3", "假一赔十", "假1赔10", "三倍赔偿", "3倍赔偿", "十倍赔偿",
                  "10倍赔偿", "惩罚性赔偿", "赔三倍", "赔偿三倍", "赔十倍", "三倍赔付", "十倍赔付",
                  "punitive", "treble", "triple")),
    ("return", ("退货", "退掉", "退机", "退车", "退回去", "退回给", "给退了", "退了它", "退件",
                "把货退", "把东西退", "退换货", "退换", "退了吧", "回购", "退车退款", "return")),
    ("refund", ("退款", "退钱", "退费", "退购置税", "退全款", "退订金", "退定金", "退押金", "退还", "返还",
                "把钱退", "钱退", "退我钱", "退给我", "退学费", "退差价", "补差价", "退回货款", "退回费用",
                "钱还我", "还我钱", "还钱", "返钱", "退回钱", "退款给我", "refund", "money back",
                "reimburse")),
    ("exchange", ("换货", "换房", "换换", "换一部", "换部新", "换台新", "换回来", "换码", "换尺码", "换号", "换大一码", "换小一码",
                  "换一箱", "换一包", "换一盒", "换成正确", "换个房间", "换房间", "换一个", "换个新", "换新", "调换", "更换", "换机", "换一台", "换一件",
                  "换一双", "换车", "给换", "换掉", "换个好的", "换一换", "换个", "重新发一个", "exchange",
                  "replace")),
    ("repair", ("维修", "修理", "修好", "返修", "保修", "修一下", "修复", "检修", "repair", "fix")),
    ("redo", ("重做", "重新做", "重新提供", "重新安装", "重新装", "重新服务", "重新处理", "返工",
              "重拍", "redo", "do it again")),
    ("make_up", ("补发", "补足", "补齐", "补寄", "补给我", "补上", "补货", "make up", "resend")),
    ("compensation", ("赔偿", "补偿", "赔钱", "索赔", "赔付", "赔损失", "承担损失", "赔我", "compensation",
                      "compensate", "damages")),
    ("apology", ("道歉", "赔礼", "致歉", "赔不是", "apology", "apologize", "apologise", "sorry")),
    ("perform", ("发货", "履行", "履约", "兑现", "开课", "上课", "交付", "交房", "交车", "按约定", "按合同",
                 "按承诺", "送货", "安排发", "给我发", "把赠品", "送赠品", "给赠品", "perform", "deliver",
                 "ship")),
)
_SPECIAL = {"退一赔三": ("refund", "punitive"), "退1赔3": ("refund", "punitive"),
            "退换货": ("return", "exchange"), "退换": ("return", "exchange")}

_CODE_OF: dict[str, str] = {}
for _code, _words in _LEXICON:
    for _word in _words:
        _CODE_OF.setdefault(ascii_lower(_word), _code)
_SCANNER = WordScanner(_CODE_OF)

# In a free narrative a demand counts only when the consumer asks for it (要求/希望/想...).
_ASK = re.compile(
    r"要求|希望|想要|想|请求|请|申请|能不能|能否|可不可以|可否|诉求|我要|要个|帮我|帮忙|赶紧|尽快|还我|"
    r"让商家|让卖家|让店家|让厂家|让平台|求|麻烦|"
    r"want|request|demand|please|ask", re.IGNORECASE
)
# Weak ask words count only right before the thing asked: "要退款", "找客服退货", "只能退货".
_ASK_NEAR = re.compile(
    r"((?<!需)要|给我|必须|只能|马上|立即|立刻|提出|联系[^，。,不]{0,3}|找[^，。,不]{0,3}|办理)$"
)
# The ask word itself denied or not the consumer's: "不能申请退款", "不想退了", "请问".
_ASK_DENIED = re.compile(r"(不|没|没有|未|无法|不能|不可以|不让|不予)$")
_NOT_ASKING = re.compile(r"(请问|想到|想起|想象|想法|理想|求助)")
# A wish only wished or given up ("真想退货", "本来想换"), or a sum the other side announced
# ("通知我要交…"), is not the consumer's ask; nor is a polite 请 quoted from them ("说请申请换货").
_GIVEN_UP = re.compile(r"(真|本|本来|原本|原来|差点)$")
_TOLD = re.compile(r"(通知|告诉|告知|说|说请)$")
# The other side's demand, not the consumer's: "客服要求一次性提货", "商家要求把赠品寄回";
# but "找客服要求退款" is the consumer asking the other side.
_THEIR_ASK = re.compile(
    r"(?<!找)(?<!联系)(?<!跟)(?<!向)(?<!和)(?<!给)(?<!让)"
    r"(客服|商家|卖家|店家|售后|平台|厂家|对方|店员|经销商|4S店|他们|退货|退款)$"
)
# A bare 退/换 right after the ask ends the clause: "想退！", "只能先退", "我想换行吗"; a wish that was
# given up or only wished ("本想退的", "真想退了") is not an ask.
_BARE_ASK = r"(?<![不本真都来])(?:想|要求|申请|提出|希望)"
_BARE_END = r"(?:吧|了?(?=[，。,!！?？\s]|行吗|可以吗|吗|么|$))"
# Asked as a question: "能不能退?", "能换吗", "给退吗", "麻烦给退一下".
_BARE_QUESTION = r"(?:能不能|能否|可不可以|可以|能|给不给|给)"
_BARE_RETURN = re.compile(
    r"(?:" + _BARE_ASK + "|只能先)退" + _BARE_END + "|" + _BARE_QUESTION + r"退(?:吗|么|[?？]|一下)"
    r"|(?:麻烦|请)给退"
)
_BARE_EXCHANGE = re.compile(
    _BARE_ASK + "换" + _BARE_END + "|" + _BARE_QUESTION + r"换(?:吗|么|[?？]|一下)"
)
# A demand word shouted on its own ("质量太差，退钱!"), or one addressed to the other side with
# the consumer as object ("老板赔我的好心情", "商家退我钱").
_SHOUTED = re.compile(r"[!！]")
_CLAUSE_START = re.compile(r"(^|[，。,!！?？;；\s])$")
_ADDRESSED = re.compile(r"(老板|商家|卖家|店家|客服|平台|京东|淘宝|厂家|你们)(赶紧|快|马上)?$")
_DONE_AFTER = re.compile(r"[^，。,!！?？]{0,2}[了过]")
# Asked after the fact: "退货可以吗", "退款行不行"; "能退吗" needs 能/可以 right before.
_ASK_AFTER = re.compile(r"^[^，。,!！?？]{0,3}(可以吗|可以不|行不行|好吗|行吗|申请)")
_ASK_QUESTION = (re.compile(r"(能|可以|可不可以|给不给)[^，。,!！?？]{0,2}$"),
                 re.compile(r"^[^，。,!！?？]{0,3}[吗么]"))
# "实在不行就退了": a fallback the consumer states is labelled (eval README's rule too).
_FALLBACK = re.compile(r"(实在不行|不行的话|不行就|再不行)[^。！？!?]{0,4}退(?:了|掉|货)?")
# An order that never arrived cannot be returned: 退货 there asks for the money back.
_NEVER_ARRIVED = re.compile(r"没收到货|未收到货|没有收到|没收到|未收到|没发货|未发货|不发货|一直没到|还没到|没到货")
# Mentions of a policy or a process, not a request: "七天无理由退货", "退款到账", "退货运费";
# only right next to the word ("要求退货，说好的支持7天无理由退货呢" still asks).
_POLICY_BEFORE = re.compile(r"(无理由|支持|已|已经)$")
_POLICY_AFTER = re.compile(r"(运费|政策|规则|流程|到账|期限|条件|中|成功|费|点|站|中心|期|后|就得|就要|就必须|得先)")
_ASKED_RIGHT_BEFORE = re.compile(r"(申请|要求)$")
# ...but a request under review is one the consumer made: "退款审核中", "换货申请中".
_PENDING_AFTER = re.compile(r"(审核中|审批中|申请中|处理中)")
# ...unless the consumer asked under the policy: "申请了七天无理由退货".
_ASKED_UNDER_POLICY = re.compile(r"(申请|要求|想|希望|提出)[^，。,!！?？]{0,7}(无理由|支持)$")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
_NEG = re.compile(r"(不予|拒绝|不给|不让|不肯|不同意|不能|无法|没法|不可以|不|没|没有|未|拒不)$")
_NEG_QUESTION = re.compile(r"(能不能|可不可以|给不给|能不)$")  # "能不能换一双" asks
_VAGUE = re.compile(
    r"(要求|希望|想要|想让|(?<![邀])请(?![问假客])|诉求|恳请|(?<![很太挺好真常较嫌怕])麻烦(?![死了])|"
    r"(?<![失绝观看欲声渴名])望|讨个|讨回|(?<![没不人])(?:要|给)(?:我|本人)?(?:一)?个)[^，。,!！]{0,16}"
    r"(解决|处理|说法|交代|解释|答复|回复|负责|重视|整改|调查|核实|查处|严查|彻查|查清|公道|给个结果|介入|"
    r"召回|延保|质保|(?:补|开)[^，。,!！]{0,4}发票)"
)


def _codes(text: str, require_ask: bool) -> list[str]:
    found: list[str] = []
    for start, word in _SCANNER.find(text):
        end = start + len(word)
        head = text[max(0, start - 4) : start]
        if _NEG.search(head) and not _NEG_QUESTION.search(head):
            continue
        if require_ask and not (_asked(text, start, end) or _stated(text, start, end, word)):
            continue
        found.extend(_SPECIAL.get(word, (_CODE_OF[word],)))
    return found


def _stated(text: str, start: int, end: int, word: str) -> bool:
    """Shouted on its own, or addressed to the other side with the consumer as object."""
    if _CLAUSE_START.search(text[max(0, start - 1) : start]) and _SHOUTED.match(text, end):
        return True
    addressed = _ADDRESSED.search(text[max(0, start - 6) : start])
    return "我" in word and addressed is not None and not _DONE_AFTER.match(text, end)


def _asked(text: str, start: int, end: int) -> bool:
    if _PENDING_AFTER.match(text, end):
        return True
    if _POLICY_AFTER.match(text, end):
        return bool(_ASKED_RIGHT_BEFORE.search(text[max(0, start - 2) : start]))
    if _POLICY_BEFORE.search(text[max(0, start - 4) : start]):
        return bool(_ASKED_UNDER_POLICY.search(text[max(0, start - 14) : start]))
    head = max(0, start - 16)
    before = _SENTENCE_END.split(text[head:start])[-1]
    offset = start - len(before)
    for ask in reversed(list(_ASK.finditer(before))):
        at = offset + ask.start()
        if _consumer_asks(text, at):
            return True
    near_at = max(0, start - 6)
    near = _ASK_NEAR.search(text[near_at:start])
    if near and not _ASK_DENIED.search(text[max(0, near_at + near.start() - 3) : near_at + near.start()]):
        return True
    after = text[end : end + 8]
    if _ASK_AFTER.search(after):
        return True
    return bool(_ASK_QUESTION[0].search(before) and _ASK_QUESTION[1].search(after))


def _consumer_asks(text: str, at: int) -> bool:
    """The ask word at ``at`` is the consumer's own, not denied, not a question."""
    head = text[max(0, at - 8) : at]
    if _ASK_DENIED.search(head[-3:]) or _THEIR_ASK.search(head) or _TOLD.search(head):
        return False
    if text.startswith("想", at) and _GIVEN_UP.search(head):
        return False
    return not _NOT_ASKING.match(text, at)


def _vague_ask(text: str) -> bool:
    """An unspecific ask (要求尽快处理, 希望给个说法) made by the consumer."""
    return any(_consumer_asks(text, match.start()) for match in _VAGUE.finditer(text))


def _ordered(codes: list[str]) -> tuple[str, ...]:
    return tuple(code for code in DEMAND_ORDER if code in codes)


def parse_demands(text: str) -> tuple[str, ...]:
    """Demands named in an answer ("我要退货退款", "换货或者维修", "退一赔三", "refund")."""
    norm = normalize(text)[:500]
    found = _codes(norm, require_ask=False)
    if "退货退款" in norm:
        found.extend(("return", "refund"))
    if not found and _VAGUE.search(norm):
        found.append("other")
    return _ordered(found)


def demands_in_narrative(norm: str) -> tuple[str, ...]:
    """Demands a complaint narrative states as asked for (要求/希望/想… before the word)."""
    found = _codes(norm, require_ask=True)
    if _FALLBACK.search(norm) or _BARE_RETURN.search(norm):
        found.append("return")
    if _BARE_EXCHANGE.search(norm):
        found.append("exchange")
    if "return" in found and _NEVER_ARRIVED.search(norm):
        found = [code for code in found if code != "return"] + ["refund"]
    if not found and _vague_ask(norm):
        found.append("other")
    return _ordered(found)
