"""The ``odrbot`` command as an operator runs it (a real process, a real database)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from storage.tables import complaints, consumers
from tests.support.app import DEMO_REGISTRY, Chat, app_config, running_app
from tests.support.clock import FakeClock

ROOT = Path(__file__).resolve().parents[2]
RICH = "我上周五在鑫汇购物广场花了3299元买了一台洗衣机，用了两天就不脱水了，要求退货退款"


def odrbot(url: str, *args: str, stdin: str = "",
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "ODRBOT_DATABASE_URL": url, **(env or {})}
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, text=True,
                          capture_output=True, env=environment, cwd=ROOT, timeout=120,
                          check=False)


def test_import_list_invite_and_bad_input(sqlite_url: str, tmp_path: Path) -> None:
    assert odrbot(sqlite_url, "enterprises", "import", str(DEMO_REGISTRY)).returncode == 0
    listed = odrbot(sqlite_url, "enterprises", "list").stdout
    assert "as-xinhui\t鞍山鑫汇购物广场有限公司" in listed
    invite = odrbot(sqlite_url, "staff", "invite", "as-xinhui")
    assert invite.returncode == 0
    assert "/inbox/login?token=" in invite.stdout
    assert len(invite.stdout.strip().splitlines()[-1]) == 8  # the code on the last line
    assert odrbot(sqlite_url, "staff", "invite", "nobody").returncode == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "name": "甲", "uscc": "123"}\n', encoding="utf-8")
    failed = odrbot(sqlite_url, "enterprises", "import", str(bad))
    assert failed.returncode == 2 and "uscc" in failed.stderr
    config_error = odrbot(sqlite_url, "enterprises", "list", env={"ODRBOT_SERVER_PORT": "x"})
    assert config_error.returncode == 2 and "ODRBOT_SERVER_PORT" in config_error.stderr


async def test_stats_operator_and_privacy_erase(sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with running_app(app_config(sqlite_url, tmp_path), clock) as (_app, parts):
        chat = Chat(parts, clock)
        for answer in (RICH, "1", "王芳 13912345678", "鞍山市铁东区", "1", "1"):
            await chat.say(answer)
    stats = odrbot(sqlite_url, "stats", "--from", "2026-11-01", "--to", "2026-11-30",
                   "--format", "json")
    figures = json.loads(stats.stdout)
    assert figures["complaints"] == 1
    assert figures["counts"]["category"] == {"G01": 1}
    table = odrbot(sqlite_url, "stats", "--from", "2026-11-01", "--to", "2026-11-30").stdout
    assert "按时办结率" in table
    assert "/admin/login?token=" in odrbot(sqlite_url, "operator", "invite", "张三").stdout

    kept = odrbot(sqlite_url, "privacy", "erase", "13912345678")
    assert "erased 0 finished case(s)" in kept.stderr  # the case is still open
    async with running_app(app_config(sqlite_url, tmp_path), clock, seed=False) as (_a, parts):
        async with parts.db.unit_of_work() as uow:
            await uow.connection.execute(
                update(complaints).values(status="closed", updated_at=datetime(2020, 1, 1,
                                                                                tzinfo=UTC)))
            await uow.commit()
    erased = odrbot(sqlite_url, "privacy", "erase", "13912345678")
    assert "erased 1 finished case(s)" in erased.stderr
    assert "13912345678" not in erased.stderr
    async with running_app(app_config(sqlite_url, tmp_path), clock, seed=False) as (_a, parts):
        async with parts.db.unit_of_work() as uow:
            row = (await uow.connection.execute(select(complaints))).mappings().one()
            person = (await uow.connection.execute(select(consumers))).mappings().one()
    assert (row["consumer_phone"], row["consumer_name"], row["facts"]) == ("", "[已删除]",
                                                                          "[已删除]")
    assert row["category"] == "G01"  # the statistics keep their codes
    assert person["phone"] is None and person["name"] is None
    after = json.loads(odrbot(sqlite_url, "stats", "--from", "2026-11-01", "--to",
                              "2026-11-30", "--format", "json").stdout)
    assert after["complaints"] == 1
    assert after["as_of"] is not None  # the CLI took in every change first
    rebuilt = odrbot(sqlite_url, "stats", "rebuild")
    assert "rollups rebuilt from 1 complaints" in rebuilt.stderr
    assert json.loads(odrbot(sqlite_url, "stats", "--from", "2026-11-01", "--to",
                             "2026-11-30", "--format", "json").stdout)["complaints"] == 1


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        pytest.param("call 13912345678 now", "call 139****5678 now", id="mobile"),
        pytest.param("0412-5551234", "0412-****1234", id="landline"),
        pytest.param("TS20261122000001", "TS20261122000001", id="reference-untouched"),
    ],
)
def test_logs_mask_phone_numbers(text: str, masked: str) -> None:
    from bot.logmask import mask

    assert mask(text) == masked
