"""Start-up to ready (issue 8: ≤ 1.5 s): spawn `odrbot serve` and poll /readyz until it
answers 200, on a fresh SQLite database (first start: every migration runs) and on one
already at head (every later start: the common case). Seven runs each; the median and the
worst wall time, and the median CPU time the process had used when it was ready (user +
system, from /proc: steadier than wall time when other jobs share the cores).

    .venv/bin/python -m bench.startup_bench [--runs 7]"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """utime + stime of a running process (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def settings(folder: Path, port: int) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("ODRBOT_")},
            "ODRBOT_SERVER_PORT": str(port), "ODRBOT_LOG_LEVEL": "WARNING",
            "ODRBOT_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'start.sqlite3'}",
            "ODRBOT_MEDIA_DIR": str(folder / "media")}


def once(folder: Path) -> tuple[float, float]:
    """(wall seconds from spawn to the first 200 of /readyz, CPU seconds used by then)."""
    folder.mkdir(exist_ok=True)
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "bot", "serve"],
                              env=settings(folder, port),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < 30:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - started, cpu_seconds(server.pid)
            except OSError:
                time.sleep(0.01)
        raise RuntimeError("not ready within 30 s")
    finally:
        server.terminate()
        server.wait(timeout=10)


def report(label: str, runs: list[tuple[float, float]]) -> None:
    walls = [wall for wall, _ in runs]
    print(f"| {label} | {statistics.median(walls):.2f} | {max(walls):.2f} | "  # noqa: T201
          f"{statistics.median(cpu for _, cpu in runs):.2f} | {len(runs)} |")


def main(count: int) -> None:
    print(f"load average at start: {os.getloadavg()[0]:.2f}")  # noqa: T201
    print("| database | median s | worst s | CPU s (median) | runs |\n|---|---|---|---|---|")  # noqa: T201
    with tempfile.TemporaryDirectory(prefix="startup-") as name:
        scratch = Path(name)
        report("fresh (all migrations)", [once(scratch / f"fresh{n}") for n in range(count)])
        once(scratch / "head")  # migrates it
        report("at head (a restart)", [once(scratch / "head") for _ in range(count)])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    main(parser.parse_args().runs)
