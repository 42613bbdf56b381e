"""Enterprise staff in chat: bind, list, accept, reply, handle, propose, refuse, settle."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.ports import StaffView, TurnServices
from bot.domain.errors import CaseNotFound, EmptyText, TextTooLong
from bot.domain.states import IllegalTransition
from handlers.state import Reply, State
from handlers.texts import text

_REF = r"(?P<ref>[Tt][Ss]\d{14})"
_ACTIONS = {"受理": "accept", "回复": "reply", "处理": "handle", "方案": "propose",
            "拒绝": "refuse", "办结": "settle"}
_ACTION = re.compile(rf"^(?P<verb>受理|回复|处理|方案|拒绝|办结)\s*{_REF}?\s*(?P<body>.*)$", re.S)
_BIND = re.compile(r"^(?:绑定|bind|/start\s+bind_)\s*(?P<code>[A-Za-z0-9]{4,32})?$", re.I)
_LIST = re.compile(r"^(列表|/list|list)$", re.I)
_UNBIND = re.compile(r"^(解绑|unbind|/unbind)$", re.I)
MAX_BIND_FAILURES = 5
BIND_WINDOW = timedelta(hours=1)
_EXAMPLES = {"reply": "回复 TS20261122000001 您好，我们已安排退货",
             "propose": "方案 TS20261122000001 全额退款 3299 元",
             "refuse": "拒绝 TS20261122000001 商品已超过退货期限",
             "settle": "办结 TS20261122000001 已退款 3299 元"}


@dataclass(frozen=True)
class StaffCommand:
    action: str
    reference: str | None = None
    body: str = ""


def parse_staff_command(body: str) -> StaffCommand | None:
    stripped = body.strip()
    if _LIST.match(stripped):
        return StaffCommand("list")
    if _UNBIND.match(stripped):
        return StaffCommand("unbind")
    match = _ACTION.match(stripped)
    if match:
        ref = match.group("ref")
        return StaffCommand(_ACTIONS[match.group("verb")], ref.upper() if ref else None,
                            match.group("body").strip())
    return None


def parse_bind(body: str) -> str | None:
    """The code of "绑定 <code>" / "/start bind_<code>", "" when the code is missing."""
    match = _BIND.match(body.strip())
    if match is None:
        return None
    return match.group("code") or ""


async def on_bind(code: str, state: State, svc: TurnServices) -> list[Reply]:
    lang = state.lang
    if not code:
        return [Reply(text(lang, "bind_usage"))]
    failures = [f for f in state.bind_failures
                if datetime.fromisoformat(f) > svc.now - BIND_WINDOW]
    if len(failures) >= MAX_BIND_FAILURES:
        return [Reply(text(lang, "bind_locked"))]
    member = await svc.bind_staff(code)
    if member is None:
        state.bind_failures = failures + [svc.now.isoformat()]
        return [Reply(text(lang, "bind_failed"))]
    state.bind_failures = []
    state.staff = True
    return [Reply(text(lang, "bind_ok", enterprise=member.enterprise_name))]


async def on_staff_command(command: StaffCommand, member: StaffView, state: State,
                           svc: TurnServices) -> list[Reply]:
    lang = state.lang
    if command.action == "unbind":
        await svc.unbind_staff()
        state.active_case, state.staff = None, False
        return [Reply(text(lang, "unbound"))]
    if command.action == "list":
        return [await _list(state, svc)]
    if command.reference is None:
        example = _EXAMPLES.get(command.action, "受理 TS20261122000001")
        return [Reply(text(lang, "staff_usage", example=example))]
    if command.action == "handle":
        return await _act(state, svc, "view", command.reference, "")
    return await _act(state, svc, command.action, command.reference, command.body)


async def on_staff_text(body: str, reply_to: str | None, state: State,
                        svc: TurnServices) -> list[Reply]:
    """Plain text from staff: to the case replied to (Telegram), else the active case."""
    reference = reply_to or state.active_case
    if reference is None:
        return [Reply(text(state.lang, "staff_no_active"))]
    return await _act(state, svc, "reply", reference, body)


async def on_staff_photo(path: str, caption: str, reply_to: str | None, state: State,
                         svc: TurnServices) -> list[Reply]:
    """A photo from staff goes to the case replied to, else the active case."""
    reference = reply_to or state.active_case
    if reference is None:
        return [Reply(text(state.lang, "staff_no_active"))]
    try:
        case = await svc.staff_act("reply", reference, caption, media_path=path)
    except CaseNotFound:
        return [Reply(text(state.lang, "case_not_found", ref=reference))]
    except IllegalTransition as exc:
        return [Reply(text(state.lang, "illegal_action", ref=reference,
                           status=text(state.lang, f"status.{exc.status.value}")))]
    return [Reply(text(state.lang, "staff_replied", ref=case.reference))]


async def _list(state: State, svc: TurnServices) -> Reply:
    lang = state.lang
    cases = await svc.enterprise_cases()
    if not cases:
        return Reply(text(lang, "staff_list_empty"))
    lines = [text(lang, "staff_list_line", ref=c.reference,
                  status=text(lang, f"status.{c.status.value}"),
                  deadline=c.deadline.isoformat(), product=c.product[:30]) for c in cases]
    return Reply(text(lang, "staff_list", lines="\n".join(lines)))


async def _act(state: State, svc: TurnServices, action: str, reference: str,
               body: str) -> list[Reply]:
    lang = state.lang
    try:
        case = await svc.staff_act(action, reference, body)
    except CaseNotFound:
        return [Reply(text(lang, "case_not_found", ref=reference))]
    except IllegalTransition as exc:
        return [Reply(text(lang, "illegal_action", ref=reference,
                           status=text(lang, f"status.{exc.status.value}")))]
    except EmptyText:
        return [Reply(text(lang, "staff_usage", example=_EXAMPLES.get(action, "")))]
    except TextTooLong as exc:
        return [Reply(text(lang, "text_too_long", length=exc.length, limit=exc.limit))]
    if action == "view":
        state.active_case = case.reference
        return [Reply(text(lang, "staff_active", ref=case.reference,
                           status=text(lang, f"status.{case.status.value}")))]
    if action == "accept":
        state.active_case = case.reference
        return [Reply(text(lang, "staff_accepted", ref=case.reference, name=case.consumer_name,
                           phone=case.consumer_phone, address=case.consumer_address))]
    done = {"reply": "staff_replied", "propose": "staff_proposed", "refuse": "staff_refused",
            "settle": "staff_settled"}[action]
    return [Reply(text(lang, done, ref=case.reference))]
