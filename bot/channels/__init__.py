"""Wiring of the chat platforms (composition for each channel).

Each platform module here builds its adapter from the config, gives it the storage-backed
parts it needs (token cache, message mappings) and adds its routes, sender and background
tasks to the application. Only this package and ``bot.app`` wire adapters to storage.
"""

from __future__ import annotations

from aiohttp import web

from bot.core.ports import Dispatch


def install_channels(app: web.Application, dispatch: Dispatch) -> None:
    from bot.app import COMPONENTS

    config = app[COMPONENTS].config
    # The enterprise side (issue 6) is always there: web inbox, JSON API, signed webhooks.
    from bot.channels.api import install as install_api
    from bot.channels.inbox import install as install_inbox
    from bot.channels.webhook import install as install_webhook

    install_api(app, install_inbox(app))
    install_webhook(app)
    if config.wechat.enabled:
        from bot.channels.wechat import install as install_wechat

        install_wechat(app, dispatch)
    if config.telegram.enabled:
        from bot.channels.telegram import install as install_telegram

        install_telegram(app, dispatch)
