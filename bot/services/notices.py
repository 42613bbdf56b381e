"""What the negotiation tells each side: the user-facing strings of bot/services.

Chinese first, English second; ``notice(lang, key, **values)`` picks one.
"""

from __future__ import annotations

from typing import Any

_NOTICES: dict[str, tuple[str, str]] = {
    # --- to staff --------------------------------------------------------------------------
    "new_case": (
        "【新投诉 {ref}】{category}｜{nature}\n商品/服务：{product}\n金额：{amount}\n"
        "购买日期：{date}\n诉求：{demands}\n描述：{facts}\n证据照片：{evidence} 张\n"
        "处理期限：{deadline}\n回复「受理 {ref}」受理。",
        "[New complaint {ref}] {category} | {nature}\nGoods/service: {product}\n"
        "Amount: {amount}\nPurchased: {date}\nDemand: {demands}\nDescription: {facts}\n"
        "Photos: {evidence}\nDeadline: {deadline}\nSend \"受理 {ref}\" to accept it.",
    ),
    "consumer_said": (
        "【{ref} 消费者】{text}\n回复「回复 {ref} 内容」答复消费者。",
        "[{ref} consumer] {text}\nSend \"回复 {ref} <text>\" to answer.",
    ),
    "consumer_photo": ("【{ref} 消费者】发来一张照片。", "[{ref} consumer] sent a photo."),
    "proposal_accepted": (
        "【{ref}】消费者已接受方案。履行后请回复「办结 {ref} 结果」。",
        "[{ref}] The consumer accepted the offer. When done, send \"办结 {ref} <result>\".",
    ),
    "proposal_rejected": (
        "【{ref}】消费者不接受方案。{reason}",
        "[{ref}] The consumer rejected the offer. {reason}",
    ),
    "withdrawn_staff": ("【{ref}】消费者已撤回投诉。", "[{ref}] The consumer withdrew the complaint."),
    "rated_staff": ("【{ref}】消费者评价：{stars} 星。", "[{ref}] Consumer rating: {stars}/5."),
    "escalated_staff": (
        "【{ref}】消费者已将投诉转交市场监管部门。",
        "[{ref}] The consumer escalated the complaint to the market regulator.",
    ),
    "colleague_acted": ("【{ref}】{who}：{what}", "[{ref}] {who}: {what}"),
    # --- to the consumer -------------------------------------------------------------------
    "accepted": (
        "【{ref}】「{enterprise}」已受理您的投诉，将与您协商解决。",
        "[{ref}] \"{enterprise}\" accepted your complaint and will work it out with you.",
    ),
    "staff_said": (
        "【{ref}】「{enterprise}」：{text}\n（直接回复即可答复企业）",
        "[{ref}] \"{enterprise}\": {text}\n(Just reply to answer the business.)",
    ),
    "staff_photo": ("【{ref}】「{enterprise}」发来一张照片。", "[{ref}] \"{enterprise}\" sent a photo."),
    "proposed": (
        "【{ref}】「{enterprise}」提出解决方案：{text}\n请回复「接受」或「不接受」。",
        "[{ref}] \"{enterprise}\" offers: {text}\nReply \"accept\" or \"reject\".",
    ),
    "accept_word": ("接受", "accept"),
    "reject_word": ("不接受", "reject"),
    "refused": (
        "【{ref}】「{enterprise}」未能满足您的诉求，理由：{text}\n"
        "您可以回复「转投诉 {ref}」请市场监管部门处理，或回复「查询 {ref}」查看详情。",
        "[{ref}] \"{enterprise}\" declined your demand: {text}\nYou may send "
        "\"escalate {ref}\" to take it to the market regulator.",
    ),
    "settled_done": (
        "【{ref}】「{enterprise}」已办结：{text}\n请回复「评价 1-5」为本次处理打分（5 分最满意）。",
        "[{ref}] \"{enterprise}\" closed the case: {text}\nPlease rate it: \"rate 1-5\" "
        "(5 is best).",
    ),
    "none": ("无", "none"),
}


def notice(lang: str | None, key: str, **values: Any) -> str:
    zh, en = _NOTICES[key]
    template = en if (lang or "").lower().startswith("en") else zh
    return template.format(**values)
