"""Throughput and latency of whole WeChat conversations (issue 8; a benchmark, not a test).

    .venv/bin/python -m bench.load_bench [--backend sqlite|postgres|both] [--workers 1 2 4]
        [--rates 500 1000 2000] [--seconds 8] [--closed-seconds 10]

Many WeChat users talk to the real server (``python -m bot serve``, WeChat plaintext mode)
with signed XML on loopback, each doing a whole conversation: a complaint told in one
message, the intake's questions answered, the consent given, 查询, a message to the case
(relayed to the enterprise), 查询 <编号>; clerks bound with ``绑定 <code>`` accept cases
(受理) and answer (回复), relayed back to the consumers. Replies are read, so a user only
answers what the bot asked; a reply that does not fit the script is counted as an error.
Pushes (new-case notices, relayed messages) go to a loopback stand-in for the WeChat API.

For each database (SQLite in one process; PostgreSQL with 1, 2 and 4 workers sharing the
port) and in the same run for the ceiling (a bare aiohttp handler that checks the
signature, parses with wechatpy and renders a reply):
- closed loop: ``--concurrency`` requests in flight for ``--closed-seconds`` → messages/s;
- open loop at each ``--rates`` value for ``--seconds`` → p50 / p99 / max latency from the
  scheduled send time (a stall is not hidden), errors, replies slower than 4 s.
The load generator runs in its own process. Results as a table and as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.wechat_bench import TOKEN, sign, stop_process, wait_healthy  # noqa: E402

APP_ID = "wx0000000000bench0"
SINK_PORT = 18950
PRODUCTS = ("洗衣机", "冰箱", "电视机", "空调", "热水器", "手机")
CONTENT = re.compile(r"<Content><!\[CDATA\[(.*?)\]\]></Content>", re.S)
REFERENCE = re.compile(r"编号：(TS\d+)")
ADMIN_DSN = os.environ.get("ODRBOT_TEST_POSTGRES_URL",
                           "postgresql://postgres@127.0.0.1:5432/postgres").replace(
                               "postgresql+asyncpg://", "postgresql://")


# --- the users -----------------------------------------------------------------------


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


async def _send(session: Any, url: str, crowd: Crowd) -> tuple[bool, bool]:
    """One message of an idle user: (answered with content, answered late)."""
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
    return reply is not None, False


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


# --- servers -------------------------------------------------------------------------


def _settings(url: str, port: int, workers: int, folder: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ODRBOT_")}
    env.update({
        "ODRBOT_DATABASE_URL": url, "ODRBOT_SERVER_PORT": str(port),
        "ODRBOT_SERVER_WORKERS": str(workers), "ODRBOT_MEDIA_DIR": f"{folder}/media",
        "ODRBOT_LOG_LEVEL": "WARNING", "ODRBOT_WECHAT_ENABLED": "1",
        "ODRBOT_WECHAT_TOKEN": TOKEN, "ODRBOT_WECHAT_APP_ID": APP_ID,
        "ODRBOT_WECHAT_APP_SECRET": "s" * 32,
        "ODRBOT_WECHAT_API_BASE": f"http://127.0.0.1:{SINK_PORT}",
        "ODRBOT_WECHAT_SPOOL_DIR": f"{folder}/spool"})
    return env


def _odrbot(env: dict[str, str], *args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True, timeout=300)
    return out.stdout


def _ready(port: int, seconds: float = 120.0) -> None:
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server on {port} not ready")


def _admin(sql: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(ADMIN_DSN)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


def _pg_database() -> tuple[str, str]:
    name = f"odrbot_bench_{uuid.uuid4().hex[:8]}"
    _admin(f'CREATE DATABASE "{name}"')
    base = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return name, f"{base}/{name}"


def _drop_pg(name: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _load(port: int, opts: argparse.Namespace, codes: list[str], bare: bool,
          mode: str, value: float, seconds: float, first_id: int) -> dict[str, Any]:
    args = [sys.executable, "-m", "bench.load_bench", "drive", "--port", str(port), "--mode",
            mode, "--value", str(value), "--seconds", str(seconds), "--first-id",
            str(first_id), "--codes", ",".join(codes) or "-",
            "--concurrency", str(opts.concurrency)] + (["--bare"] if bare else [])
    out = subprocess.run(args, cwd=ROOT, check=True, capture_output=True, text=True,
                         timeout=600)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  {mode} {value:g}: {json.dumps(result, ensure_ascii=False)}",  # noqa: T201
          file=sys.stderr)
    return result


def measure(name: str, env: dict[str, str] | None, port: int, opts: argparse.Namespace,
            codes: list[str]) -> dict[str, Any]:
    print(f"{name}:", file=sys.stderr)  # noqa: T201
    bare = env is None
    command = ([sys.executable, "bench/wechat_bench.py", "serve", "bare", "--port", str(port)]
               if bare else [sys.executable, "-m", "bot", "serve"])
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=None if opts.verbose else subprocess.DEVNULL)
    base = random.randrange(10**12, 10**13)
    try:
        _ready(port) if not bare else wait_healthy(port)
        _load(port, opts, codes[0:1], bare, "closed", 0, 3.0, base)  # warm up
        result: dict[str, Any] = {"closed": _load(port, opts, codes[1:2] if codes else [],
                                                  bare, "closed", 0, opts.closed_seconds,
                                                  base + 10**9)}
        for n, rate in enumerate(opts.rates):
            result[f"open_{rate:g}"] = _load(port, opts, codes[2 + n:3 + n] if codes else [],
                                             bare, "open", rate, opts.seconds,
                                             base + (n + 2) * 10**9)
    finally:
        stop_process(server)
    return result


def full_run(backend: str, workers: int, opts: argparse.Namespace, port: int
             ) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        pg_name = None
        if backend == "sqlite":
            url = f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
        else:
            pg_name, url = _pg_database()
        env = _settings(url, port, workers, folder)
        try:
            _odrbot(env, "db", "upgrade")
            _odrbot(env, "enterprises", "import", "bot/demo/enterprises.jsonl")
            codes = [_odrbot(env, "staff", "invite", "as-xinhui").strip().splitlines()[-1]
                     .split()[-1] for _ in range(2 + len(opts.rates))]
            name = f"{backend}, {workers} worker{'s' if workers > 1 else ''}"
            return measure(name, env, port, opts, codes)
        finally:
            if pg_name:
                _drop_pg(pg_name)


def table(results: dict[str, dict[str, Any]], rates: list[float]) -> str:
    bare = results["bare (ceiling)"]["closed"]["per_second"]
    head = "| server | msg/s (closed loop) | ratio to ceiling | " + " | ".join(
        f"p50 / p99 / max ms @ {r:g}/s" for r in rates) + " | errors |"
    lines = [head, "|" + "---|" * (4 + len(rates))]
    for name, result in results.items():
        closed = result["closed"]
        cells = [f"{result[f'open_{r:g}']['p50_ms']:g} / {result[f'open_{r:g}']['p99_ms']:g} / "
                 f"{result[f'open_{r:g}']['max_ms']:g}" for r in rates]
        errors = sum(sum(result[k]["errors"].values()) for k in result)
        lines.append(f"| {name} | {closed['per_second']:g} | "
                     f"{closed['per_second'] / bare:.3f} | " + " | ".join(cells)
                     + f" | {errors} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    d = sub.add_parser("drive")
    d.add_argument("--port", type=int, required=True)
    d.add_argument("--mode", choices=("closed", "open"), required=True)
    d.add_argument("--value", type=float, default=0)
    d.add_argument("--seconds", type=float, default=8)
    d.add_argument("--first-id", type=int, default=1)
    d.add_argument("--codes", default="-")
    d.add_argument("--bare", action="store_true")
    d.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--rates", type=float, nargs="+", default=[500.0, 1000.0, 2000.0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--closed-seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--verbose", action="store_true")
    opts = parser.parse_args()
    if opts.command == "drive":
        codes = [] if opts.codes == "-" else opts.codes.split(",")
        print(json.dumps(drive(opts.port, opts.mode, opts.value, opts.seconds, codes,  # noqa: T201
                               opts.first_id, opts.bare, opts.concurrency),
                         ensure_ascii=False))
        return 0
    sink = subprocess.Popen([sys.executable, "bench/wechat_bench.py", "serve", "sink", "--port",
                             str(SINK_PORT)], cwd=ROOT, stdout=subprocess.DEVNULL)
    results: dict[str, dict[str, Any]] = {}
    try:
        wait_healthy(SINK_PORT)
        results["bare (ceiling)"] = measure("bare", None, 18951, opts, [])
        if opts.backend in ("sqlite", "both"):
            results["SQLite, 1 process"] = full_run("sqlite", 1, opts, 18952)
        if opts.backend in ("postgres", "both"):
            for workers in opts.workers:
                results[f"PostgreSQL, {workers} worker(s)"] = full_run("postgres", workers,
                                                                       opts, 18953)
        with urllib.request.urlopen(f"http://127.0.0.1:{SINK_PORT}/healthz", timeout=5) as r:
            pushed = json.loads(r.read())["custom_send"]
    finally:
        stop_process(sink)
    print(json.dumps({"results": results, "pushes_to_wechat_api": pushed,  # noqa: T201
                      "cpus": os.cpu_count(), "python": sys.version.split()[0]},
                     indent=1, ensure_ascii=False))
    print("\n" + table(results, opts.rates))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
