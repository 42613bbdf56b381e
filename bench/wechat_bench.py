"""WeChat channel throughput and latency (a benchmark, not a test).

    .venv/bin/python bench/wechat_bench.py [--count 20000] [--rate 500] [--seconds 10]

Two servers, one after the other, each in its own process on loopback:
- ``full``: the real application (``build_app``) with SQLite, WeChat enabled, plaintext
  mode: signed XML in → dedupe, turn, commit, passive-reply take → reply XML out;
- ``bare``: a bare aiohttp handler that only checks the signature, parses with wechatpy
  and renders a text reply: the ceiling for this stack on this machine.
The load generator is a third process: a closed loop (``--concurrency`` requests in
flight, ``--count`` messages) for messages per second, then an open loop at ``--rate``
messages per second for ``--seconds`` for p50/p99 latency (measured from the scheduled
send time, so a stall is not hidden). Every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOKEN = "benchToken2026"
APP_ID = "wx0000000000bench0"
TEXTS = ("帮助", "查询", "你好")
USERS = 2000
SINK_PORT = 18930


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


# --- servers -------------------------------------------------------------------------


def serve_sink(port: int) -> None:
    """Stands in for api.weixin.qq.com: late replies go out through custom/send."""
    from aiohttp import web

    sent = 0

    async def token(request: web.Request) -> web.Response:
        return web.json_response({"access_token": "BENCH", "expires_in": 7200})

    async def custom_send(request: web.Request) -> web.Response:
        nonlocal sent
        sent += 1
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def count(request: web.Request) -> web.Response:
        return web.json_response({"custom_send": sent})

    app = web.Application()
    app.add_routes([web.post("/cgi-bin/stable_token", token), web.get("/healthz", count),
                    web.post("/cgi-bin/message/custom/send", custom_send)])
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def serve_full(port: int, folder: str) -> None:
    from aiohttp import web

    from bot.app import build_app
    from bot.config import Config, DatabaseConfig, LogConfig, MediaConfig, WechatConfig

    config = Config(
        database=DatabaseConfig(url=f"sqlite+aiosqlite:///{folder}/bench.sqlite3"),
        media=MediaConfig(dir=f"{folder}/media"), log=LogConfig(level="WARNING"),
        wechat=WechatConfig(enabled=True, token=TOKEN, app_id=APP_ID, app_secret="s" * 32,
                            api_base=f"http://127.0.0.1:{SINK_PORT}",
                            spool_dir=f"{folder}/spool"))
    config = replace(config, server=replace(config.server, port=port))
    web.run_app(build_app(config), host="127.0.0.1", port=port, print=None, access_log=None)


def serve_bare(port: int) -> None:
    from aiohttp import web
    from wechatpy import parse_message
    from wechatpy.replies import TextReply
    from wechatpy.utils import check_signature

    async def wechat(request: web.Request) -> web.Response:
        q = request.query
        try:
            check_signature(TOKEN, q["signature"], q["timestamp"], q["nonce"])
            message = parse_message((await request.read()).decode("utf-8"))
        except Exception:
            return web.Response(status=400)
        xml = TextReply(message=message, content="可用指令：投诉 / 查询 / 帮助").render()
        return web.Response(text=xml, content_type="application/xml")

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.add_routes([web.post("/wechat", wechat), web.get("/healthz", healthz)])
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# --- load generator ------------------------------------------------------------------


def requests(count: int, offset: int) -> list[tuple[dict[str, str], bytes]]:
    """Signed plaintext callbacks, each a new MsgId, users and texts in rotation."""
    made = []
    for n in range(offset, offset + count):
        ts, nonce = str(1_795_000_000 + n), f"bench{n}"
        xml = (f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName>"
               f"<FromUserName><![CDATA[oBench{n % USERS:05d}]]></FromUserName>"
               f"<CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
               f"<Content><![CDATA[{TEXTS[n % len(TEXTS)]}]]></Content>"
               f"<MsgId>{10**15 + n}</MsgId></xml>")
        made.append(({"signature": sign(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce},
                     xml.encode()))
    return made


async def closed_loop(url: str, count: int, concurrency: int, limit_s: float,
                      offset: int) -> dict[str, Any]:
    import aiohttp

    work = requests(count, offset)
    errors = 0
    done = 0
    deadline = time.perf_counter() + limit_s

    async def runner(session: aiohttp.ClientSession) -> None:
        nonlocal errors, done
        while work and time.perf_counter() < deadline:
            params, body = work.pop()
            async with session.post(url, params=params, data=body) as response:
                text = await response.text()
                errors += response.status != 200 or "<Content>" not in text
                done += 1

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(runner(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"messages": done, "seconds": round(elapsed, 2),
            "per_second": round(done / elapsed, 1), "errors": errors}


async def open_loop(url: str, rate: float, seconds: float, offset: int) -> dict[str, Any]:
    import aiohttp

    count = int(rate * seconds)
    work = requests(count, offset)
    latencies: list[float] = []
    errors = 0

    async def one(session: aiohttp.ClientSession, at: float, item: tuple[Any, bytes]) -> None:
        nonlocal errors
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        try:
            async with asyncio.timeout(10.0):
                async with session.post(url, params=item[0], data=item[1]) as response:
                    text = await response.text()
            errors += response.status != 200 or "<Content>" not in text
        except TimeoutError:
            errors += 1
        latencies.append(time.perf_counter() - at)

    connector = aiohttp.TCPConnector(limit=512)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter() + 0.5
        await asyncio.gather(*(one(session, start + i / rate, item)
                               for i, item in enumerate(work)))
    latencies.sort()
    return {"offered_per_second": rate, "messages": count, "errors": errors,
            "p50_ms": round(1000 * statistics.median(latencies), 1),
            "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 1),
            "max_ms": round(1000 * latencies[-1], 1)}


# --- orchestration -------------------------------------------------------------------


def _child(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, __file__, *args], cwd=ROOT)


def wait_healthy(port: int) -> None:
    import urllib.request

    for _ in range(600):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def _load(port: int, *args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "load", "--port", str(port), *args],
                         cwd=ROOT, check=True, capture_output=True, text=True, timeout=300)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    print(port, *args, "→", json.dumps(result), file=sys.stderr)  # noqa: T201
    return result


def _sink_count() -> int:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{SINK_PORT}/healthz", timeout=5) as r:
        return int(json.loads(r.read())["custom_send"])


def measure(kind: str, port: int, folder: str, opts: argparse.Namespace) -> dict[str, Any]:
    server = _child("serve", kind, "--port", str(port), "--folder", folder)
    try:
        wait_healthy(port)
        _load(port, "closed", "--count", "2000", "--offset", "0")  # warm up
        throughput = _load(port, "closed", "--count", str(opts.count), "--offset", "100000",
                           "--concurrency", str(opts.concurrency))
        latency = _load(port, "open", "--rate", str(opts.rate), "--seconds",
                        str(opts.seconds), "--offset", "400000")
    finally:
        stop_process(server)
    return {"throughput": throughput, "latency": latency}


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it has not ended within 20 s."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve")
    serve.add_argument("kind", choices=("full", "bare", "sink"))
    serve.add_argument("--port", type=int, required=True)
    serve.add_argument("--folder", default="")
    load = sub.add_parser("load")
    load.add_argument("mode", choices=("closed", "open"))
    load.add_argument("--port", type=int, required=True)
    for p in (parser, load):
        p.add_argument("--count", type=int, default=20000)
        p.add_argument("--concurrency", type=int, default=64)
        p.add_argument("--rate", type=float, default=500.0)
        p.add_argument("--seconds", type=float, default=10.0)
    load.add_argument("--offset", type=int, default=0)
    opts = parser.parse_args()
    if opts.command == "serve":
        {"full": lambda: serve_full(opts.port, opts.folder), "bare": lambda: serve_bare(opts.port),
         "sink": lambda: serve_sink(opts.port)}[opts.kind]()
        return 0
    if opts.command == "load":
        url = f"http://127.0.0.1:{opts.port}/wechat"
        run = (closed_loop(url, opts.count, opts.concurrency, 120.0, opts.offset)
               if opts.mode == "closed" else open_loop(url, opts.rate, opts.seconds, opts.offset))
        print(json.dumps(asyncio.run(run)))  # noqa: T201
        return 0
    results: dict[str, Any] = {}
    sink = _child("serve", "sink", "--port", str(SINK_PORT))
    try:
        wait_healthy(SINK_PORT)
        with tempfile.TemporaryDirectory() as folder:
            for kind, port in (("bare", 18931), ("full", 18932)):
                results[kind] = measure(kind, port, folder, opts)
        results["late_replies_sent_by_api"] = _sink_count()
    finally:
        sink.terminate()
        sink.wait(timeout=15)
    full, bare = (results[k]["throughput"]["per_second"] for k in ("full", "bare"))
    results["ratio_full_to_bare"] = round(full / bare, 3)
    results["python"] = sys.version.split()[0]
    results["cpus"] = os.cpu_count()
    print(json.dumps(results, indent=2, ensure_ascii=False))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
