"""The negotiation: every action of either side on a case, with its guards, audit event,
thread message and the notices to the other side. Chat, web inbox and API all call this.

Authorization is part of every action: staff act only on their own enterprise's cases and
a consumer only on their own. A refusal never tells whether the case exists.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core.media import stored_ref
from bot.core.messages import Channel, Choice, MediaRef, OutboundMessage
from bot.core.outbound import payload_of
from bot.domain.complaint import Case
from bot.domain.deadlines import CHINA, case_timers, end_of, proposal_timers
from bot.domain.errors import CaseNotFound, EmptyText, TextTooLong
from bot.domain.states import FINAL_STATES, Action, Actor, Status, transition
from bot.services.case_format import case_event, case_summary, consumer_lang
from bot.services.notices import notice
from bot.services.timing import Timing
from storage.staff import BoundIdentity
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
MAX_TEXT = 2000
CASE_TIMER_KINDS = ("accept_due", "staff_half", "staff_day_before", "deadline")
OFFER_OPTIONS = (("接受", "accept_word"), ("不接受", "reject_word"))


@dataclass(frozen=True)
class StaffActor:
    staff_id: int
    enterprise_id: str
    name: str
    channel: str
    identity: tuple[str, str] | None = None
    """(channel, external id) of the chat the staff member acted from; None for web/API."""


@dataclass(frozen=True)
class ConsumerActor:
    consumer_id: int
    channel: str


class CaseService:
    def __init__(self, uow: UnitOfWork, now: datetime, timing: Timing | None = None) -> None:
        self._uow = uow
        self._now = now
        self._timing = timing

    # --- loading with authorization ----------------------------------------------------

    async def for_staff(self, actor: StaffActor, reference: str) -> Case:
        case = await self._uow.cases.by_reference(reference.upper())
        if case is None or case.enterprise_id != actor.enterprise_id:
            log.warning("denied: staff %s of %s asked for case %s", actor.staff_id,
                        actor.enterprise_id, reference[:20])
            raise CaseNotFound(reference)
        return case

    async def for_consumer(self, actor: ConsumerActor, reference: str) -> Case:
        case = await self._uow.cases.by_reference(reference.upper())
        if case is None or case.consumer_id != actor.consumer_id:
            log.warning("denied: consumer %s asked for case %s", actor.consumer_id,
                        reference[:20])
            raise CaseNotFound(reference)
        return case

    # --- staff actions -------------------------------------------------------------------

    async def accept(self, actor: StaffActor, reference: str) -> Case:
        case = await self.for_staff(actor, reference)
        case = await self._change(case, Action.ACCEPT, Actor.ENTERPRISE, _staff_ref(actor),
                                  accepted_at=self._now,
                                  first_response_at=case.first_response_at or self._now)
        await self._to_consumer(case, "accepted")
        await self._to_enterprise(case, "accepted", actor, what="受理")
        return case

    async def reply(self, actor: StaffActor, reference: str, text: str,
                    media_path: str | None = None) -> Case:
        body = _checked(text, allow_empty=media_path is not None)
        case = await self.for_staff(actor, reference)
        if case.status == Status.SUBMITTED:  # answering the consumer is accepting the case
            case = await self.accept(actor, reference)
        case = await self._change(case, Action.MESSAGE, Actor.ENTERPRISE, _staff_ref(actor),
                                  first_response_at=case.first_response_at or self._now)
        await self._thread(case, Actor.ENTERPRISE, actor.channel, "message", body, media_path)
        key = "staff_photo" if media_path and not body else "staff_said"
        await self._to_consumer(case, key, text=body, photo=_photo(media_path))
        await self._to_enterprise(case, "staff_message", actor, what=body or "📷")
        return case

    async def propose(self, actor: StaffActor, reference: str, text: str) -> Case:
        body = _checked(text)
        case = await self.for_staff(actor, reference)
        case = await self._change(case, Action.PROPOSE, Actor.ENTERPRISE, _staff_ref(actor),
                                  proposal=body, proposed_at=self._now,
                                  first_response_at=case.first_response_at or self._now)
        await self._thread(case, Actor.ENTERPRISE, actor.channel, "proposal", body)
        if self._timing is not None:
            for spec in proposal_timers(self._now, self._timing.proposal_reminder_days):
                await self._uow.timers.add(case.id, spec.kind, spec.due_at,
                                           note=self._now.isoformat())
        await self._to_consumer(case, "proposed", text=body, options=OFFER_OPTIONS)
        await self._to_enterprise(case, "proposed", actor, what=body)
        return case

    async def refuse(self, actor: StaffActor, reference: str, reason: str) -> Case:
        body = _checked(reason)
        case = await self.for_staff(actor, reference)
        case = await self._change(case, Action.REFUSE, Actor.ENTERPRISE, _staff_ref(actor),
                                  resolved_at=self._now, outcome=body,
                                  first_response_at=case.first_response_at or self._now)
        await self._thread(case, Actor.ENTERPRISE, actor.channel, "refusal", body)
        await self._to_consumer(case, "refused", text=body)
        await self._to_enterprise(case, "refused", actor, what=body)
        return case

    async def settle(self, actor: StaffActor, reference: str, result: str) -> Case:
        """办结: the agreed settlement was carried out; the consumer is asked to rate."""
        body = _checked(result)
        case = await self.for_staff(actor, reference)
        case = await self._change(case, Action.CLOSE, Actor.ENTERPRISE, _staff_ref(actor),
                                  outcome=body)
        await self._thread(case, Actor.ENTERPRISE, actor.channel, "result", body)
        await self._to_consumer(case, "settled_done", text=body)
        await self._to_enterprise(case, "closed", actor, what=body)
        return case

    # --- consumer actions ----------------------------------------------------------------

    async def consumer_message(self, actor: ConsumerActor, reference: str, text: str,
                               media_path: str | None = None) -> Case:
        body = _checked(text, allow_empty=media_path is not None)
        case = await self.for_consumer(actor, reference)
        case = await self._change(case, Action.MESSAGE, Actor.CONSUMER, _consumer_ref(actor))
        await self._thread(case, Actor.CONSUMER, actor.channel, "message", body, media_path)
        key = "consumer_photo" if media_path and not body else "consumer_said"
        await self._to_staff(case, key, None, photo=_photo(media_path), text=body)
        await self._event_to_enterprise(case, "consumer_message", text=body)
        return case

    async def answer_proposal(self, actor: ConsumerActor, reference: str, accept: bool,
                              reason: str = "") -> Case:
        case = await self.for_consumer(actor, reference)
        action = Action.ACCEPT_PROPOSAL if accept else Action.REJECT_PROPOSAL
        extra = {"resolved_at": self._now, "settled_at": self._now} if accept else {}
        case = await self._change(case, action, Actor.CONSUMER, _consumer_ref(actor), **extra)
        word = "接受方案" if accept else "不接受方案"
        await self._thread(case, Actor.CONSUMER, actor.channel, "answer",
                           f"{word}{'：' + reason if reason else ''}")
        if accept:
            await self._to_staff(case, "proposal_accepted", None)
            if self._timing is not None:
                due = self._now + timedelta(days=self._timing.settlement_check_days)
                await self._uow.timers.add(case.id, "settlement_check", due)
        else:
            await self._to_staff(case, "proposal_rejected", None, reason=reason)
        await self._event_to_enterprise(case, "proposal_answered", accepted=accept)
        return case

    async def rate(self, actor: ConsumerActor, reference: str, stars: int) -> Case:
        if not 1 <= stars <= 5:
            raise ValueError("stars must be 1-5")
        case = await self.for_consumer(actor, reference)
        case = await self._change(case, Action.RATE, Actor.CONSUMER, _consumer_ref(actor),
                                  rating=stars)
        await self._to_staff(case, "rated_staff", None, stars=stars)
        await self._event_to_enterprise(case, "rated", rating=stars)
        return case

    async def withdraw(self, actor: ConsumerActor, reference: str) -> Case:
        case = await self.for_consumer(actor, reference)
        case = await self._change(case, Action.WITHDRAW, Actor.CONSUMER, _consumer_ref(actor),
                                  resolved_at=self._now)
        await self._to_staff(case, "withdrawn_staff", None)
        await self._event_to_enterprise(case, "withdrawn")
        return case

    async def escalate(self, actor: ConsumerActor, reference: str) -> Case:
        case = await self.for_consumer(actor, reference)
        case = await self._change(case, Action.ESCALATE, Actor.CONSUMER, _consumer_ref(actor))
        await self._to_staff(case, "escalated_staff", None)
        await self._event_to_enterprise(case, "escalated")
        return case

    async def extend(self, actor: ConsumerActor, reference: str, days: int | None) -> Case:
        """继续等待: the consumer gives an overdue case more time (recorded, re-timed)."""
        case = await self.for_consumer(actor, reference)
        timing = self._require_timing()
        wait = days or timing.extend_default_days
        if not 1 <= wait <= 30:
            raise ValueError("extension must be 1-30 working days")
        today = self._now.astimezone(CHINA).date()
        new_deadline = timing.extended(today, wait)
        case = await self._change(case, Action.EXTEND, Actor.CONSUMER, _consumer_ref(actor),
                                  deadline=new_deadline,
                                  extended_days=case.extended_days + wait)
        await self._plan_case_timers(case, accept_by=new_deadline)
        await self._to_staff(case, "extended_staff", None, days=wait,
                             deadline=new_deadline.isoformat())
        await self._event_to_enterprise(case, "extended", days=wait)
        return case

    async def close(self, actor: ConsumerActor, reference: str) -> Case:
        """结束: the consumer ends an overdue or unsettled case without escalating."""
        case = await self.for_consumer(actor, reference)
        extra = {} if case.resolved_at else {"resolved_at": self._now}
        case = await self._change(case, Action.CLOSE, Actor.CONSUMER, _consumer_ref(actor),
                                  **extra)
        await self._to_staff(case, "closed_by_consumer", None)
        await self._event_to_enterprise(case, "closed")
        return case

    async def announce_new(self, case: Case) -> None:
        """A new complaint: every bound staff member, the inbox, and the webhook; and the
        timers of its ODR clock."""
        await self._to_staff(case, "new_case", None,
                             localized=lambda lang: case_summary(case, lang))
        await self._event_to_enterprise(case, "complaint_submitted")
        await self._plan_case_timers(case, accept_by=case.accept_deadline or case.deadline)

    async def _plan_case_timers(self, case: Case, accept_by: date) -> None:
        timing = self._require_timing()
        await self._uow.timers.cancel_pending(case.id, CASE_TIMER_KINDS)
        for spec in case_timers(self._now, accept_by, case.deadline, timing.calendar):
            if spec.due_at > self._now:
                await self._uow.timers.add(case.id, spec.kind, spec.due_at)

    def _require_timing(self) -> Timing:
        if self._timing is None:
            raise RuntimeError("CaseService needs the ODR timing for this action")
        return self._timing

    # --- the mechanics -------------------------------------------------------------------

    async def _change(self, case: Case, action: Action, actor: Actor, actor_ref: str,
                      **values: object) -> Case:
        new_status = transition(case.status, action)  # raises IllegalTransition
        if "resolved_at" in values:  # 按时办结: a result by the end of the deadline day
            values["resolved_on_time"] = self._now < end_of(case.deadline)
        await self._uow.cases.update(case.id, self._now, status=new_status, **values)
        if new_status in FINAL_STATES:
            await self._uow.timers.cancel_pending(case.id)
        await self._uow.complaints.add_event(
            case.id, action=action.value, from_status=case.status, to_status=new_status,
            actor=actor.value, actor_ref=actor_ref, now=self._now)
        if actor == Actor.ENTERPRISE:
            await self._uow.regulator.mark_active(case.enterprise_id,
                                                  self._now.astimezone(CHINA).date())
        changed = await self._uow.cases.by_reference(case.reference)
        assert changed is not None
        return changed

    async def _thread(self, case: Case, sender: Actor, channel: str, kind: str, text: str,
                      media_path: str | None = None) -> None:
        await self._uow.complaints.add_message(
            case.id, sender_role=sender.value, sender_channel=channel, text=text,
            now=self._now, media_path=media_path, kind=kind)

    async def _to_consumer(self, case: Case, key: str, text: str = "",
                           options: tuple[tuple[str, str], ...] = (),
                           photo: MediaRef | None = None) -> None:
        """A notice to every chat the consumer uses; ``options`` are (answer, label key)."""
        for identity in await self._uow.identities.of_consumer(case.consumer_id):
            if not identity.reachable or identity.channel not in _CHAT_CHANNELS:
                continue
            lang = consumer_lang(identity.language)
            choices = tuple(Choice(answer.format(ref=case.reference), notice(lang, label))
                            for answer, label in options)
            words = {"ref": case.reference, "enterprise": case.enterprise_name}
            body = notice(lang, key, text=text, deadline=case.deadline.isoformat(), **words)
            await self._send(OutboundMessage(Channel(identity.channel), identity.external_id,
                                             body, choices, case_ref=case.reference))
            if photo is not None:
                await self._send_photo(identity.channel, identity.external_id, case, photo,
                                       notice(lang, "staff_photo_caption", **words))

    async def _to_staff(self, case: Case, key: str, actor: StaffActor | None,
                        photo: MediaRef | None = None,
                        localized: Callable[[str], dict[str, object]] | None = None,
                        **values: object) -> None:
        """A notice to every bound chat of the enterprise's staff (not the acting one);
        ``localized`` gives the values that depend on each reader's language."""
        for bound in await self._bound_staff(case.enterprise_id):
            if not bound.reachable or (actor and actor.identity == (bound.channel,
                                                                    bound.external_id)):
                continue
            lang = consumer_lang(bound.language)
            words = localized(lang) if localized is not None else {}
            body = notice(lang, key, ref=case.reference, **values, **words)
            await self._send(OutboundMessage(Channel(bound.channel), bound.external_id, body,
                                             case_ref=case.reference))
            if photo is not None:
                await self._send_photo(bound.channel, bound.external_id, case, photo,
                                       notice(lang, "consumer_photo_caption",
                                              ref=case.reference))

    async def _bound_staff(self, enterprise_id: str) -> list[BoundIdentity]:
        return await self._uow.staff.bound_identities(enterprise_id)

    async def _send_photo(self, channel: str, recipient: str, case: Case, photo: MediaRef,
                          caption: str) -> None:
        """The photo itself, after its text notice (a chat that cannot show it still
        knows): its own outbox row, retried, held and dead-lettered like any text."""
        await self._send(OutboundMessage(Channel(channel), recipient, caption,
                                         case_ref=case.reference, media=photo))

    async def _to_enterprise(self, case: Case, event: str, actor: StaffActor,
                             what: str) -> None:
        """Tell the acting staff member's colleagues, and the inbox and webhook."""
        await self._to_staff(case, "colleague_acted", actor, who=actor.name or "同事",
                             what=what[:200])
        await self._event_to_enterprise(case, event, text=what)

    async def _event_to_enterprise(self, case: Case, event: str, **fields: object) -> None:
        data = case_event(case, event, self._now, **fields)
        await self._send(OutboundMessage(Channel.INBOX, case.enterprise_id, event, data=data,
                                         case_ref=case.reference))
        if await self._uow.staff.webhook(case.enterprise_id) is not None:
            hook = dict(data, delivery_id=uuid.uuid4().hex)
            await self._send(OutboundMessage(Channel.WEBHOOK, case.enterprise_id, event,
                                             data=hook, case_ref=case.reference))

    async def _send(self, message: OutboundMessage) -> None:
        await self._uow.outbox.add(message.channel.value, message.recipient,
                                   payload_of(message), self._now)


_CHAT_CHANNELS = frozenset({Channel.WEB.value, Channel.WECHAT.value, Channel.TELEGRAM.value})


def _checked(text: str, allow_empty: bool = False) -> str:
    body = text.strip()
    if not body and not allow_empty:
        raise EmptyText("empty text")
    if len(body) > MAX_TEXT:
        raise TextTooLong(len(body), MAX_TEXT)
    return body


def _photo(media_path: str | None) -> MediaRef | None:
    return stored_ref(media_path) if media_path else None


def _staff_ref(actor: StaffActor) -> str:
    return f"staff:{actor.staff_id}:{actor.channel}"


def _consumer_ref(actor: ConsumerActor) -> str:
    return f"consumer:{actor.consumer_id}:{actor.channel}"
