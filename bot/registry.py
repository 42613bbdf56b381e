"""The enrolled-enterprise index the intake matches names against (kept in memory)."""

from __future__ import annotations

import asyncio

import nlp
from bot.core.ports import EnterpriseMatch
from bot.domain.complaint import EnterpriseView
from storage.people import EnterpriseRow
from storage.uow import Database


class EnterpriseRegistry:
    def __init__(self) -> None:
        self._index = nlp.EnterpriseIndex([])
        self._views: dict[str, EnterpriseView] = {}

    async def load(self, db: Database) -> int:
        async with db.unit_of_work() as uow:
            rows = await uow.enterprises.all_enrolled()
        # Building the index takes about a second for 10,000 enterprises: off the loop.
        await asyncio.to_thread(self.replace, rows)
        return len(rows)

    def replace(self, rows: list[EnterpriseRow]) -> None:
        self._index = nlp.EnterpriseIndex(
            nlp.EnterpriseRecord(
                id=r.id, name=r.name, aliases=r.aliases, district=r.district,
                address=r.address, categories=r.categories,
            )
            for r in rows
        )
        self._views = {r.id: EnterpriseView(r.id, r.name, r.district, r.address) for r in rows}

    def match(self, text: str, city_hint: str | None) -> EnterpriseMatch:
        result = self._index.match(text, city_hint)
        chosen = self._views.get(result.enterprise_id) if result.enterprise_id else None
        candidates = tuple(
            self._views[cid] for cid, _score in result.candidates[:5] if cid in self._views
        )
        return EnterpriseMatch(chosen, result.score, candidates)

    def __len__(self) -> int:
        return len(self._views)
