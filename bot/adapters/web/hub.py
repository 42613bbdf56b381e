"""Wakes the web chat's event streams when a recipient has new messages."""

from __future__ import annotations

import asyncio

from bot.core.messages import OutboundMessage
from bot.core.ports import SendResult


class WebHub:
    def __init__(self) -> None:
        self._listeners: dict[str, set[asyncio.Event]] = {}
        self.closed = False

    def close(self) -> None:
        """Shutting down: wake every open stream so it ends now, not at its next ping."""
        self.closed = True
        for listeners in self._listeners.values():
            for event in listeners:
                event.set()

    def subscribe(self, recipient: str) -> asyncio.Event:
        event = asyncio.Event()
        self._listeners.setdefault(recipient, set()).add(event)
        return event

    def unsubscribe(self, recipient: str, event: asyncio.Event) -> None:
        listeners = self._listeners.get(recipient)
        if listeners is not None:
            listeners.discard(event)
            if not listeners:
                del self._listeners[recipient]

    def notify(self, recipient: str) -> None:
        for event in self._listeners.get(recipient, ()):
            event.set()


class WebSender:
    """The web channel's sender: the page pulls its messages from the outbox feed, so
    "sending" is telling the open streams of that browser session to look."""

    def __init__(self, hub: WebHub) -> None:
        self._hub = hub

    async def send(self, message: OutboundMessage) -> SendResult:
        self._hub.notify(message.recipient)
        return SendResult(ok=True)
