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
    "consumer_photo_caption": ("【{ref} 消费者的照片】", "[{ref} photo from the consumer]"),
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
    "extended_staff": (
        "【{ref}】消费者同意继续等待 {days} 个工作日，新的处理期限：{deadline}。",
        "[{ref}] The consumer gives {days} more working days; new deadline {deadline}.",
    ),
    "closed_by_consumer": ("【{ref}】消费者已结束该投诉。", "[{ref}] The consumer closed the case."),
    "reminder_half": (
        "【{ref}】提醒：处理期限 {deadline} 已过半，请尽快与消费者协商。",
        "[{ref}] Reminder: half the time to {deadline} has passed.",
    ),
    "reminder_day_before": (
        "【{ref}】提醒：处理期限 {deadline}，只剩最后一个工作日。",
        "[{ref}] Reminder: one working day left before the deadline {deadline}.",
    ),
    "reminder_accept": (
        "【{ref}】受理期限已到，请尽快受理并联系消费者。",
        "[{ref}] The time to accept this case is up; please accept and contact the consumer.",
    ),
    "overdue_staff": (
        "【{ref}】已超过处理期限（{deadline}），投诉已标记为超期，消费者可转交市场监管部门。",
        "[{ref}] The deadline {deadline} passed; the case is overdue and the consumer may "
        "escalate it to the regulator.",
    ),
    "settlement_check": (
        "【{ref}】和解方案已达成 {days} 天，请履行后回复「办结 {ref} 结果」。",
        "[{ref}] The settlement was agreed {days} days ago; when carried out, send "
        "\"办结 {ref} <result>\".",
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
    "staff_photo_caption": ("【{ref}】「{enterprise}」的照片", "[{ref}] photo from \"{enterprise}\""),
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
    "overdue": (
        "【{ref}】「{enterprise}」未在处理期限（{deadline}）内与您达成结果。您可以：\n"
        "· 回复「转投诉 {ref}」请市场监管部门处理\n"
        "· 回复「继续等待 天数」再给企业一些时间（如：继续等待 5）\n"
        "· 回复「结束 {ref}」结束本投诉",
        "[{ref}] \"{enterprise}\" did not reach a result by the deadline ({deadline}). "
        "You may:\n· send \"escalate {ref}\" to take it to the market regulator\n"
        "· send \"wait <days>\" to give the business more time (e.g. wait 5)\n"
        "· send \"close {ref}\" to end the complaint",
    ),
    "escalate_word": ("转投诉", "escalate"),
    "wait_word": ("继续等待5天", "wait 5 days"),
    "close_word": ("结束", "close"),
    "proposal_reminder": (
        "【{ref}】「{enterprise}」的方案仍在等待您的答复：{text}\n请回复「接受」或「不接受」。",
        "[{ref}] The offer of \"{enterprise}\" is waiting for your answer: {text}\n"
        "Reply \"accept\" or \"reject\".",
    ),
    "none": ("无", "none"),
}


def notice(lang: str | None, key: str, **values: Any) -> str:
    zh, en = _NOTICES[key]
    template = en if (lang or "").lower().startswith("en") else zh
    return template.format(**values)
