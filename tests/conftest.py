"""Shared fixtures: a loopback-only guard, databases (SQLite always, PostgreSQL when
reachable), a fake clock and a running application built by the real composition root."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.clock import FakeClock

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _loopback_only(address: Any) -> None:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        try:
            ip = ipaddress.ip_address(host.split("%")[0])
        except ValueError:
            ip = None
        if host != "localhost" and (ip is None or not ip.is_loopback):
            raise ConnectionRefusedError(f"test tried to leave loopback: {address!r}")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _loopback_only(address)
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _loopback_only(address)
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True, scope="session")
def _stay_on_loopback() -> Iterator[None]:
    """DESIGN §6: a guard fails any test that leaves loopback."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'odrbot.sqlite3'}"


POSTGRES_URL = os.environ.get(
    "ODRBOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


def _admin(sql: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(_ADMIN_DSN, timeout=3)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


_ADMIN_DSN = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database per test, dropped afterwards."""
    import asyncpg

    name = f"odrbot_test_{uuid.uuid4().hex[:12]}"
    try:
        _admin(f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError) as exc:
        if os.environ.get("ODRBOT_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL required (ODRBOT_REQUIRE_POSTGRES) but unreachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {_ADMIN_DSN} ({exc}); CI runs these")
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Both backends: the same test runs on each (aiogram's storage-test habit)."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'odrbot.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))
