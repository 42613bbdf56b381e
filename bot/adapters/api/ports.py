"""What the API needs from the rest of the bot (implemented in ``bot/channels/api.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

STATUSES = ("submitted", "accepted", "negotiating", "proposed", "settled", "not_settled",
            "overdue", "escalated", "withdrawn", "closed")
ACTIONS = ("accept", "reply", "propose", "refuse", "settle")


class ApiError(Exception):
    """An answer ``{"error": {"code", "message"}}`` with an HTTP status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ListQuery:
    statuses: tuple[str, ...] = ()
    category: str | None = None
    search: str | None = None
    limit: int = 50
    offset: int = 0


class ApiBackend(Protocol):
    async def enterprise_of_key(self, key: str) -> str | None: ...

    async def complaints(self, enterprise_id: str, query: ListQuery) -> list[dict[str, Any]]: ...

    async def complaint(self, enterprise_id: str, reference: str) -> dict[str, Any]:
        """The complaint with its thread; raises :class:`ApiError` (404) for unknown and
        other enterprises' references alike."""

    async def act(self, enterprise_id: str, action: str, reference: str, text: str
                  ) -> dict[str, Any]:
        """One of :data:`ACTIONS`; the complaint afterwards, or :class:`ApiError`."""
