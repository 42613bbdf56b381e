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
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.wechat_bench import TOKEN, stop_process, wait_healthy  # noqa: E402
from bench.wechat_crowd import drive  # noqa: E402

APP_ID = "wx0000000000bench0"
SINK_PORT = 18950
ADMIN_DSN = os.environ.get("ODRBOT_TEST_POSTGRES_URL",
                           "postgresql://postgres@127.0.0.1:5432/postgres").replace(
                               "postgresql+asyncpg://", "postgresql://")


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


def _cpu_seconds(root: int) -> float:
    """User + system CPU of a process and its descendants (the workers), from /proc."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(times.get(pid, 0.0) for pid in tree)


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
        cpu = _cpu_seconds(server.pid)
        result: dict[str, Any] = {"closed": _load(port, opts, codes[1:2] if codes else [],
                                                  bare, "closed", 0, opts.closed_seconds,
                                                  base + 10**9)}
        # The server's own CPU per message: unlike msg/s, it hardly moves when the load
        # generator or a noisy neighbour takes the cores.
        result["closed"]["server_cpu_ms_per_message"] = round(
            1000 * (_cpu_seconds(server.pid) - cpu) / max(result["closed"]["messages"], 1), 3)
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
    head = "| server | msg/s (closed loop) | ratio to ceiling | server CPU ms/msg | " + " | ".join(
        f"p50 / p99 / max ms @ {r:g}/s" for r in rates) + " | errors |"
    lines = [head, "|" + "---|" * (5 + len(rates))]
    for name, result in results.items():
        closed = result["closed"]
        cells = [f"{result[f'open_{r:g}']['p50_ms']:g} / {result[f'open_{r:g}']['p99_ms']:g} / "
                 f"{result[f'open_{r:g}']['max_ms']:g}" for r in rates]
        errors = sum(sum(result[k]["errors"].values()) for k in result)
        lines.append(f"| {name} | {closed['per_second']:g} | "
                     f"{closed['per_second'] / bare:.3f} | "
                     f"{closed['server_cpu_ms_per_message']:g} | " + " | ".join(cells)
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
