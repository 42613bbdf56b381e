"""``odrbot operator invite``, ``odrbot stats`` and ``odrbot privacy erase``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.config import Config
from bot.domain.deadlines import CHINA
from bot.services.regulator_report import build_report, to_csv, to_json, to_table
from storage.migrate import migrated_database
from storage.privacy import PrivacyRepository, remove_files
from storage.regulator import Period
from storage.rollups import rebuild, record_as_of

COMMANDS = ("operator", "stats", "privacy")
log = logging.getLogger("odrbot")


def register(sub: Any) -> None:
    operator = sub.add_parser("operator", help="regulator / operator accounts").add_subparsers(
        dest="op_command", required=True)
    invite = operator.add_parser("invite", help="one-time login link to /admin")
    invite.add_argument("name")
    stats = sub.add_parser("stats", help="the regulator's figures")
    stats.add_argument("--from", dest="first", type=date.fromisoformat)
    stats.add_argument("--to", dest="last", type=date.fromisoformat)
    stats.add_argument("--district")
    stats.add_argument("--format", choices=("table", "csv", "json"), default="table")
    stats.add_subparsers(dest="stats_command").add_parser(
        "rebuild", help="compute the dashboard's rollups again from every complaint")
    privacy = sub.add_parser("privacy", help="personal data (PIPL)").add_subparsers(
        dest="privacy_command", required=True)
    erase = privacy.add_parser("erase", help="erase a consumer's data from finished cases "
                                              "older than [odr] retention_days")
    erase.add_argument("consumer", help="mobile number, consumer id or a complaint reference")


def run(args: argparse.Namespace, config: Config) -> int:
    if args.command == "operator":
        return asyncio.run(_invite(config, args.name))
    if args.command == "stats" and args.stats_command == "rebuild":
        return asyncio.run(_rebuild(config))
    if args.command == "stats":
        return asyncio.run(_stats(config, args.first, args.last, args.district, args.format))
    return asyncio.run(_erase(config, args.consumer))


async def _invite(config: Config, name: str) -> int:
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    async with migrated_database(config.database.url) as db:
        async with db.unit_of_work() as uow:
            operator = await uow.operators.create(name, now)
            await uow.operators.add_token(operator, "login", token, now + timedelta(hours=72))
            await uow.commit()
    print(f"{config.base_url}/admin/login?token={token}")  # noqa: T201
    return 0


async def _stats(config: Config, first: date | None, last: date | None, district: str | None,
                 fmt: str) -> int:
    today = datetime.now(UTC).astimezone(CHINA).date()
    last = last or today
    first = first or last - timedelta(days=89)
    start = datetime(first.year, first.month, first.day, tzinfo=CHINA)
    end = datetime(last.year, last.month, last.day, tzinfo=CHINA) + timedelta(days=1)
    async with migrated_database(config.database.url) as db:
        report = await build_report(db, Period(start, end, district), first, last, today,
                                    datetime.now(UTC), exact=True)
    render = {"table": to_table, "csv": to_csv, "json": to_json}[fmt]
    sys.stdout.write(render(report) + ("" if fmt == "csv" else "\n"))
    return 0


async def _rebuild(config: Config) -> int:
    started = datetime.now(UTC)
    async with migrated_database(config.database.url) as db:
        async with db.unit_of_work() as uow:
            count = await rebuild(uow.connection)
            await record_as_of(uow.connection, started)
            await uow.commit()
    log.info("rollups rebuilt from %d complaints", count)
    return 0


async def _erase(config: Config, who: str) -> int:
    before = datetime.now(UTC) - timedelta(days=config.odr.retention_days)
    async with migrated_database(config.database.url) as db:
        async with db.unit_of_work() as uow:
            privacy = PrivacyRepository(uow.connection)
            consumer_ids = await privacy.consumers_matching(who.strip())
            if not consumer_ids:
                log.error("no consumer matches that id, mobile number or reference")
                return 2
            result = await privacy.erase(consumer_ids, before)
            await uow.commit()
    removed = remove_files(result.files)
    log.info("erased %d finished case(s) and %d photo(s); %d case(s) kept (open, or "
             "finished less than %d days ago)", result.cases, removed, result.kept_open,
             config.odr.retention_days)
    return 0
