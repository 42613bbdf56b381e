"""The regulator / operator dashboard at ``/admin`` (login by a one-time link).

Operators see figures, never a consumer's personal data. Filters: period and district.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from html import escape

from aiohttp import web

from bot.domain.deadlines import CHINA
from bot.pages.charts import bars, columns
from bot.services.regulator_report import (
    DIMENSIONS,
    Report,
    build_report,
    key_figures,
    percent,
    shown,
    to_csv,
)
from storage.regulator import Period
from storage.uow import Database

COOKIE = "odr_admin"
SESSION = timedelta(hours=12)
TITLES = {"category": "按类别", "nature": "按问题性质", "district": "按地区", "enterprise": "按企业",
          "channel": "按购买方式"}
_CSS = """body{font:15px/1.5 "PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;background:#f3f5f4;
color:#1d2321}header{background:#0b6e4f;color:#fff;padding:10px 16px;display:flex;
justify-content:space-between;align-items:center}main{padding:16px;max-width:1100px;margin:auto}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px}
.tile{background:#fff;border-radius:8px;padding:10px}.tile b{display:block;font-size:22px}
section{background:#fff;border-radius:8px;padding:12px;margin-top:12px}.grid{display:grid;
grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:12px}.chart{width:100%;height:auto}
.chart rect{fill:#0b6e4f}.chart text{font-size:11px;fill:#1d2321}table{border-collapse:collapse;
width:100%}td,th{border-bottom:1px solid #dde3e0;padding:4px 6px;text-align:left}
form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end}.muted{color:#6b7572}
button,input{font:inherit;padding:4px 8px}header form{margin:0}"""
HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                      "form-action 'self'", "X-Frame-Options": "DENY",
           "Cache-Control": "no-store", "Referrer-Policy": "same-origin"}


class AdminDashboard:
    def __init__(self, db: Database, clock: Callable[[], datetime], secure: bool) -> None:
        self._db = db
        self._clock = clock
        self._secure = secure

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/admin/login", self.login), web.get("/admin", self.dashboard),
                web.get("/admin/export.csv", self.export), web.post("/admin/logout", self.logout)]

    async def login(self, request: web.Request) -> web.StreamResponse:
        token = request.query.get("token", "")
        now = self._clock()
        session, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(16)
        async with self._db.unit_of_work() as uow:
            operator = await uow.operators.use_login(token, now) if token else None
            if operator is None:
                return _page("登录链接无效", "<p>登录链接无效、已使用或已过期。请运行 "
                             "<code>odrbot operator invite 姓名</code> 获取新的链接。</p>", 403)
            await uow.operators.add_token(operator, "session", session, now + SESSION, csrf)
            await uow.commit()
        response = web.HTTPSeeOther("/admin")
        response.set_cookie(COOKIE, session, httponly=True, samesite="Strict",
                            secure=self._secure, max_age=int(SESSION.total_seconds()))
        raise response

    async def _operator(self, request: web.Request) -> tuple[str, str]:
        token = request.cookies.get(COOKIE, "")
        async with self._db.unit_of_work() as uow:
            session = await uow.operators.session(token, self._clock()) if token else None
        if session is None:
            raise web.HTTPUnauthorized(text="请使用 odrbot operator invite 生成的登录链接登录。",
                                       content_type="text/plain")
        return session.name, session.csrf

    async def _report(self, request: web.Request) -> Report:
        today = self._clock().astimezone(CHINA).date()
        first = _day(request.query.get("from"), today - timedelta(days=89))
        last = _day(request.query.get("to"), today)
        if last < first:
            first, last = last, first
        district = request.query.get("district", "").strip()[:100] or None
        start = datetime(first.year, first.month, first.day, tzinfo=CHINA)
        end = datetime(last.year, last.month, last.day, tzinfo=CHINA) + timedelta(days=1)
        return await build_report(self._db, Period(start, end, district), first, last, today,
                                  self._clock())

    async def dashboard(self, request: web.Request) -> web.Response:
        name, csrf = await self._operator(request)
        report = await self._report(request)
        return _page("ODR 监管看板", _body(report, request.query_string), 200, name, csrf)

    async def export(self, request: web.Request) -> web.Response:
        await self._operator(request)
        report = await self._report(request)
        filename = f"odr-stats-{report.first_day}-{report.last_day}.csv"
        return web.Response(text="\ufeff" + to_csv(report), content_type="text/csv",
                            charset="utf-8", headers={
                                "Content-Disposition": f'attachment; filename="{filename}"'})

    async def logout(self, request: web.Request) -> web.StreamResponse:
        _name, csrf = await self._operator(request)
        form = await request.post()
        if not secrets.compare_digest(str(form.get("csrf", "")), csrf):
            raise web.HTTPForbidden(text="bad CSRF token")
        async with self._db.unit_of_work() as uow:
            await uow.operators.end_session(request.cookies.get(COOKIE, ""))
            await uow.commit()
        response = web.HTTPSeeOther("/admin")
        response.del_cookie(COOKIE)
        raise response


EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


def _day(value: str | None, default: date) -> date:
    """A filter date, kept within years the data can hold (0001 or 9999 would overflow)."""
    try:
        day = date.fromisoformat(value) if value else default
    except ValueError:
        return default
    return min(max(day, EARLIEST), LATEST)


def _body(report: Report, query: str) -> str:
    tiles = "".join(f"<div class=tile>{escape(k)}<b>{escape(v)}</b></div>"
                    for k, v in key_figures(report))
    district = escape(report.period.district or "")
    filters = (f"<form class=filters method=get action='/admin'>"
               f"<label>从 <input type=date name=from value='{report.first_day}'></label>"
               f"<label>到 <input type=date name=to value='{report.last_day}'></label>"
               f"<label>地区 <input name=district value='{district}' placeholder='如 辽宁省鞍山市'>"
               f"</label><button>筛选</button>"
               f"<a href='/admin/export.csv?{escape(query)}'>导出 CSV</a></form>")
    charts = "".join(
        f"<section><h3>{TITLES[d]}</h3>"
        f"{bars([(shown(d, k), n) for k, n in report.counts[d][:12]])}</section>"
        for d in DIMENSIONS)
    worst = "".join(
        f"<tr><td>{escape(r.name)}</td><td>{escape(r.district)}</td><td>{r.on_time}/{r.due}</td>"
        f"<td>{percent(r.rate)}</td></tr>" for r in report.worst) or \
        "<tr><td colspan=4 class=muted>无（至少 5 件到期投诉的企业才参与排名）</td></tr>"
    return (f"{filters}<div class=tiles>{tiles}</div>"
            f"<section><h3>每周投诉量</h3>{columns(report.weekly)}</section>"
            f"<div class=grid>{charts}</div>"
            f"<section><h3>按时办结率最低的企业</h3><table><tr><th>企业</th><th>地区</th>"
            f"<th>按时/到期</th><th>按时办结率</th></tr>{worst}</table></section>"
            f"<section class=muted><p>按时办结率：到期（已有结果或已过期限日）的投诉中，在期限日结束前"
            f"得出结果的比例（撤回的不计）。和解成功率：有结果的投诉中，消费者接受企业方案的比例。"
            f"活跃度：在此期间处理过投诉的在册企业占比。中位时长按分钟分段统计，与精确值相差不超过 1.6%。"
            f"{_as_of(report)}</p></section>")


def _as_of(report: Report) -> str:
    """Figures come from rollups refreshed in the background (bot/refresher.py)."""
    if report.as_of is None:
        return "统计数据尚未汇总，请稍后刷新。"
    return f"数据截至 {report.as_of.astimezone(CHINA):%Y-%m-%d %H:%M:%S}（北京时间）。"


def _page(title: str, body: str, status: int, operator: str = "", csrf: str = ""
          ) -> web.Response:
    logout = (f"<form method=post action='/admin/logout'><input type=hidden name=csrf "
              f"value='{escape(csrf)}'>{escape(operator)} <button>退出</button></form>"
              if operator else "")
    html = (f"<!doctype html><html lang=zh-CN><head><meta charset=utf-8><meta name=viewport "
            f"content='width=device-width,initial-scale=1'><title>{escape(title)}</title>"
            f"<style>{_CSS}</style></head><body><header><b>{escape(title)}</b>{logout}</header>"
            f"<main>{body}</main></body></html>")
    return web.Response(text=html, content_type="text/html", status=status, headers=HEADERS)
