"""No statement of a turn walks a whole table: every statement the repositories build
once (module constants, and the memoized builders with the arguments they get) is planned
by SQLite as index searches. A scan here grows with the data: the timers of every open
case were walked on each submission (155 ms at 100,000 open cases) before migration 0008.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.sql import Executable

import storage
from bot.domain.states import Status
from bot.services.cases import CASE_TIMER_KINDS
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.runner import _compile
from storage.uow import Database

# Statements that are planned with a scan on purpose, and why.
SCANS_ALLOWED = {
    "storage.messaging._TURN_START": "SCAN one",  # a one-row constant the joins hang on
}
POSTGRES_ONLY = {"storage.messaging._LOCK_CONVERSATION", "storage.complaints._NEXT_NUMBER"}


def _statements() -> Iterator[tuple[str, Executable]]:
    for module_info in pkgutil.iter_modules(storage.__path__):
        module = importlib.import_module(f"storage.{module_info.name}")
        for name, value in vars(module).items():
            qualified = f"storage.{module_info.name}.{name}"
            if (isinstance(value, Executable) and name.startswith("_")
                    and qualified not in POSTGRES_ONLY):
                yield qualified, value
    from storage.cases import _of_consumer, _update
    from storage.timers import _cancel

    yield "storage.timers._cancel(case kinds)", _cancel(CASE_TIMER_KINDS)
    yield "storage.timers._cancel()", _cancel(())
    yield "storage.cases._update(status)", _update(("status",))
    yield "storage.cases._of_consumer(talking)", _of_consumer(
        frozenset({Status.SUBMITTED, Status.ACCEPTED}))


STATEMENTS = dict(_statements())


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str | None]:
    import asyncio

    async def explain() -> dict[str, str | None]:
        folder: Path = tmp_path_factory.mktemp("plans")
        database = Database(create_engine(f"sqlite+aiosqlite:///{folder / 'p.sqlite3'}"))
        await upgrade(database.engine)
        found: dict[str, str | None] = {}
        try:
            async with database.unit_of_work() as uow:
                driver = uow.connection.sync_connection.connection.driver_connection  # type: ignore[attr-defined]
                for name, statement in STATEMENTS.items():
                    compiled = _compile(statement, uow.connection.dialect)
                    if compiled is None:  # expanding IN: by primary key, on the usual path
                        found[name] = None
                        continue
                    found[name] = " | ".join(str(row[3]) for row in driver.execute(
                        "EXPLAIN QUERY PLAN " + compiled.sql, [None] * len(compiled.names)))
        finally:
            await database.dispose()
        return found

    return asyncio.run(explain())


def test_there_are_statements_to_check() -> None:
    assert len(STATEMENTS) > 30 and "storage.timers._cancel(case kinds)" in STATEMENTS


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_no_table_is_walked(name: str, plans: dict[str, str | None]) -> None:
    plan = plans[name]
    if plan is None:
        return
    scans = [step for step in plan.split(" | ")
             if step.startswith("SCAN") and "CONSTANT ROW" not in step
             and step != SCANS_ALLOWED.get(name)]
    assert not scans, f"{name}: {plan}"


def test_a_cases_timers_are_found_by_the_case(plans: dict[str, str | None]) -> None:
    for name in ("storage.timers._cancel(case kinds)", "storage.timers._cancel()"):
        assert "ix_timers_complaint_state (complaint_id=? AND state=?)" in str(plans[name])


@pytest.mark.parametrize("name", ["storage.messaging._ANY_PENDING",
                                  "storage.messaging._OLDEST_UPTO",
                                  "storage.messaging._TAKE_UPTO_SINGLE_WRITER"])
def test_one_recipients_rows_are_found_by_the_recipient(
        name: str, plans: dict[str, str | None]) -> None:
    """A search by status alone is no scan, but it visits every pending row of every user
    (thousands under load) on each message: these go by the recipient's partial index."""
    assert "ix_outbox_pending (channel=? AND recipient=?" in str(plans[name]), plans[name]
