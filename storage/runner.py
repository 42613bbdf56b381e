"""How repositories run the statements of every turn.

On PostgreSQL they go through SQLAlchemy as usual. On SQLite (run inline on the loop, see
``storage/inline_sqlite.py``) SQLAlchemy's per-execution work (execution context, cache
lookup, parameter and result set-up: ~20–40 µs a statement) costs several times what
SQLite takes to run the statement (~3 µs), and a turn runs about ten of them. So a
statement built once at import is compiled once for SQLite, and then executed straight
on the ``sqlite3`` connection of the unit of work: the same SQL SQLAlchemy would send,
with the same type processing of parameters and results (JSON, aware UTC datetimes), in
the same transaction. Statements with expanding ``IN`` parameters take the usual path.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, InvalidRequestError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from storage.inline_sqlite import InlineConnection

Row = tuple[Any, ...]


class Runner(Protocol):
    async def rows(self, statement: Executable, params: Mapping[str, Any]) -> list[Row]:
        """All result rows (of a SELECT or of RETURNING), values processed by type."""

    async def run(self, statement: Executable, params: Mapping[str, Any]) -> int:
        """Run a statement without results; the number of rows it changed."""

    async def records(self, statement: Executable, params: Mapping[str, Any]
                      ) -> list[dict[str, Any]]:
        """The rows as dicts by column key (``Result.mappings()``)."""


def runner_for(conn: AsyncConnection) -> Runner:
    """The direct path on SQLite, unless statements are echoed to the log (SQLAlchemy's
    echo sees only what runs through it)."""
    if isinstance(conn, InlineConnection) and not conn.sync_connection.engine.echo:
        return SqliteRunner(conn)
    return AlchemyRunner(conn)


class AlchemyRunner:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def rows(self, statement: Executable, params: Mapping[str, Any]) -> list[Row]:
        return [tuple(r) for r in await self._conn.execute(statement, params)]

    async def run(self, statement: Executable, params: Mapping[str, Any]) -> int:
        return int((await self._conn.execute(statement, params)).rowcount)

    async def records(self, statement: Executable, params: Mapping[str, Any]
                      ) -> list[dict[str, Any]]:
        return [dict(r) for r in (await self._conn.execute(statement, params)).mappings()]


Processor = Callable[[Any], Any] | None


_GIVEN = object()
"""A parameter the caller must pass (a ``bindparam`` without a value)."""


@dataclass(frozen=True)
class _Compiled:
    compiled: SQLCompiler
    sql: str
    names: tuple[str, ...]
    slots: tuple[tuple[str, Any, Processor], ...]
    """Per positional parameter: its name, its value when the caller does not give it
    (a literal in the statement, a scalar column default; ``_GIVEN`` when required) and
    its type's bind processor: what ``construct_params`` would work out on every call."""
    results: tuple[tuple[int, Callable[[Any], Any]], ...]
    """The result columns that have a processor, by position."""
    width: int
    keys: tuple[str, ...]


# Keyed by the statement object itself (statements on this path are module constants,
# so the cache holds a few dozen entries and never grows at run time).
_COMPILED: dict[Executable, _Compiled | None] = {}


def _compile(statement: Executable, dialect: Dialect) -> _Compiled | None:
    compiled = cast(ClauseElement, statement).compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    binds = compiled.binds
    if any(b.expanding for b in binds.values()) or compiled.positiontup is None:
        return None
    names = tuple(compiled.positiontup)
    fixed: dict[str, Any] = {}
    for column in (*compiled.insert_prefetch, *compiled.update_prefetch):
        default = column.default if column in compiled.insert_prefetch else column.onupdate
        if not isinstance(default, ScalarElementColumnDefault):  # callables need a context
            return None
        fixed[column.key] = default.arg
    slots = []
    for name in names:
        bind = binds[name]
        if bind.callable is not None:
            return None
        value = fixed.get(name, _GIVEN if bind.required else bind.value)
        slots.append((name, value, bind.type.dialect_impl(dialect).bind_processor(dialect)))
    columns = list(getattr(statement, "exported_columns", ()))
    procs = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
    return _Compiled(
        compiled, compiled.string, names, tuple(slots),
        tuple((n, p) for n, p in enumerate(procs) if p is not None), len(columns),
        tuple(str(c.key) for c in columns))


class SqliteRunner:
    def __init__(self, conn: InlineConnection) -> None:
        self._conn = conn
        self._dialect = conn.dialect
        self._driver: sqlite3.Connection | None = None
        self._usual = AlchemyRunner(conn)  # type: ignore[arg-type]
        """For statements the direct path does not take (expanding IN)."""

    def _raw(self) -> sqlite3.Connection:
        if self._driver is None:
            raw = self._conn.sync_connection.connection.driver_connection
            assert isinstance(raw, sqlite3.Connection)
            self._driver = raw
        return self._driver

    def _prepared(self, statement: Executable) -> _Compiled | None:
        try:
            return _COMPILED[statement]
        except KeyError:
            made = _COMPILED[statement] = _compile(statement, self._dialect)
            return made

    def _execute(self, done: _Compiled, params: Mapping[str, Any]) -> sqlite3.Cursor:
        args = []
        for name, value, proc in done.slots:
            if name in params:
                value = params[name]
            elif value is _GIVEN:  # as SQLAlchemy raises it
                missing = InvalidRequestError(
                    f"A value is required for bind parameter {name!r}", code="cd3x")
                raise StatementError(str(missing), done.sql, None, missing)
            args.append(value if proc is None else proc(value))
        try:
            return self._raw().execute(done.sql, args)
        except sqlite3.Error as exc:  # as SQLAlchemy would raise it (IntegrityError, ...)
            raise DBAPIError.instance(done.sql, args, exc, sqlite3.Error) from exc

    def _rows(self, done: _Compiled, params: Mapping[str, Any]) -> list[Row]:
        found = self._execute(done, params).fetchall()
        if not done.results:
            return found
        rows = []
        for row in found:
            values = list(row)
            for n, proc in done.results:
                values[n] = proc(values[n])
            rows.append(tuple(values))
        return rows

    async def rows(self, statement: Executable, params: Mapping[str, Any]) -> list[Row]:
        done = self._prepared(statement)
        if done is None:
            return await self._usual.rows(statement, params)
        return self._rows(done, params)

    async def records(self, statement: Executable, params: Mapping[str, Any]
                      ) -> list[dict[str, Any]]:
        done = self._prepared(statement)
        if done is None:
            return await self._usual.records(statement, params)
        return [dict(zip(done.keys, row, strict=True)) for row in self._rows(done, params)]

    async def run(self, statement: Executable, params: Mapping[str, Any]) -> int:
        done = self._prepared(statement)
        if done is None:
            return await self._usual.run(statement, params)
        return self._execute(done, params).rowcount


def first(rows: Sequence[Row]) -> Row | None:
    return rows[0] if rows else None
