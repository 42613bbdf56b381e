"""The work behind each ``odrbot`` sub-command."""

from __future__ import annotations

import asyncio
import getpass
import logging
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from aiohttp import web

import nlp
import nlp.cli
from bot.app import build_app
from bot.config import Config
from bot.services import staff_admin
from bot.services.registry_import import RegistryFileError, read_registry
from storage.migrate import migrated_database

log = logging.getLogger("odrbot")


def serve(config: Config) -> int:
    if config.server.workers > 1:
        from bot.workers import serve_workers

        return serve_workers(config)
    app = build_app(config)
    base = config.base_url
    log.info("web chat: %s/   health: %s/healthz", base, base)
    if config.wechat.enabled:
        log.info("WeChat callback URL: %s/wechat", base)
    if config.telegram.enabled:
        log.info("Telegram webhook URL: %s/telegram", base)
    web.run_app(app, host=config.server.host, port=config.server.port, print=None,
                access_log=None, shutdown_timeout=5.0)
    return 0


async def db_upgrade(config: Config) -> int:
    async with migrated_database(config.database.url):
        pass
    log.info("database is at the latest migration")
    return 0


async def import_enterprises(config: Config, path: Path) -> int:
    try:
        rows = read_registry(path)
    except RegistryFileError as exc:
        log.error("%s", exc)
        return 2
    async with migrated_database(config.database.url) as db:
        now = datetime.now(UTC)
        created = 0
        async with db.unit_of_work() as uow:
            for row in rows:
                created += await uow.enterprises.upsert(row, now)
            await uow.commit()
    log.info("imported %d enterprises (%d new, %d updated)", len(rows), created,
             len(rows) - created)
    return 0


async def list_enterprises(config: Config) -> int:
    async with migrated_database(config.database.url) as db:
        async with db.unit_of_work() as uow:
            rows = await uow.enterprises.all_enrolled()
    for row in rows:
        print(f"{row.id}\t{row.name}\t{row.district}\t{row.address}")  # noqa: T201
    return 0


async def invite_staff(config: Config, enterprise_id: str, role: str, name: str,
                       staff_id: int | None = None) -> int:
    async with migrated_database(config.database.url) as db:
        async with db.unit_of_work() as uow:
            try:
                invitation = await staff_admin.invite_staff(uow, enterprise_id, role,
                                                            datetime.now(UTC), name, staff_id)
            except staff_admin.UnknownEnterprise as exc:
                log.error("no such enterprise or staff member: %s (see `odrbot enterprises "
                          "list`)", exc)
                return 2
            await uow.commit()
    print(f"inbox login link (one-time, 72 h): {invitation.login_url(config.base_url)}")  # noqa: T201
    print(f"chat: send \"绑定 {invitation.code}\" (Telegram: /start bind_{invitation.code})")  # noqa: T201
    print(invitation.code)  # noqa: T201
    return 0


async def create_api_key(config: Config, enterprise_id: str, label: str) -> int:
    """A new key for the enterprise's systems; only its hash is kept, so print it once."""
    key = "odr_" + secrets.token_urlsafe(32)
    async with migrated_database(config.database.url) as db:
        async with db.unit_of_work() as uow:
            if await uow.enterprises.get(enterprise_id) is None:
                log.error("no enrolled enterprise with id %r", enterprise_id)
                return 2
            key_id = await uow.staff.add_api_key(enterprise_id, key, label, datetime.now(UTC))
            await uow.commit()
    print(f"API key {key_id} for {enterprise_id} (shown once; send it as Authorization: "  # noqa: T201
          f"Bearer <key>; revoke with `odrbot api-keys revoke {key_id}`):")
    print(key)  # noqa: T201
    return 0


async def set_webhook(config: Config, enterprise_id: str, url: str) -> int:
    """Point the enterprise's webhook at URL with a new signing secret (see docs/api.md)."""
    from bot.channels.webhook import WebhookUrlRefused, check_webhook_url

    try:
        url = check_webhook_url(url)
    except WebhookUrlRefused as exc:
        log.error("%s", exc)
        return 2
    secret = "whsec_" + secrets.token_urlsafe(32)
    async with migrated_database(config.database.url) as db:
        async with db.unit_of_work() as uow:
            if await uow.enterprises.get(enterprise_id) is None:
                log.error("no enrolled enterprise with id %r", enterprise_id)
                return 2
            await uow.staff.set_webhook(enterprise_id, url, secret, datetime.now(UTC))
            await uow.commit()
    print(f"webhook of {enterprise_id}: {url}")  # noqa: T201
    print(f"signing secret (verify X-ODR-Signature with it, see docs/api.md): {secret}")  # noqa: T201
    return 0


def read_password(stdin: TextIO) -> str:
    """Asked twice on a terminal; otherwise the first line of stdin (for scripts)."""
    if not stdin.isatty():
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass("new password: ")
    if getpass.getpass("again: ") != first:
        return ""
    return first


async def set_staff_password(config: Config, staff_id: int, password: str) -> int:
    from bot.adapters.inbox.passwords import WeakPassword, hash_password

    try:
        hashed = await asyncio.to_thread(hash_password, password)
    except WeakPassword as exc:
        log.error("password not set: %s (or the two entries differed)", exc)
        return 2
    async with migrated_database(config.database.url) as db:
        async with db.unit_of_work() as uow:
            member = await uow.staff.get(staff_id)
            if member is None or not member.active:
                log.error("no active staff member %s (see `odrbot staff invite`)", staff_id)
                return 2
            await uow.staff.set_password(staff_id, hashed)
            await uow.commit()
    log.info("password set for staff %s of %s: sign in at %s/inbox/login with staff number "
             "%s", staff_id, member.enterprise_id, config.base_url, staff_id)
    return 0


def classify(stdin: TextIO, stdout: TextIO) -> int:
    nlp.warm_up()
    errors = nlp.cli.run_classify(stdin, stdout)
    return 1 if errors else 0


async def match(config: Config, stdin: TextIO, stdout: TextIO) -> int:
    async with migrated_database(config.database.url) as db:
        async with db.unit_of_work() as uow:
            rows = await uow.enterprises.all_enrolled()
    await asyncio.to_thread(nlp.warm_up)
    index = nlp.EnterpriseIndex(
        nlp.EnterpriseRecord(id=r.id, name=r.name, aliases=r.aliases, district=r.district,
                             address=r.address, categories=r.categories) for r in rows
    )
    errors = nlp.cli.run_match(stdin, stdout, index)
    return 1 if errors else 0
