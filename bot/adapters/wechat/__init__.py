"""WeChat official account (公众号): callback verification, the three encryption modes,
message parsing and passive replies (wechatpy), and an async API client on aiohttp.

Storage-backed parts (token cache, 48-hour window, held messages) come in through the
ports in :mod:`bot.adapters.wechat.ports`; ``bot.channels.wechat`` wires them.
"""
