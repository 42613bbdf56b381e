"""The consumer's side of the negotiation: messages to the enterprise, answers to an
offer, rating, escalation (DESIGN §5 chat words 接受 / 不接受 / 评价 / 转投诉)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.messages import Choice
from bot.core.ports import TurnServices
from bot.domain.complaint import Case
from bot.domain.errors import CaseNotFound, EmptyText, TextTooLong
from bot.domain.states import IllegalTransition, Status
from handlers.escalation import escalation_pack
from handlers.fields import pick_number
from handlers.state import Reply, State
from handlers.texts import text

_REF = r"(?:\s*(?P<ref>[Tt][Ss]\d{14}))?"
_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("reject_proposal", re.compile(rf"^(不接受|拒绝方案|reject|/reject){_REF}\s*(?P<rest>.*)$",
                                   re.I | re.S)),
    ("accept_proposal", re.compile(rf"^(接受|接受方案|accept|/accept){_REF}\s*$", re.I)),
    ("rate", re.compile(rf"^(评价|打分|rate|/rate)\s*(?P<stars>[1-5])?\s*(?:星|分)?{_REF}\s*$",
                        re.I)),
    ("escalate", re.compile(rf"^(转投诉|escalate|/escalate){_REF}\s*$", re.I)),
    ("extend", re.compile(
        rf"^(继续等待|wait|/wait)\s*(?P<days>\d{{1,2}})?\s*(?:个)?(?:工作日|天|days?)?{_REF}\s*$",
        re.I)),
    ("close", re.compile(rf"^(结束|/close|close){_REF}\s*$", re.I)),
)


@dataclass(frozen=True)
class ConsumerWord:
    action: str
    reference: str | None
    rest: str = ""
    number: int = 0
    """Stars of a rating, or working days of an extension."""


def parse_consumer_word(body: str) -> ConsumerWord | None:
    for action, pattern in _WORDS:
        match = pattern.match(body.strip())
        if match:
            groups = match.groupdict()
            ref = groups.get("ref")
            number = groups.get("stars") or groups.get("days")
            return ConsumerWord(action, ref.upper() if ref else None,
                                (groups.get("rest") or "").strip(), int(number) if number else 0)
    return None


async def on_word(word: ConsumerWord, state: State, svc: TurnServices) -> list[Reply]:
    lang = state.lang
    if word.action == "escalate":
        if word.reference is None:
            return [Reply(text(lang, "escalate_usage"))]
        return await _escalate(word.reference, state, svc)
    if word.action == "rate":
        return await _rate(word, state, svc)
    if word.action in ("extend", "close"):
        return await _after_deadline(word, state, svc)
    cases = [c for c in await svc.my_open_cases() if c.status == Status.PROPOSED]
    if word.reference is None:
        if not cases:
            return [Reply(text(lang, "no_proposal"))]
        if len(cases) > 1:
            return [Reply(text(lang, "which_proposal", ref=cases[0].reference))]
    reference = word.reference or cases[0].reference
    done = "proposal_accepted" if word.action == "accept_proposal" else "proposal_rejected"
    return await _act(state, svc, word.action, reference, word.rest, done=done)


async def on_message(body: str, reply_to: str | None, cases: list[Case], state: State,
                     svc: TurnServices) -> list[Reply]:
    """Plain text from a consumer with open cases goes to the enterprise."""
    if reply_to and any(c.reference == reply_to for c in cases):
        return await _act(state, svc, "message", reply_to, body, done="relayed")
    if len(cases) == 1:
        return await _act(state, svc, "message", cases[0].reference, body, done="relayed")
    state.flow, state.pending_text = "pick_case", body
    state.options = [c.reference for c in cases[:9]]
    return [_which_case(state, cases[:9])]


async def relay_photo(case: Case, path: str, caption: str, state: State,
                      svc: TurnServices) -> list[Reply]:
    try:
        await svc.consumer_act("message", case.reference, caption, media_path=path)
    except IllegalTransition as exc:
        return [Reply(text(state.lang, "illegal_action", ref=case.reference,
                           status=text(state.lang, f"status.{exc.status.value}")))]
    return [Reply(text(state.lang, "relayed", ref=case.reference,
                       enterprise=case.enterprise_name))]


async def on_pick_case(answer: str, state: State, svc: TurnServices) -> list[Reply]:
    number = pick_number(answer, len(state.options))
    chosen = state.options[number - 1] if number else None
    if chosen is None and answer.strip().upper() in state.options:
        chosen = answer.strip().upper()
    if chosen is None:
        cases = [c for c in await svc.my_open_cases() if c.reference in state.options]
        return [Reply(text(state.lang, "bad_choice")), _which_case(state, cases)]
    body = state.pending_text or ""
    state.flow, state.pending_text, state.options = None, None, []
    return await _act(state, svc, "message", chosen, body, done="relayed")


async def on_rate_confirm(answer: str, state: State, svc: TurnServices) -> list[Reply]:
    reference, stars = state.options[0], int(state.options[1])
    state.flow, state.options = None, []
    if answer.strip().lower() not in ("1", "确认", "是", "yes", "y", "confirm", "ok"):
        return [Reply(text(state.lang, "rate_cancelled"))]
    return await _act(state, svc, "rate", reference, "", done="rated", number=stars)


def _which_case(state: State, cases: list[Case]) -> Reply:
    choices = tuple(Choice(str(i + 1), f"{c.reference} {c.enterprise_name}")
                    for i, c in enumerate(cases))
    return Reply(text(state.lang, "which_case"), choices)


async def _rate(word: ConsumerWord, state: State, svc: TurnServices) -> list[Reply]:
    lang = state.lang
    if not word.number:
        return [Reply(text(lang, "rate_usage"))]
    if word.reference:
        candidates = [await _find(svc, word.reference)]
    else:
        candidates = list(await svc.my_rateable_cases())
    case = next((c for c in candidates if c is not None), None)
    if case is None:
        return [Reply(text(lang, "nothing_to_rate"))]
    state.flow, state.options = "rate_confirm", [case.reference, str(word.number)]
    return [Reply(text(lang, "rate_confirm", ref=case.reference, enterprise=case.enterprise_name,
                       stars=word.number),
                  (Choice("1", text(lang, "rate_yes")), Choice("2", text(lang, "rate_no"))))]


async def _find(svc: TurnServices, reference: str) -> Case | None:
    try:
        return await svc.consumer_act("view", reference)
    except CaseNotFound:
        return None


async def _escalate(reference: str, state: State, svc: TurnServices) -> list[Reply]:
    replies = await _act(state, svc, "escalate", reference, "", done="")
    if replies:
        return replies
    case = await svc.consumer_act("view", reference)
    thread = await svc.case_thread(reference)
    pack = escalation_pack(case, thread, state.lang)
    link = svc.escalation_link(case.reference)
    return [Reply(text(state.lang, "escalated", ref=case.reference, pack=pack, link=link))]


async def _act(state: State, svc: TurnServices, action: str, reference: str, body: str,
               done: str, number: int = 0) -> list[Reply]:
    """Run an action; the polite refusal when it is refused, else the ``done`` words."""
    lang = state.lang
    try:
        case = await svc.consumer_act(action, reference, body, number)
    except CaseNotFound:
        return [Reply(text(lang, "status_not_found", reference=reference))]
    except IllegalTransition as exc:
        return [Reply(text(lang, "illegal_action", ref=reference,
                           status=text(lang, f"status.{exc.status.value}")))]
    except EmptyText:
        return [Reply(text(lang, "empty_text"))]
    except TextTooLong as exc:
        return [Reply(text(lang, "text_too_long", length=exc.length, limit=exc.limit))]
    except ValueError:
        return [Reply(text(lang, "extend_usage"))]
    if not done:
        return []
    return [Reply(text(lang, done, ref=case.reference, enterprise=case.enterprise_name,
                       deadline=case.deadline.isoformat()))]


async def _after_deadline(word: ConsumerWord, state: State, svc: TurnServices) -> list[Reply]:
    """继续等待 [天数] / 结束: what a consumer may do with an overdue (or unsettled) case."""
    lang = state.lang
    reference = word.reference
    if reference is None:
        allowed = (Status.OVERDUE,) if word.action == "extend" else (Status.OVERDUE,
                                                                       Status.NOT_SETTLED)
        waiting = [c for c in await svc.my_open_cases() if c.status in allowed]
        if len(waiting) != 1:
            return [Reply(text(lang, "which_overdue" if waiting else "nothing_overdue"))]
        reference = waiting[0].reference
    done = "extended" if word.action == "extend" else "closed_by_you"
    return await _act(state, svc, word.action, reference, "", done=done, number=word.number)
