"""The ``odrbot`` command (also ``python -m bot``): serve, db, enterprises, classify, match."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import cli_access, cli_admin, logmask
from bot.config import Config, ConfigError, load_config
from bot.domain.calendar import CalendarError

log = logging.getLogger("odrbot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="odrbot", description=__doc__)
    parser.add_argument("--config", help="TOML config file (default: built-in defaults)")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web chat, platform webhooks and relay")
    serve.add_argument("--config", dest="config_sub", help=argparse.SUPPRESS)
    db = sub.add_parser("db", help="database maintenance").add_subparsers(dest="db_command",
                                                                           required=True)
    db.add_parser("upgrade", help="apply the migrations")
    ent = sub.add_parser("enterprises", help="the ODR enterprise registry").add_subparsers(
        dest="ent_command", required=True)
    imp = ent.add_parser("import", help="import enterprises from JSONL or CSV")
    imp.add_argument("path")
    ent.add_parser("list", help="list enrolled enterprises")
    key = ent.add_parser("api-key", help="a new API key for the enterprise's systems "
                         "(printed once, stored hashed)")
    key.add_argument("enterprise_id")
    key.add_argument("--label", default="")
    hook = ent.add_parser("webhook", help="sign and send the enterprise's case events to URL "
                          "(https; prints the signing secret)")
    hook.add_argument("enterprise_id")
    hook.add_argument("url")
    staff = sub.add_parser("staff", help="enterprise staff").add_subparsers(
        dest="staff_command", required=True)
    invite = staff.add_parser("invite", help="one-time binding code and inbox login link")
    invite.add_argument("enterprise_id")
    invite.add_argument("--role", choices=("agent", "admin"), default="agent")
    invite.add_argument("--name", default="")
    invite.add_argument("--staff", type=int, default=None,
                        help="new codes for this existing staff member (to bind another chat)")
    staff.add_parser("password", help="set the web-inbox password of a staff member (asked, "
                     "or one line on stdin)").add_argument("staff_id", type=int)
    tg = sub.add_parser("telegram", help="Telegram bot set-up").add_subparsers(
        dest="tg_command", required=True)
    tg.add_parser("set-webhook", help="deliver updates to URL (…/telegram, with the "
                  "secret token)").add_argument("url")
    tg.add_parser("delete-webhook", help="stop webhook delivery (for polling mode)")
    tg.add_parser("info", help="the bot and its webhook status")
    cli_admin.register(sub)
    cli_access.register(sub)
    sub.add_parser("classify", help="JSONL complaints on stdin → labels on stdout")
    sub.add_parser("match", help="JSONL names on stdin → enrolled enterprise on stdout")
    wechat = sub.add_parser("wechat", help="WeChat official account").add_subparsers(
        dest="wechat_command", required=True)
    wechat.add_parser("menu", help="create the custom menu (投诉 / 查询 / 帮助)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    config_path = getattr(args, "config_sub", None) or args.config
    try:
        config = load_config(config_path)
    except (ConfigError, CalendarError) as exc:
        print(f"odrbot: configuration error: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    logmask.install(config.log.level)
    try:
        return _run(args, config)
    except (ConfigError, CalendarError) as exc:
        print(f"odrbot: configuration error: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace, config: Config) -> int:
    from bot import commands

    if args.command in cli_admin.COMMANDS:
        return cli_admin.run(args, config)
    if args.command in cli_access.COMMANDS:
        return cli_access.run(args, config)
    if args.command == "serve":
        return commands.serve(config)
    if args.command == "db":
        return asyncio.run(commands.db_upgrade(config))
    if args.command == "enterprises" and args.ent_command == "import":
        return asyncio.run(commands.import_enterprises(config, Path(args.path)))
    if args.command == "enterprises" and args.ent_command == "api-key":
        return asyncio.run(commands.create_api_key(config, args.enterprise_id, args.label))
    if args.command == "enterprises" and args.ent_command == "webhook":
        return asyncio.run(commands.set_webhook(config, args.enterprise_id, args.url))
    if args.command == "enterprises":
        return asyncio.run(commands.list_enterprises(config))
    if args.command == "staff" and args.staff_command == "password":
        password = commands.read_password(sys.stdin)
        return asyncio.run(commands.set_staff_password(config, args.staff_id, password))
    if args.command == "staff":
        return asyncio.run(commands.invite_staff(config, args.enterprise_id, args.role,
                                                 args.name, args.staff))
    if args.command == "telegram":
        from bot.services.telegram_setup import telegram_cli

        return asyncio.run(telegram_cli(config, args.tg_command, getattr(args, "url", None),
                                        sys.stdout))
    if args.command == "classify":
        return commands.classify(sys.stdin, sys.stdout)
    if args.command == "wechat":
        from bot.channels.wechat import create_menu

        return asyncio.run(create_menu(config))
    if args.command == "match":
        return asyncio.run(commands.match(config, sys.stdin, sys.stdout))
    raise AssertionError(args.command)
