"""The escalation pack as a printable page, reached by a signed, expiring link.

The consumer gets the link in chat after 转投诉; the page holds every field, the
negotiation with times, the evidence list and the competent regulator (属地管辖), laid out
for "print to PDF" on a phone or a desktop. Everything shown is escaped."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from html import escape

from aiohttp import web

from bot.core.signing import sign, verify
from bot.domain.complaint import Case, ThreadMessage, regulator_of
from handlers.labels import CATEGORY_LABELS, CHANNEL_LABELS, DEMAND_LABELS, NATURE_LABELS, label
from storage.uow import Database

LINK_DAYS = 30
_CSS = """body{font:15px/1.6 "PingFang SC","Noto Sans CJK SC",sans-serif;max-width:800px;margin:24px auto;
padding:0 16px;color:#1d2321}h1{font-size:22px}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #cfd8d4;padding:6px 8px;text-align:left;vertical-align:top}
th{width:9em;background:#f3f5f4}.thread td{font-size:14px}.note{color:#4a5350;font-size:13px}
@media print{.noprint{display:none}body{margin:0}}"""


def pack_link(base_url: str, secret: str, reference: str, now: float | None = None) -> str:
    expires = str(int((now if now is not None else time.time()) + LINK_DAYS * 86400))
    return (f"{base_url.rstrip('/')}/pack/{reference}?exp={expires}"
            f"&sig={sign(secret, 'pack', reference, expires)}")


class EscalationPage:
    def __init__(self, db: Database, secret: Callable[[], str],
                 clock: Callable[[], datetime]) -> None:
        self._db = db
        self._secret = secret
        self._clock = clock

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/pack/{reference}", self.page)]

    async def page(self, request: web.Request) -> web.Response:
        reference = request.match_info["reference"]
        expires, signature = request.query.get("exp", ""), request.query.get("sig", "")
        if not (expires.isascii() and expires.isdigit() and verify(self._secret(), signature, "pack", reference,
                                             expires)):
            raise web.HTTPForbidden(text="invalid link")
        if int(expires) < self._clock().timestamp():
            raise web.HTTPGone(text="this link has expired; send 查询 in the chat for a new one")
        async with self._db.unit_of_work() as uow:
            case = await uow.cases.by_reference(reference)
            thread = await uow.cases.thread(case.id) if case else []
            photos = await uow.cases.evidence_paths(case.id) if case else []
        if case is None:
            raise web.HTTPNotFound(text="no such complaint")
        html = render_pack(case, thread, [sha for _path, sha in photos])
        return web.Response(text=html, content_type="text/html", headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex"})


def render_pack(case: Case, thread: list[ThreadMessage], photos: list[str]) -> str:
    rows = [
        ("投诉编号", case.reference), ("投诉人", case.consumer_name),
        ("联系电话", case.consumer_phone), ("投诉人地址", case.consumer_address),
        ("被投诉方", case.enterprise_name), ("被投诉方地址", case.merchant_address or "—"),
        ("商品/服务", case.product),
        ("购买日期", case.purchase_date.isoformat() if case.purchase_date else "—"),
        ("金额（元）", f"{case.amount:g}" if case.amount is not None else "—"),
        ("购买方式", label(CHANNEL_LABELS, case.channel, "zh")),
        ("订单号", case.order_no or "—"),
        ("投诉类别", label(CATEGORY_LABELS, case.category, "zh")),
        ("问题性质", label(NATURE_LABELS, case.nature, "zh")),
        ("诉求", "、".join(label(DEMAND_LABELS, d, "zh") for d in case.demands) or "—"),
        ("问题描述", case.facts),
        ("提交时间", case.submitted_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("ODR处理期限", case.deadline.isoformat()),
        ("管辖机关（属地）", regulator_of(case.enterprise_district)),
    ]
    table = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    talk = "".join(
        f"<tr><td>{m.at:%Y-%m-%d %H:%M}</td><td>{escape(_who(m.sender))}</td>"
        f"<td>{escape(m.text)}</td></tr>" for m in thread) or "<tr><td colspan=3>无</td></tr>"
    evidence = "".join(f"<li>照片 {i + 1}（SHA-256 {escape(sha[:16])}…）</li>"
                       for i, sha in enumerate(photos)) or "<li>无</li>"
    return (f"<!doctype html><html lang=zh-CN><head><meta charset=utf-8>"
            f"<meta name=viewport content='width=device-width,initial-scale=1'>"
            f"<title>投诉材料 {escape(case.reference)}</title><style>{_CSS}</style></head><body>"
            f"<h1>消费投诉材料（ODR 转市场监管部门）</h1>"
            f"<p class=note>提交至全国12315平台 https://www.12315.cn 或拨打 12315。"
            f"<span class=noprint>可用浏览器「打印 → 存储为 PDF」保存。</span></p>"
            f"<table>{table}</table><h2>协商记录</h2><table class=thread>{talk}</table>"
            f"<h2>证据</h2><ul>{evidence}</ul></body></html>")


def _who(sender: str) -> str:
    return {"consumer": "消费者", "enterprise": "企业", "system": "系统"}.get(sender, sender)
