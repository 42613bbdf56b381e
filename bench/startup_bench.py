"""Start-up to ready (issue 8: ≤ 1.5 s): spawn `odrbot serve` on a fresh SQLite database
and poll /readyz until it answers 200; five runs, the median and the worst.

    .venv/bin/python -m bench.startup_bench"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def once() -> float:
    folder = Path(tempfile.mkdtemp())
    port = free_port()
    env = {**os.environ, "ODRBOT_SERVER_PORT": str(port), "ODRBOT_LOG_LEVEL": "WARNING",
           "ODRBOT_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'start.sqlite3'}",
           "ODRBOT_MEDIA_DIR": str(folder / "media")}
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < 30:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("not ready within 30 s")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    runs = [once() for _ in range(5)]
    print(f"start-up to ready: median {statistics.median(runs):.2f} s, "  # noqa: T201
          f"worst {max(runs):.2f} s (5 runs, fresh SQLite database each)")
