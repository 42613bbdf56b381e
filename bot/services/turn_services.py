"""What handlers may do during a turn, bound to that turn's unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.core.messages import Channel
from bot.core.ports import Contact, EnterpriseMatch
from bot.domain.calendar import WorkingDayCalendar
from bot.domain.complaint import ComplaintView, EnterpriseView, Filing, Submitted
from bot.domain.states import Action, Actor, Status, transition
from bot.registry import EnterpriseRegistry
from storage.people import IdentityRow
from storage.uow import UnitOfWork

CHINA = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class ServiceSettings:
    calendar: WorkingDayCalendar
    registry: EnterpriseRegistry
    deadline_working_days: int


class SqlTurnServices:
    def __init__(
        self, uow: UnitOfWork, identity: IdentityRow, now: datetime, channel: Channel,
        settings: ServiceSettings,
    ) -> None:
        self._uow = uow
        self._identity = identity
        self._now = now
        self._channel = channel
        self._settings = settings

    @property
    def now(self) -> datetime:
        return self._now

    @property
    def today(self) -> date:
        """Dates are China's calendar dates, whatever the server's zone."""
        return self._now.astimezone(CHINA).date()

    async def my_complaints(self) -> list[ComplaintView]:
        return await self._uow.complaints.list_for_consumer(self._identity.consumer_id)

    async def my_complaint(self, reference: str) -> ComplaintView | None:
        return await self._uow.complaints.get_for_consumer(self._identity.consumer_id, reference)

    async def contact(self) -> Contact:
        row = await self._uow.consumers.get(self._identity.consumer_id)
        return Contact(row.name, row.phone, row.address)

    async def match_enterprise(self, text: str, city_hint: str | None) -> EnterpriseMatch:
        return self._settings.registry.match(text, city_hint)

    async def enterprise(self, enterprise_id: str) -> EnterpriseView | None:
        row = await self._uow.enterprises.get(enterprise_id)
        return None if row is None else EnterpriseView(row.id, row.name, row.district, row.address)

    def deadline_for(self, submitted: date) -> date:
        return self._settings.calendar.add_working_days(
            submitted, self._settings.deadline_working_days
        )

    async def submit(self, filing: Filing) -> Submitted:
        enterprise = await self._uow.enterprises.get(filing.enterprise_id)
        if enterprise is None:
            raise ValueError(f"unknown enterprise {filing.enterprise_id}")
        status = transition(Status.DRAFT, Action.SUBMIT)
        reference = await self._uow.complaints.next_reference(self.today)
        deadline = self.deadline_for(self.today)
        complaint_id = await self._uow.complaints.insert(
            filing, reference=reference, consumer_id=self._identity.consumer_id, status=status,
            source_channel=self._channel.value, now=self._now, deadline=deadline,
        )
        await self._uow.complaints.add_event(
            complaint_id, action=Action.SUBMIT.value, from_status=Status.DRAFT, to_status=status,
            actor=Actor.CONSUMER.value, actor_ref=f"{self._channel.value}:{self._identity.id}",
            now=self._now, detail={"consent": True, "enterprise_id": enterprise.id},
        )
        await self._uow.consumers.update_contact(
            self._identity.consumer_id, filing.consumer_name, filing.consumer_phone,
            filing.consumer_address,
        )
        return Submitted(reference, deadline, enterprise.name)

    async def withdraw(self, reference: str) -> bool:
        found = await self._uow.complaints.id_of(self._identity.consumer_id, reference)
        if found is None:
            return False
        complaint_id, status = found
        new_status = transition(status, Action.WITHDRAW)
        await self._uow.complaints.set_status(complaint_id, new_status, self._now)
        await self._uow.complaints.add_event(
            complaint_id, action=Action.WITHDRAW.value, from_status=status, to_status=new_status,
            actor=Actor.CONSUMER.value, actor_ref=f"{self._channel.value}:{self._identity.id}",
            now=self._now,
        )
        return True
