"""The reliability suite (issue 8): crash safety, outbound and database faults, hostile
input, script in the browser, fuzzing. Loopback only, bounded in time and count.

``slow`` marks the tests that take seconds each (a server killed and restarted, an outage
held for a while, a browser); ``-m "not slow"`` leaves the quick ones.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.reliability.fakes import FaultyWechatApi


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: takes seconds (server restarts, outages, a browser); bounded")


@pytest.fixture
async def wechat_api() -> AsyncIterator[FaultyWechatApi]:
    """A WeChat API on loopback that does not fail (the crash tests' platform)."""
    api = FaultyWechatApi()
    await api.start()
    try:
        yield api
    finally:
        await api.close()
