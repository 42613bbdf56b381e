"""What handlers may do during a turn, bound to that turn's unit of work."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.core.messages import Channel
from bot.core.ports import Contact, EnterpriseMatch, StaffView
from bot.domain.complaint import (
    Case,
    ComplaintView,
    EnterpriseView,
    Filing,
    Submitted,
    ThreadMessage,
)
from bot.domain.errors import CaseNotFound
from bot.domain.states import OPEN_STATES, Action, Actor, Status, transition
from bot.registry import EnterpriseRegistry
from bot.services.cases import CaseService, ConsumerActor, StaffActor
from bot.services.timing import Timing
from storage.cases import CaseFilter
from storage.identity import IdentityRow
from storage.uow import UnitOfWork

CHINA = ZoneInfo("Asia/Shanghai")
log = logging.getLogger(__name__)
# States in which the consumer's plain messages go to the enterprise.
TALKING_STATES = (Status.SUBMITTED, Status.ACCEPTED, Status.NEGOTIATING, Status.PROPOSED,
                  Status.SETTLED, Status.NOT_SETTLED, Status.OVERDUE)


@dataclass(frozen=True)
class ServiceSettings:
    timing: Timing
    registry: EnterpriseRegistry
    pack_link: Callable[[str], str]
    """The signed link to a case's printable escalation pack."""


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

    async def submit(self, filing: Filing) -> Submitted:
        enterprise = await self._uow.enterprises.get(filing.enterprise_id)
        if enterprise is None:
            raise ValueError(f"unknown enterprise {filing.enterprise_id}")
        status = transition(Status.DRAFT, Action.SUBMIT)
        reference = await self._uow.complaints.next_reference(self.today)
        accept_by, deadline = self._settings.timing.deadlines(
            enterprise.id, enterprise.district, self.today)
        complaint_id = await self._uow.complaints.insert(
            filing, reference=reference, consumer_id=self._identity.consumer_id, status=status,
            source_channel=self._channel.value, now=self._now, deadline=deadline,
            accept_deadline=accept_by,
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
        case = await self._uow.cases.by_reference(reference)
        assert case is not None
        await self._cases().announce_new(case)
        return Submitted(reference, deadline, enterprise.name)

    # --- the negotiation -----------------------------------------------------------------

    def _cases(self) -> CaseService:
        return CaseService(self._uow, self._now, self._settings.timing)

    def _consumer(self) -> ConsumerActor:
        return ConsumerActor(self._identity.consumer_id, self._channel.value)

    async def _staff_actor(self) -> StaffActor:
        member = await self._uow.staff.of_identity(self._identity.id)
        if member is None:
            raise CaseNotFound("not staff")
        return StaffActor(member.id, member.enterprise_id, member.name, self._channel.value,
                          (self._channel.value, self._identity.external_id))

    async def staff_member(self) -> StaffView | None:
        member = await self._uow.staff.of_identity(self._identity.id)
        if member is None:
            return None
        enterprise = await self._uow.enterprises.get(member.enterprise_id)
        name = enterprise.name if enterprise else member.enterprise_id
        return StaffView(member.id, member.enterprise_id, name, member.name, member.role)

    async def bind_staff(self, code: str) -> StaffView | None:
        member = await self._uow.staff.use_invite("bind", code.strip().upper(), self._now)
        if member is None:
            log.warning("failed staff binding attempt from %s identity %s",
                        self._channel.value, self._identity.id)
            return None
        await self._uow.staff.bind(self._identity.id, member.id, self._now)
        return await self.staff_member()

    async def unbind_staff(self) -> bool:
        return await self._uow.staff.unbind(self._identity.id)

    async def enterprise_cases(self) -> list[Case]:
        actor = await self._staff_actor()
        return await self._uow.cases.of_enterprise(
            actor.enterprise_id, CaseFilter(statuses=tuple(sorted(OPEN_STATES)), limit=30))

    async def staff_act(self, action: str, reference: str, text: str = "",
                        media_path: str | None = None) -> Case:
        actor = await self._staff_actor()
        cases = self._cases()
        if action == "view":
            return await cases.for_staff(actor, reference)
        if action == "accept":
            return await cases.accept(actor, reference)
        if action == "reply" and media_path is not None:
            return await cases.reply(actor, reference, text, media_path)
        handlers = {"reply": cases.reply, "propose": cases.propose, "refuse": cases.refuse,
                    "settle": cases.settle}
        return await handlers[action](actor, reference, text)

    async def my_open_cases(self) -> list[Case]:
        return await self._uow.cases.of_consumer(self._identity.consumer_id, TALKING_STATES)

    async def my_rateable_cases(self) -> list[Case]:
        cases = await self._uow.cases.of_consumer(self._identity.consumer_id,
                                                  (Status.SETTLED, Status.CLOSED))
        return [c for c in cases if c.rating is None]

    async def consumer_act(self, action: str, reference: str, text: str = "",
                           number: int = 0, media_path: str | None = None) -> Case:
        cases, actor = self._cases(), self._consumer()
        if action == "message":
            return await cases.consumer_message(actor, reference, text, media_path)
        if action in ("accept_proposal", "reject_proposal"):
            return await cases.answer_proposal(actor, reference, action == "accept_proposal",
                                               text)
        if action == "rate":
            return await cases.rate(actor, reference, number)
        if action == "withdraw":
            return await cases.withdraw(actor, reference)
        if action == "escalate":
            return await cases.escalate(actor, reference)
        if action == "extend":
            return await cases.extend(actor, reference, number or None)
        if action == "close":
            return await cases.close(actor, reference)
        return await cases.for_consumer(actor, reference)

    def escalation_link(self, reference: str) -> str:
        return self._settings.pack_link(reference)

    async def case_thread(self, reference: str) -> list[ThreadMessage]:
        case = await self._cases().for_consumer(self._consumer(), reference)
        return await self._uow.cases.thread(case.id)
