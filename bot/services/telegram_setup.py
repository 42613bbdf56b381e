"""``odrbot telegram set-webhook URL | delete-webhook | info``: one-off Bot API calls."""

from __future__ import annotations

import json
import logging
import re
from typing import TextIO
from urllib.parse import urlsplit

from telegram.error import TelegramError

from bot.adapters.telegram.client import make_client
from bot.adapters.telegram.polling import ALLOWED_UPDATES
from bot.config import Config, ConfigError

log = logging.getLogger("odrbot")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class SetupError(Exception):
    """A mistake the operator can fix; the message says how."""


async def telegram_cli(config: Config, command: str, url: str | None, out: TextIO) -> int:
    try:
        text = await telegram_command(config, command, url)
    except SetupError as exc:
        log.error("%s", exc)
        return 1
    out.write(text + "\n")
    return 0


async def telegram_command(config: Config, command: str, url: str | None = None) -> str:
    """Run one set-up command; return what to print."""
    telegram = config.telegram
    if not telegram.token:
        raise ConfigError("[telegram] token: required (the token from @BotFather)")
    client = make_client(telegram.token, telegram.api_base, telegram.proxy)
    bot = client.bot
    try:
        if command == "set-webhook":
            assert url is not None
            secret = _checked(url, telegram.webhook_secret)
            await bot.set_webhook(url, secret_token=secret,
                                  allowed_updates=list(ALLOWED_UPDATES))
            return f"webhook set: {url} (secret token from [telegram] webhook_secret)"
        if command == "delete-webhook":
            await bot.delete_webhook()
            return "webhook deleted (polling mode can run now)"
        me = await bot.get_me()
        info = await bot.get_webhook_info()
        return json.dumps({
            "bot": {"id": me.id, "username": me.username, "name": me.first_name},
            "webhook": {"url": info.url, "pending_update_count": info.pending_update_count,
                        "last_error_message": info.last_error_message,
                        "allowed_updates": list(info.allowed_updates or ())},
        }, ensure_ascii=False, indent=2)
    except TelegramError as exc:
        raise SetupError(f"Telegram refused: {exc.message}") from exc
    finally:
        await client.close()


def _checked(url: str, secret: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise SetupError(f"webhook URL must be https://… (Telegram calls only HTTPS): {url}")
    if not parts.path.endswith("/telegram"):
        raise SetupError(f"webhook URL must end with /telegram (our route): {url}")
    if not _SECRET.match(secret):
        raise ConfigError("[telegram] webhook_secret: required, 1-256 characters of "
                          "A-Z a-z 0-9 _ - (Telegram's rule for the secret token)")
    return secret
