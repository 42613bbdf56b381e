"""The inbox's views of storage rows: list filters, case views, statistics and the CSV."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.adapters.inbox import ports
from bot.domain.complaint import Case
from bot.domain.states import OPEN_STATES, Action, Status, allowed
from handlers.labels import CATEGORY_LABELS, NATURE_LABELS
from storage.cases import CaseFilter
from storage.stats import (
    CHINA,
    CaseRecord,
    StatsRepository,
    StatsScope,
    outcomes_of,
    timeliness_of,
    weekly_of,
)
from storage.uow import Database

DUE_SOON_DAYS = 3
OUTCOME_ORDER = ("open", "settled", "not_settled", "overdue", "escalated", "withdrawn",
                 "closed_other")


def case_filter(query: ports.CaseQuery, today: date, offset: int, limit: int) -> CaseFilter:
    """The inbox's filters as a repository filter (unknown values fall back to defaults)."""
    open_states = tuple(sorted(OPEN_STATES))
    statuses: tuple[Status, ...] = open_states
    if query.state == "all":
        statuses = ()
    elif query.state in Status.__members__.values():
        statuses = (Status(query.state),)
    deadline_before = None
    if query.due == "soon":
        deadline_before = today + timedelta(days=DUE_SOON_DAYS)
        statuses = tuple(s for s in statuses or open_states if s in OPEN_STATES)
    elif query.due == "overdue":
        deadline_before = today - timedelta(days=1)
        if query.state in ("open", "all"):
            statuses = (*open_states, Status.OVERDUE)
    category = query.category if query.category in CATEGORY_LABELS else None
    return CaseFilter(statuses=statuses, category=category, deadline_before=deadline_before,
                      search=query.search or None, limit=limit, offset=offset)


def staff_actions(case: Case) -> tuple[str, ...]:
    found = [name for name, action in (("accept", Action.ACCEPT), ("reply", Action.MESSAGE),
                                       ("propose", Action.PROPOSE), ("refuse", Action.REFUSE))
             if allowed(case.status, action)]
    if case.status == Status.SETTLED:
        found.append("settle")
    return tuple(found)


def case_view(case: Case, today: date) -> ports.CaseView:
    due = ""
    if case.status == Status.OVERDUE or (case.status in OPEN_STATES and case.deadline < today):
        due = "overdue"
    elif case.status in OPEN_STATES and case.deadline <= today + timedelta(days=DUE_SOON_DAYS):
        due = "soon"
    shown = case.accepted_at is not None  # PIPL: the contact only after 受理
    return ports.CaseView(
        reference=case.reference, status=case.status.value, category=case.category,
        nature=case.nature, merchant=case.merchant, merchant_address=case.merchant_address,
        product=case.product, purchase_date=case.purchase_date, amount=case.amount,
        channel=case.channel, facts=case.facts, demands=case.demands, order_no=case.order_no,
        submitted_at=case.submitted_at, deadline=case.deadline, due=due,
        consumer_name=case.consumer_name if shown else None,
        consumer_phone=case.consumer_phone if shown else None,
        consumer_address=case.consumer_address if shown else None,
        proposal=case.proposal, outcome=case.outcome, rating=case.rating,
        evidence_count=case.evidence_count, actions=staff_actions(case))


async def statistics(db: Database, enterprise_id: str, first: date, last: date, today: date
                     ) -> ports.StatsView:
    scope = StatsScope.days(first, last, enterprise_id=enterprise_id)
    async with db.unit_of_work() as uow:
        repo = StatsRepository(uow.connection)
        by_category = await repo.by_category(scope)
        by_nature = await repo.by_nature(scope)
        records = await repo.records(scope)
    outcomes = outcomes_of(records)
    timely = timeliness_of(records, today)
    median = timely.median_first_response
    return ports.StatsView(
        first=first, last=last, total=len(records), by_category=tuple(by_category),
        by_nature=tuple(by_nature),
        outcomes=tuple((name, getattr(outcomes, name)) for name in OUTCOME_ORDER
                       if getattr(outcomes, name)),
        settlement_rate=outcomes.settlement_rate, on_time=timely.on_time, late=timely.late,
        pending=timely.pending,
        median_first_response_hours=None if median is None else median / timedelta(hours=1),
        weekly=tuple(weekly_of(records, scope)))


EXPORT_HEADER = ["reference", "submitted_at", "deadline", "status", "category",
                 "category_name", "nature", "nature_name", "source_channel",
                 "first_response_at", "resolved_at", "on_time", "settled", "rating"]


async def export(db: Database, enterprise_id: str, first: date, last: date, today: date
                 ) -> list[list[str]]:
    """One row per complaint of the period, without the consumer's personal data."""
    scope = StatsScope.days(first, last, enterprise_id=enterprise_id)
    async with db.unit_of_work() as uow:
        records = await StatsRepository(uow.connection).records(scope)
    return [EXPORT_HEADER, *(_export_row(r, today) for r in records)]


def _export_row(record: CaseRecord, today: date) -> list[str]:
    verdict = record.on_time(today)
    return [
        record.reference, _iso(record.submitted_at), record.deadline.isoformat(), record.status,
        record.category, CATEGORY_LABELS.get(record.category, ("", ""))[0], record.nature,
        NATURE_LABELS.get(record.nature, ("", ""))[0], record.source_channel,
        _iso(record.first_response_at), _iso(record.resolved_at),
        "pending" if verdict is None else ("yes" if verdict else "no"),
        "yes" if record.settled else "no", "" if record.rating is None else str(record.rating),
    ]


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(CHINA).isoformat(timespec="minutes")
