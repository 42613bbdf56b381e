"""Footprint (issue 8: RSS ≤ 250 MB with 100,000 stored complaints and 10,000 active
conversations): the resident memory of one real ``odrbot serve`` process.

    .venv/bin/python -m bench.footprint_bench [--complaints 100000] [--users 10000]

1. A scratch SQLite database is migrated and given the demo registry by the CLI
   (``odrbot db upgrade``, ``odrbot enterprises import``), then 3,000 more enterprises in
   30 districts and the complaints (states as a year of ODR produces them, one consumer
   with a WeChat identity per 1.25 complaints, the submit event of each, the three clock
   timers of each open case) in bulk, with the columns the repositories write.
2. ``odrbot serve`` starts with WeChat enabled (plaintext mode) against a fake WeChat API
   on loopback served by this process; configuration through ``ODRBOT_*`` variables.
3. ``--users`` WeChat users each talk to ``POST /wechat`` with signed XML: a complaint
   in their own words (different shop, product, amount and date per user), then the
   answers to the intake's next two questions, so each ends mid-intake with a stored
   conversation state. Every reply must be a passive reply (<Content>).
4. Then ``--streams`` web-chat visitors open the page, say one thing and keep the event
   stream (SSE) open, as a browser tab does.
5. VmRSS and VmHWM (peak) of the server from /proc/<pid>/status: when ready, after a
   warm-up of 200 users, after the load, after 5 s idle, and with the streams open.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import insert

from bot.adapters.web.routes import COOKIE
from storage.engine import create_engine
from storage.tables import complaint_events, complaints, consumers, enterprises, identities, timers
from storage.uow import Database

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "footprintToken"
APP_ID = "wx00000000footprint"
NOW = datetime.now(UTC).replace(microsecond=0)
STATES = ["closed"] * 30 + ["settled"] * 15 + ["not_settled"] * 10 + ["overdue"] * 5 + \
    ["submitted"] * 5 + ["accepted"] * 5 + ["negotiating"] * 5 + ["withdrawn"] * 3 + \
    ["escalated"] * 2
OPEN = {"submitted", "accepted", "negotiating"}
SHOPS = ["鑫汇购物广场", "万象城", "鸿运超市", "新玛特", "百盛", "苏宁易购", "国美电器"]
GOODS = [("洗衣机", "用了两天就不脱水了"), ("羽绒服", "穿了一周就大量跑绒"),
         ("冰箱", "不制冷"), ("手机", "充不进电"), ("运动鞋", "开胶了"), ("电饭煲", "漏电")]
ANSWERS = ["线下", "张三 13912345678"]
CHUNK = 10_000


# --- the database -----------------------------------------------------------------


def cli(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def consumers_for(count: int) -> int:
    return max(1, count * 4 // 5)  # some consumers complained twice


def complaint_row(n: int, count: int, rng: random.Random) -> dict[str, Any]:
    submitted = NOW - timedelta(seconds=rng.randrange(365 * 86400))
    state = rng.choice(STATES)
    resolved = None if state in OPEN or state == "overdue" else \
        submitted + timedelta(seconds=rng.randrange(3600, 20 * 86400))
    shop, (product, facts) = rng.choice(SHOPS), rng.choice(GOODS)
    return dict(
        id=n, reference=f"TS{submitted:%Y%m%d}{n:06d}", consumer_id=n % consumers_for(count) + 1,
        enterprise_id=f"fp{rng.randrange(3000)}", status=state, merchant=shop,
        merchant_address="胜利南路12号", product=product, purchase_date=submitted.date(),
        amount=float(rng.randrange(10, 9999)), channel=rng.choice(["online", "offline"]),
        facts=f"{product}{facts}", demands=["refund"], consumer_name="张三",
        consumer_phone=f"139{n:08d}", consumer_address="鞍山市铁东区", category="G01",
        nature="quality", prepaid=False, source_channel="wechat", consent_at=submitted,
        submitted_at=submitted, deadline=(submitted + timedelta(days=14)).date(),
        updated_at=resolved or submitted, extended_days=0, resolved_at=resolved,
        resolved_on_time=None if resolved is None else True)


def open_timers(row: dict[str, Any]) -> list[dict[str, Any]]:
    if row["status"] not in OPEN:
        return []
    due = max(NOW + timedelta(days=1), row["submitted_at"] + timedelta(days=7))
    return [dict(complaint_id=row["id"], kind=kind, due_at=due + timedelta(days=k),
                 state="pending")
            for k, kind in enumerate(("staff_half", "staff_day_before", "deadline"))]


async def seed(url: str, count: int) -> None:
    rng = random.Random(8)
    db = Database(create_engine(url))
    try:
        async with db.unit_of_work() as uow:
            conn = uow.connection
            await conn.execute(insert(enterprises), [dict(
                id=f"fp{i}", name=f"鞍山第{i}商贸有限公司", aliases=[f"第{i}商贸"],
                district=f"辽宁省鞍山市{i % 30}区", address="", categories=["G01"],
                enrolled=True, created_at=NOW) for i in range(3000)])
            people = list(range(1, consumers_for(count) + 1))
            for start in range(0, len(people), CHUNK):
                part = people[start:start + CHUNK]
                await conn.execute(insert(consumers), [dict(
                    id=c, name="张三", phone=f"138{c:08d}", address="鞍山市", created_at=NOW)
                    for c in part])
                await conn.execute(insert(identities), [dict(
                    channel="wechat", external_id=f"oSeed{c:08d}", consumer_id=c,
                    language="zh", created_at=NOW) for c in part])
            for start in range(1, count + 1, CHUNK):
                rows = [complaint_row(n, count, rng) for n in range(start, min(count + 1, start + CHUNK))]
                await conn.execute(insert(complaints), rows)
                await conn.execute(insert(complaint_events), [dict(
                    complaint_id=r["id"], action="submit", to_status="submitted",
                    actor="consumer", at=r["submitted_at"]) for r in rows])
                due = [t for r in rows for t in open_timers(r)]
                if due:
                    await conn.execute(insert(timers), due)
            await uow.commit()
    finally:
        await db.dispose()


# --- the fake WeChat API and the users -------------------------------------------


async def fake_wechat_api() -> web.AppRunner:
    async def token(request: web.Request) -> web.Response:
        return web.json_response({"access_token": "FOOTPRINT", "expires_in": 7200})

    async def custom_send(request: web.Request) -> web.Response:
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    app = web.Application()
    app.add_routes([web.post("/cgi-bin/stable_token", token), web.get("/cgi-bin/token", token),
                    web.post("/cgi-bin/message/custom/send", custom_send)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    return runner


def signed(user: int, turn: int, text: str) -> tuple[dict[str, str], bytes]:
    ts, nonce = str(int(time.time())), f"n{user}t{turn}"
    xml = (f"<xml><ToUserName><![CDATA[gh_footprint]]></ToUserName>"
           f"<FromUserName><![CDATA[oFoot{user:07d}]]></FromUserName>"
           f"<CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
           f"<Content><![CDATA[{text}]]></Content>"
           f"<MsgId>{7 * 10**15 + user * 10 + turn}</MsgId></xml>")
    signature = hashlib.sha1("".join(sorted((TOKEN, ts, nonce))).encode()).hexdigest()
    return {"signature": signature, "timestamp": ts, "nonce": nonce}, xml.encode()


def opening(user: int) -> str:
    """A complaint in the user's own words: shop, product, fault, amount and day vary."""
    rng = random.Random(user)
    shop, (product, fault) = rng.choice(SHOPS), rng.choice(GOODS)
    return (f"我{rng.randrange(1, 28)}号在{shop}花了{rng.randrange(50, 9000)}元买了"
            f"{product}，{fault}，要求退货退款")


async def talk(url: str, users: range, concurrency: int) -> tuple[int, int]:
    """Each user's turns in order, ``concurrency`` users at a time; (turns, bad replies)."""
    queue = list(users)
    turns = bad = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal turns, bad
        while queue:
            user = queue.pop()
            for turn, text in enumerate([opening(user), *ANSWERS]):
                params, body = signed(user, turn, text)
                async with session.post(url, params=params, data=body) as response:
                    reply = await response.text()
                turns += 1
                bad += response.status != 200 or "<Content>" not in reply

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as s:
        await asyncio.gather(*(worker(s) for _ in range(concurrency)))
    return turns, bad


async def visitor(http: aiohttp.ClientSession, base: str, n: int) -> aiohttp.ClientResponse:
    """A web-chat visitor with the page open: the page's cookie, one message, and the
    event stream held open once the bot's answer came through it."""
    async with http.get(base + "/") as page:
        cookie = {"Cookie": f"{COOKIE}={page.cookies[COOKIE].value}"}
    async with http.post(base + "/chat/send", headers=cookie,
                         json={"id": "m1", "text": opening(n)}) as sent:
        sent.raise_for_status()
    stream = await http.get(base + "/chat/events", headers=cookie)
    while not (await stream.content.readline()).startswith(b"data:"):
        pass
    return stream


async def open_streams(http: aiohttp.ClientSession, base: str, count: int
                       ) -> list[aiohttp.ClientResponse]:
    gate = asyncio.Semaphore(32)

    async def one(n: int) -> aiohttp.ClientResponse:
        async with gate:
            return await visitor(http, base, n)

    return await asyncio.gather(*(one(n) for n in range(count)))


# --- the server -------------------------------------------------------------------


def memory(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) in MB."""
    fields = dict(line.split(":", 1) for line in
                  Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


async def wait_ready(base: str, server: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(1200):
            if server.returncode is not None:
                raise RuntimeError("the server exited at start")
            try:
                async with http.get(base + "/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("not ready in 60 s")


def counts(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as conn:
        return (conn.execute("SELECT count(*) FROM complaints").fetchone()[0],
                conn.execute("SELECT count(*) FROM conversations").fetchone()[0])


async def main(opts: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="footprint-") as folder:
        await run(opts, Path(folder))


async def run(opts: argparse.Namespace, folder: Path) -> None:
    api = await fake_wechat_api()
    site = web.TCPSite(api, "127.0.0.1", 0)
    await site.start()
    api_port = api.addresses[0][1]
    port = opts.port
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ODRBOT_")},
           "ODRBOT_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'odr.sqlite3'}",
           "ODRBOT_MEDIA_DIR": str(folder / "media"), "ODRBOT_SERVER_PORT": str(port),
           "ODRBOT_LOG_LEVEL": "WARNING", "ODRBOT_WECHAT_ENABLED": "true",
           "ODRBOT_WECHAT_TOKEN": TOKEN, "ODRBOT_WECHAT_APP_ID": APP_ID,
           "ODRBOT_WECHAT_APP_SECRET": "s" * 32, "ODRBOT_WECHAT_SPOOL_DIR": str(folder / "spool"),
           "ODRBOT_WECHAT_API_BASE": f"http://127.0.0.1:{api_port}"}
    started = time.perf_counter()
    cli(env, "db", "upgrade")
    cli(env, "enterprises", "import", str(ROOT / "bot" / "demo" / "enterprises.jsonl"))
    await seed(env["ODRBOT_DATABASE_URL"], opts.complaints)
    print(f"seeded {opts.complaints:,} complaints in {time.perf_counter() - started:.0f} s; "  # noqa: T201
          f"database {(folder / 'odr.sqlite3').stat().st_size / 2**20:.0f} MB")
    server = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "serve",
                                                  cwd=ROOT, env=env)
    rows: list[tuple[str, float, float, str]] = []
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_ready(base, server)
        rows.append(("ready", *memory(server.pid), ""))
        turns, bad = await talk(base + "/wechat", range(opts.users, opts.users + 200), 16)
        rows.append(("after warm-up (200 users)", *memory(server.pid), f"{turns} turns"))
        began = time.perf_counter()
        turns, bad = await talk(base + "/wechat", range(opts.users), opts.concurrency)
        took = time.perf_counter() - began
        rows.append((f"after {opts.users:,} users", *memory(server.pid),
                     f"{turns:,} turns in {took:.0f} s, {bad} bad replies"))
        await asyncio.sleep(5)
        rows.append(("5 s idle after", *memory(server.pid), ""))
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                         cookie_jar=aiohttp.DummyCookieJar()) as http:
            streams = await open_streams(http, base, opts.streams)
            rows.append((f"+ {opts.streams:,} web-chat pages open", *memory(server.pid),
                         "one message each, event stream held open"))
            for stream in streams:
                stream.close()
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), timeout=30)
        await api.cleanup()
    stored, conversations = counts(folder / "odr.sqlite3")
    print(f"database: {stored:,} complaints, {conversations:,} conversation states")  # noqa: T201
    print("| moment | VmRSS MB | VmHWM MB | load |\n|---|---|---|---|")  # noqa: T201
    for label, rss, hwm, note in rows:
        print(f"| {label} | {rss:.0f} | {hwm:.0f} | {note} |")  # noqa: T201


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--streams", type=int, default=2_000)
    parser.add_argument("--port", type=int, default=18940)
    asyncio.run(main(parser.parse_args()))
