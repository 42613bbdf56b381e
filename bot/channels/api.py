"""Wiring of the enterprise API (issue 6): the API's port on the shared case desk.

An API call acts as the enterprise itself (``StaffActor`` 0, channel ``api``): the audit
trail records ``staff:0:api``. The complaint JSON extends the ``complaint`` object of the
webhook events (``bot.services.case_format.case_event``) so both read the same.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from bot.adapters.api.ports import ApiError, ListQuery
from bot.adapters.api.routes import Api
from bot.channels.inbox import REFUSALS, SqlCaseDesk
from bot.core.errors import TemporarilyUnavailable
from bot.domain.complaint import Case, ThreadMessage
from bot.domain.errors import CaseNotFound, EmptyText, TextTooLong
from bot.domain.states import IllegalTransition, Status
from bot.services.case_format import case_event
from bot.services.cases import StaffActor
from storage.cases import CaseFilter

API_STAFF_ID = 0
_VERBS = {"accept": "accept", "reply": "message", "propose": "propose", "refuse": "refuse",
          "settle": "settle"}


class SqlApiBackend:
    """:class:`bot.adapters.api.ports.ApiBackend` on storage."""

    def __init__(self, desk: SqlCaseDesk) -> None:
        self._desk = desk

    async def enterprise_of_key(self, key: str) -> str | None:
        async with self._desk.db.unit_of_work() as uow:
            return await uow.staff.enterprise_of_key(key)

    async def complaints(self, enterprise_id: str, query: ListQuery) -> list[dict[str, Any]]:
        where = CaseFilter(statuses=tuple(Status(s) for s in query.statuses),
                           category=query.category, search=query.search, limit=query.limit,
                           offset=query.offset)
        return [complaint_json(c) for c in await self._desk.find(enterprise_id, where)]

    async def complaint(self, enterprise_id: str, reference: str) -> dict[str, Any]:
        try:
            case, thread = await self._desk.load(_actor(enterprise_id), reference)
        except CaseNotFound:
            raise _not_found() from None
        return {**complaint_json(case), "thread": [_message(m) for m in thread]}

    async def act(self, enterprise_id: str, action: str, reference: str, text: str
                  ) -> dict[str, Any]:
        try:
            case = await self._desk.act(_actor(enterprise_id), action, reference, text)
        except REFUSALS as exc:
            raise api_error(exc, action) from None
        return complaint_json(case)


def _actor(enterprise_id: str) -> StaffActor:
    return StaffActor(API_STAFF_ID, enterprise_id, "API", "api")


def _not_found() -> ApiError:
    return ApiError(404, "not_found", "no such complaint for this enterprise")


def api_error(exc: Exception, action: str) -> ApiError:
    if isinstance(exc, IllegalTransition):
        return ApiError(409, "illegal_state", f"cannot {_VERBS.get(action, action)} a "
                                              f"complaint that is {exc.status.value}")
    if isinstance(exc, TextTooLong):
        return ApiError(413, "too_large", f"the text has {exc.length} characters; "
                                          f"at most {exc.limit}")
    if isinstance(exc, EmptyText):
        return ApiError(422, "validation_error", '"text" must not be empty')
    if isinstance(exc, TemporarilyUnavailable):
        return ApiError(503, "unavailable", "temporarily unavailable; retry shortly")
    return _not_found()


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def complaint_json(case: Case) -> dict[str, Any]:
    shown = case.accepted_at is not None  # the consumer's contact only after 受理
    summary: dict[str, Any] = case_event(case, "", case.submitted_at)["complaint"]
    return {
        **summary,
        "consumer_address": case.consumer_address if shown else None,
        "merchant": case.merchant, "merchant_address": case.merchant_address,
        "channel": case.channel, "facts": case.facts, "order_no": case.order_no,
        "submitted_at": case.submitted_at.isoformat(), "accepted_at": _iso(case.accepted_at),
        "first_response_at": _iso(case.first_response_at),
        "resolved_at": _iso(case.resolved_at), "proposal": case.proposal,
        "outcome": case.outcome, "rating": case.rating, "evidence_count": case.evidence_count,
    }


def _message(message: ThreadMessage) -> dict[str, Any]:
    return {"sender": message.sender, "channel": message.channel, "kind": message.kind,
            "text": message.text, "at": message.at.isoformat(),
            "has_photo": bool(message.media_path)}


def install(app: web.Application, desk: SqlCaseDesk) -> None:
    app.add_subapp("/api/v1", Api(SqlApiBackend(desk)).app())
