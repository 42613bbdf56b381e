"""``odrbot api-keys list|revoke`` and ``odrbot webhooks list|remove``: taking back an
enterprise's access (a leaked key, a receiver that is gone). Keys are created with
``odrbot enterprises api-key``, webhooks set with ``odrbot enterprises webhook``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from bot.config import Config
from storage.migrate import migrated_database
from storage.staff import ApiKeyRow, WebhookRow

COMMANDS = ("api-keys", "webhooks")
log = logging.getLogger("odrbot")


def register(sub: Any) -> None:
    keys = sub.add_parser("api-keys", help="API keys of enterprise systems").add_subparsers(
        dest="keys_command", required=True)
    listed = keys.add_parser("list", help="every key (id, enterprise, label, created, "
                                          "revoked); never the key itself")
    listed.add_argument("enterprise_id", nargs="?")
    keys.add_parser("revoke", help="revoke a key: refused (401) from the next request on"
                    ).add_argument("key_id", type=int)
    hooks = sub.add_parser("webhooks", help="enterprises' signed webhooks").add_subparsers(
        dest="hooks_command", required=True)
    hooks.add_parser("list", help="every webhook (enterprise, URL, since)")
    hooks.add_parser("remove", help="stop sending the enterprise's events (pending "
                     "deliveries are dropped)").add_argument("enterprise_id")


def run(args: argparse.Namespace, config: Config) -> int:
    if args.command == "api-keys" and args.keys_command == "revoke":
        return asyncio.run(_revoke(config, args.key_id))
    if args.command == "api-keys":
        return asyncio.run(_list_keys(config, args.enterprise_id))
    if args.hooks_command == "remove":
        return asyncio.run(_remove_webhook(config, args.enterprise_id))
    return asyncio.run(_list_webhooks(config))


async def _list_keys(config: Config, enterprise_id: str | None) -> int:
    async with migrated_database(config.database.url) as db:
        async with db.unit_of_work() as uow:
            rows = await uow.staff.api_keys(enterprise_id)
    _table(("id", "enterprise", "label", "created", "revoked"), [_key_line(k) for k in rows])
    return 0


async def _revoke(config: Config, key_id: int) -> int:
    async with migrated_database(config.database.url) as db:
        async with db.unit_of_work() as uow:
            key = await uow.staff.revoke_api_key(key_id, datetime.now(UTC))
            await uow.commit()
    if key is None:
        log.error("no valid API key with id %s (see `odrbot api-keys list`)", key_id)
        return 2
    log.info("API key %s of %s (%s) revoked", key.id, key.enterprise_id, key.label or "-")
    return 0


async def _list_webhooks(config: Config) -> int:
    async with migrated_database(config.database.url) as db:
        async with db.unit_of_work() as uow:
            rows = await uow.staff.all_webhooks()
    _table(("enterprise", "url", "since"), [_hook_line(h) for h in rows])
    return 0


async def _remove_webhook(config: Config, enterprise_id: str) -> int:
    async with migrated_database(config.database.url) as db:
        async with db.unit_of_work() as uow:
            removed = await uow.staff.remove_webhook(enterprise_id)
            await uow.commit()
    if not removed:
        log.error("%s has no webhook (see `odrbot webhooks list`)", enterprise_id)
        return 2
    log.info("webhook of %s removed; deliveries still queued are dropped", enterprise_id)
    return 0


def _key_line(key: ApiKeyRow) -> tuple[str, ...]:
    revoked = key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else "-"
    return (str(key.id), key.enterprise_id, key.label or "-",
            key.created_at.isoformat(timespec="seconds"), revoked)


def _hook_line(hook: WebhookRow) -> tuple[str, ...]:
    since = hook.created_at.isoformat(timespec="seconds") if hook.created_at else "-"
    return (hook.enterprise_id, hook.url, since)


def _table(header: tuple[str, ...], lines: list[tuple[str, ...]]) -> None:
    """Tab-separated, a header first: readable, and easy to cut or awk."""
    sys.stdout.write("".join("\t".join(line) + "\n" for line in [header, *lines]))
