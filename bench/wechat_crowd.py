"""The users of ``bench/load_bench.py``: WeChat consumers who file a complaint by
answering what the bot asks, clerks who accept and answer, and the closed and open loops
that send their messages (each user's messages in order, one in flight at a time)."""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from bench.wechat_bench import TOKEN, sign

PRODUCTS = ("洗衣机", "冰箱", "电视机", "空调", "热水器", "手机")
CONTENT = re.compile(r"<Content><!\[CDATA\[(.*?)\]\]></Content>", re.S)
REFERENCE = re.compile(r"编号：(TS\d+)")


@dataclass
class Consumer:
    openid: str
    n: int
    last: str = ""
    ref: str = ""
    stage: str = "new"

    def next_text(self) -> str | None:
        """What this user says next, given the bot's last reply (None: conversation over)."""
        reply = self.last
        if self.stage == "new":
            self.stage = "intake"
            amount = 1000 + self.n % 4000
            return (f"我上周五在鑫汇购物广场花了{amount}元买了一台{PRODUCTS[self.n % 6]}，"
                    "用了两天就坏了，要求退货退款")
        if self.stage == "intake":
            for cue, answer in (("什么方式购买", "1"), ("姓名和手机号", f"王芳 139{self.n:08d}"),
                                ("城市和区县", "鞍山市铁东区"), ("请核对您的投诉", "1"),
                                ("个人信息保护法", "1")):
                if cue in reply:
                    return answer
            found = REFERENCE.search(reply)
            if found is None:
                raise ScriptError(reply)
            self.ref, self.stage = found.group(1), "query"
            return "查询"
        if self.stage == "query":
            self.stage = "message"
            return "请尽快联系我，谢谢"
        if self.stage == "message":
            self.stage = "query_one"
            return f"查询 {self.ref}"
        return None


@dataclass
class Clerk:
    openid: str
    code: str
    bound: bool = False
    todo: deque[str] = field(default_factory=deque)

    def next_text(self, refs: deque[str]) -> str | None:
        if not self.bound:
            self.bound = True
            return f"绑定 {self.code}"
        if self.todo:
            return self.todo.popleft()
        if refs:
            ref = refs.popleft()
            self.todo.append(f"回复 {ref} 您好，已收到，我们尽快处理")
            return f"受理 {ref}"
        return None


class ScriptError(Exception):
    """The bot said something this user's script does not expect."""


def callback(openid: str, text: str, msg_id: int) -> tuple[dict[str, str], bytes]:
    ts, nonce = str(1_795_000_000 + msg_id % 1_000_000), f"n{msg_id}"
    xml = (f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName>"
           f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
           f"<CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
           f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>")
    return {"signature": sign(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce}, xml.encode()


class Crowd:
    """Hands out the next message of an idle user; a user is busy while its message is in
    flight, so each user's messages go in order."""

    def __init__(self, codes: list[str], first_id: int, bare: bool) -> None:
        self.clerks = deque(Clerk(f"oClerk{k:03d}{first_id}", code) for k, code in enumerate(codes))
        self.consumers: deque[Consumer] = deque()
        self.refs: deque[str] = deque()
        self.next_user = 0
        self.msg_id = first_id
        self.first_id = first_id
        self.bare = bare
        self.tick = 0
        self.errors: dict[str, int] = {}
        self.complaints = 0

    def take(self) -> tuple[Consumer | Clerk, str]:
        self.tick += 1
        if self.clerks and self.tick % 5 == 0:
            clerk = self.clerks.popleft()
            said = clerk.next_text(self.refs)
            if said is not None:
                return clerk, said
            self.clerks.append(clerk)
        while True:
            user = (self.consumers.popleft() if self.consumers
                    else self._new_consumer())
            try:
                said = user.next_text()
            except ScriptError as exc:
                self.error("unexpected reply: " + str(exc)[:40])
                continue
            if said is not None:
                return user, said

    def _new_consumer(self) -> Consumer:
        self.next_user += 1
        return Consumer(f"oLoad{self.first_id}x{self.next_user:06d}", self.next_user)

    def back(self, user: Consumer | Clerk, reply: str | None) -> None:
        if isinstance(user, Clerk):
            self.clerks.append(user)
            return
        if reply is None:  # no reply to go on from (late, or an error): the user stops
            return
        user.last = reply
        if self.bare:
            user.stage = "done" if user.stage != "new" else user.stage
        elif user.stage == "query" and user.ref:
            if user.ref not in self.refs:
                self.refs.append(user.ref)
                self.complaints += 1
        self.consumers.append(user)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def message(self, user: Consumer | Clerk, text: str) -> tuple[dict[str, str], bytes]:
        self.msg_id += 1
        return callback(user.openid, text, self.msg_id)


async def _send(session: Any, url: str, crowd: Crowd) -> None:
    """One message of an idle user; what went wrong is counted in the crowd."""
    import aiohttp

    user, text = crowd.take()
    params, body = crowd.message(user, text)
    reply = None
    try:
        async with session.post(url, params=params, data=body) as response:
            answer = await response.text()
        if response.status != 200:
            crowd.error(f"HTTP {response.status}")
        elif answer == "success":
            crowd.error("answered late (success)")
        else:
            found = CONTENT.search(answer)
            reply = found.group(1) if found else None
            if reply is None:
                crowd.error("no content")
    except (TimeoutError, aiohttp.ClientError) as exc:
        crowd.error(type(exc).__name__)
    crowd.back(user, reply)


async def closed_loop(url: str, crowd: Crowd, concurrency: int, seconds: float) -> dict[str, Any]:
    import aiohttp

    done = 0
    stop = time.perf_counter() + seconds

    async def runner(session: aiohttp.ClientSession) -> None:
        nonlocal done
        while time.perf_counter() < stop:
            await _send(session, url, crowd)
            done += 1

    timeout = aiohttp.ClientTimeout(total=10.0)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency),
                                     timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(runner(session) for _ in range(concurrency)))
        took = time.perf_counter() - started
    return {"messages": done, "seconds": round(took, 2), "per_second": round(done / took, 1),
            "complaints_filed": crowd.complaints, "errors": dict(crowd.errors)}


async def open_loop(url: str, crowd: Crowd, rate: float, seconds: float) -> dict[str, Any]:
    import aiohttp

    count = int(rate * seconds)
    latencies: list[float] = []

    async def one(session: aiohttp.ClientSession, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        await _send(session, url, crowd)
        latencies.append(time.perf_counter() - at)

    timeout = aiohttp.ClientTimeout(total=10.0)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1024),
                                     timeout=timeout) as session:
        start = time.perf_counter() + 0.3
        await asyncio.gather(*(one(session, start + i / rate) for i in range(count)))
    latencies.sort()
    return {"offered_per_second": rate, "messages": count,
            "p50_ms": round(1000 * statistics.median(latencies), 1),
            "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 1),
            "max_ms": round(1000 * latencies[-1], 1),
            "slower_than_4s": sum(x > 4.0 for x in latencies),
            "complaints_filed": crowd.complaints, "errors": dict(crowd.errors)}


def drive(port: int, mode: str, value: float, seconds: float, codes: list[str], first_id: int,
          bare: bool, concurrency: int) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/wechat"
    crowd = Crowd(codes, first_id, bare)
    if mode == "closed":
        return asyncio.run(closed_loop(url, crowd, concurrency, seconds))
    return asyncio.run(open_loop(url, crowd, value, seconds))
