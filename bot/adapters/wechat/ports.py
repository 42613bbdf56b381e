"""What the WeChat adapter needs from the rest of the bot (implemented in bot.channels)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from bot.core.ports import OutboxItem, PassiveFit

__all__ = ["AccessToken", "MediaCache", "OutboxItem", "PassiveFit", "PassiveOutbox",
           "ServiceWindow", "TokenCache", "TokenFetch"]


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_in: int
    """Seconds the platform said the token is valid."""


TokenFetch = Callable[[], Awaitable[AccessToken]]


class TokenCache(Protocol):
    """The access token shared by every worker (DESIGN §4: each fetch invalidates the
    previous token, so exactly one place may refresh it)."""

    async def get(self) -> str | None:
        """The current token, or None when there is none or it is about to expire."""

    async def refresh(self, stale: str | None, fetch: TokenFetch) -> str:
        """Under a lock shared by all workers: if the stored token is still ``stale`` (or
        missing), call ``fetch`` and store the result; otherwise another worker already
        refreshed, and its token is returned without a fetch."""


class ServiceWindow(Protocol):
    """The 48-hour customer-service window of each user (DESIGN §4)."""

    async def is_open(self, openid: str) -> bool: ...

    async def first_notice(self, openid: str) -> bool:
        """True once per closed window: whether to send the template notice now."""


class PassiveOutbox(Protocol):
    """The outbox rows a passive reply may carry, taken so that the relay never sends
    them again (and never while we do)."""

    async def take(self, openid: str, outbox_ids: tuple[int, ...], *, held: bool,
                   fit: PassiveFit) -> list[OutboxItem]:
        """Mark as sent and return the prefix ``fit`` chose of the recipient's pending,
        unleased rows: ``outbox_ids`` and, when ``held``, the older rows still waiting for
        this user. Candidates left out become due now, for the relay to send. (A new
        message's turn takes its rows itself, in its own transaction: see
        ``bot.core.ports.PassiveAnswer``; this is for a repeated delivery.)"""

    async def release(self, outbox_ids: tuple[int, ...]) -> None:
        """Make rows held for a passive reply due now (the reply was not given in time)."""

    async def seen(self, message_id: str) -> bool:
        """Whether this delivery was already handled (before costly side effects)."""

    async def unsubscribed(self, openid: str) -> None:
        """The user unfollowed: nothing can reach them until they come back."""


class MediaCache(Protocol):
    """Temporary media ids of files already uploaded, by the file's sha256, shared by every
    worker: the same photo to several people (or retried) is uploaded once."""

    async def get(self, sha256: str) -> str | None:
        """The media_id of this file while it is safe to reuse, else None."""

    async def put(self, sha256: str, media_id: str) -> None: ...

    async def forget(self, sha256: str) -> None:
        """WeChat refused the media_id (40007): the next send uploads again."""
