"""A loopback TCP proxy whose link can be cut: PostgreSQL "goes away" for the application
without stopping the shared PostgreSQL server.

Outage modes: ``reset`` (connections are accepted and reset at once, open ones are cut),
``refuse`` (nothing listens any more: connection refused) and ``blackhole`` (connections
are accepted and then nothing ever answers, as behind a network partition). ``restore``
forwards again on the same port.
"""

from __future__ import annotations

import asyncio
import contextlib


class TcpProxy:
    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1") -> None:
        self._upstream = (upstream_host, upstream_port)
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0
        self.down = False
        self.mode = ""
        self._held: set[asyncio.StreamWriter] = set()
        self.refused_connections = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def outage(self, mode: str) -> None:
        assert mode in ("reset", "refuse", "blackhole")
        self.down, self.mode = True, mode
        if mode == "refuse" and self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._links):  # established connections die too
            writer.transport.abort()

    async def restore(self) -> None:
        self.down = False
        for writer in list(self._held):
            writer.transport.abort()
        if self._server is None:
            await self.start()

    async def close(self) -> None:
        await self.outage("refuse")
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            self.refused_connections += 1
            if self.mode == "blackhole":  # swallow whatever comes, never answer
                self._held.add(writer)
                with contextlib.suppress(ConnectionError, OSError):
                    while await reader.read(65536):
                        pass
                self._held.discard(writer)
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._upstream)
        except OSError:
            writer.transport.abort()
            return
        self._links.update((writer, up_writer))
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            self._tasks.discard(task)
            for end in (writer, up_writer):
                self._links.discard(end)
                end.transport.abort()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while chunk := await source.read(65536):
            sink.write(chunk)
            await sink.drain()
    sink.transport.abort()
