"""A person's account on one channel, as the turn reads it (shared by the repositories
that read identities, without importing each other)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.tables import identities

IDENTITY_COLUMNS = tuple(identities.c[name] for name in (
    "id", "channel", "external_id", "consumer_id", "language", "reachable", "last_inbound_at"))
"""What a turn reads of an identity, in the order :func:`identity_of` takes it."""


@dataclass(frozen=True)
class IdentityRow:
    id: int
    channel: str
    external_id: str
    consumer_id: int
    language: str | None
    reachable: bool
    last_inbound_at: datetime | None = None


def identity_of(row: Sequence[Any]) -> IdentityRow:
    """An identity from its ``IDENTITY_COLUMNS``, in that order."""
    ident, chan, external, consumer, language, reachable, last = row
    return IdentityRow(int(ident), chan, external, int(consumer), language, bool(reachable),
                       last)
