"""The escalation pack: everything the regulator needs, as a text the consumer can submit."""

from __future__ import annotations

from bot.domain.complaint import Case, ThreadMessage, regulator_of
from handlers.labels import CHANNEL_LABELS, DEMAND_LABELS, label
from handlers.texts import text


def escalation_pack(case: Case, thread: list[ThreadMessage], lang: str) -> str:
    zh = lang != "en"
    demands = ("、" if zh else ", ").join(label(DEMAND_LABELS, d, lang) for d in case.demands)
    lines = [
        ("编号" if zh else "Reference", case.reference),
        ("投诉人" if zh else "Consumer", f"{case.consumer_name} {case.consumer_phone}"),
        ("投诉人地址" if zh else "Consumer address", case.consumer_address),
        ("被投诉方" if zh else "Respondent", case.enterprise_name),
        ("被投诉方地址" if zh else "Respondent address", case.merchant_address or "—"),
        ("商品/服务" if zh else "Goods/service", case.product),
        ("购买日期" if zh else "Purchased",
         case.purchase_date.isoformat() if case.purchase_date else "—"),
        ("金额" if zh else "Amount", f"{case.amount:g}" if case.amount is not None else "—"),
        ("购买方式" if zh else "Channel", label(CHANNEL_LABELS, case.channel, lang)),
        ("问题描述" if zh else "Facts", case.facts),
        ("诉求" if zh else "Demand", demands or "—"),
        ("提交时间" if zh else "Submitted", case.submitted_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("证据照片" if zh else "Photos", str(case.evidence_count)),
        ("管辖机关" if zh else "Competent regulator", regulator_of(case.enterprise_district)),
    ]
    body = [f"{name}：{value}" for name, value in lines]
    body.append("协商记录：" if zh else "Negotiation:")
    for item in thread or ():
        who = text(lang, f"sender.{item.sender}")
        body.append(f"  {item.at:%Y-%m-%d %H:%M} {who}：{item.text[:300]}")
    if not thread:
        body.append("  " + text(lang, "no_messages"))
    return "\n".join(body)
