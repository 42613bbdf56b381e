"""What a chat message asks for (DESIGN §5 chat words), Chinese and English."""

from __future__ import annotations

import re

from nlp.demands import parse_demands
from nlp.rules import category_votes, nature_votes
from nlp.text import clip, normalize
from nlp.tokenizer import cut
from nlp.types import Intent

_REF = r"(?:TS\d{6,}|\d{6,})"
_STAFF = re.compile(
    r"^/?(?:绑定|受理|回复|方案|拒绝|处理|办结)(?:\s|$|[:：]|(?=TS\d|\d))"
    r"|^/?列表\s*$"
    r"|^/?(?:bind|accept|reply|propose|proposal|refuse|reject|handle|close|finish)(?:\s+\S|$)"
    r"|^/list\s*$|^list\s*$",
    re.IGNORECASE,
)
# Consumer replies that the negotiation handler owns (accept, rate, escalate): not new intents.
_NEGOTIATION = re.compile(
    r"^/?(?:转投诉|接受|不接受|评价|同意|不同意)(?:\s|$|\d|[:：])|^/?(?:escalate|rate)\b",
    re.IGNORECASE,
)
_CANCEL_START = re.compile(r"^/?(?:取消|撤回|撤销|撤诉)|^/?(?:cancel|withdraw)\b", re.IGNORECASE)
_CANCEL_PHRASE = re.compile(
    r"不投诉了|不想投诉了|不用投诉了|不投了|算了吧?$|不用了|撤回投诉|撤销投诉|取消投诉|"
    r"never ?mind|stop it", re.IGNORECASE,
)
_STATUS_START = re.compile(r"^/?(?:查询|查一下|查下|查|进度)|^/?(?:status|progress|track)\b", re.I)
_STATUS_PHRASE = re.compile(
    r"进度|进展|状态|到哪一?步|处理得?怎么样|怎么样了|有结果了?吗|有没有结果|有回复了?吗|"
    r"有没有回复|什么时候处理|还没处理|受理了吗|处理了吗|回复了吗|结果如何|"
    r"status|progress|any update|what happened to my", re.IGNORECASE,
)
_HELP = re.compile(
    r"^/?(?:帮助|help|菜单|menu|说明)\b|^[?？]+$|怎么用|如何使用|使用说明|怎么投诉|如何投诉|怎样投诉|"
    r"能做什么|有什么功能|不会用|怎么操作|how (?:do|to|does)|what can you", re.IGNORECASE,
)
_GREETING = re.compile(
    r"^(?:/start|你好|您好|在吗|在不在|哈喽|嗨|喂|早上好|上午好|中午好|下午好|晚上好|早安|晚安|"
    r"hello|hi|hey|good (?:morning|afternoon|evening)|谢谢|多谢|thanks|thank you)[\s!！。.,，~～啊呀呢哈]*",
    re.IGNORECASE,
)
_COMPLAIN = re.compile(
    r"^/?(?:投诉|complain)|我要投诉|我想投诉|要投诉|想投诉|投诉一下|我要举报|举报|维权|曝光|"
    r"file a complaint|i want to complain|complaint|complain about", re.IGNORECASE,
)
_EN_PROBLEM = re.compile(
    r"\b(?:broke|broken|defective|faulty|refund|fake|overcharged|scam|cheated|damaged|"
    r"doesn'?t work|not working|stopped working|never arrived|refuse[sd]?)\b", re.IGNORECASE,
)


def _is_narrative(norm: str) -> bool:
    """A complaint story: a problem cue, a demand, or a product with enough words."""
    if len(norm) < 6:
        return False
    if nature_votes(norm) or parse_demands(norm) or _EN_PROBLEM.search(norm):
        return True
    return bool(category_votes(cut(norm))) and len(norm) >= 12


def detect_intent(text: str) -> Intent:
    """Complaint narrative, status query, cancel, help, greeting, staff command or other."""
    norm = normalize(clip(text or "", 2000)).strip()
    if not norm:
        return Intent.OTHER
    if _STAFF.search(norm):
        return Intent.STAFF
    if _NEGOTIATION.search(norm):
        return Intent.OTHER
    short = len(norm) <= 30
    if short and (_CANCEL_START.search(norm) or _CANCEL_PHRASE.search(norm)):
        return Intent.CANCEL
    if _STATUS_START.search(norm) or (_STATUS_PHRASE.search(norm) and len(norm) <= 40):
        return Intent.STATUS
    if re.fullmatch(_REF, norm):
        return Intent.STATUS
    if _HELP.search(norm) and not re.search(r"我要投诉|我想投诉", norm) and short:
        return Intent.HELP
    greeting = _GREETING.match(norm)
    rest = norm[greeting.end() :].strip() if greeting else norm
    if greeting and len(rest) <= 3:
        return Intent.GREETING
    if _COMPLAIN.search(rest) or _is_narrative(rest):
        return Intent.COMPLAIN
    return Intent.OTHER
