"""Answers to "where is my complaint?": state, who acts next, deadline, last message."""

from __future__ import annotations

from bot.core.ports import TurnServices
from bot.domain.complaint import ComplaintView
from bot.domain.errors import CaseNotFound
from bot.domain.states import NEXT_ACTOR, IllegalTransition, Status
from handlers.state import Reply
from handlers.texts import text


def _next(view: ComplaintView, lang: str) -> str:
    actor = NEXT_ACTOR[view.status]
    if actor is None:
        key = "next.either" if view.status == Status.NEGOTIATING else "next.none"
    else:
        key = f"next.{actor.value}"
    return text(lang, key)


async def status_reply(reference: str | None, lang: str, svc: TurnServices) -> Reply:
    if reference:
        view = await svc.my_complaint(reference)
        if view is None:
            return Reply(text(lang, "status_not_found", reference=reference))
        return Reply(_detail(view, lang))
    views = await svc.my_complaints()
    if not views:
        return Reply(text(lang, "status_none"))
    lines = []
    for view in views:
        deadline = (text(lang, "deadline_suffix", deadline=view.deadline.isoformat())
                    if view.deadline and view.status not in _NO_DEADLINE else "")
        lines.append(text(lang, "status_line", reference=view.reference, merchant=view.merchant,
                          status=text(lang, f"status.{view.status.value}"),
                          next=_next(view, lang), deadline=deadline))
    return Reply(text(lang, "status_list", lines="\n".join(lines)))


_NO_DEADLINE = frozenset({Status.SETTLED, Status.CLOSED, Status.WITHDRAWN, Status.ESCALATED})


def _detail(view: ComplaintView, lang: str) -> str:
    if view.last_message is None:
        last = text(lang, "no_messages")
    else:
        sender = text(lang, f"sender.{view.last_message.sender}")
        stamp = view.last_message.at.strftime("%m-%d %H:%M")
        last = f"{sender}（{stamp}）：{view.last_message.text[:200]}"
    deadline = view.deadline.isoformat() if view.deadline and view.status not in _NO_DEADLINE \
        else "—"
    return text(lang, "status_detail", reference=view.reference, merchant=view.merchant,
                product=view.product, status=text(lang, f"status.{view.status.value}"),
                next=_next(view, lang), deadline=deadline, last=last)


async def withdraw_reply(reference: str | None, lang: str, svc: TurnServices) -> Reply:
    if not reference:
        return Reply(text(lang, "withdraw_usage"))
    try:
        await svc.consumer_act("withdraw", reference)
    except CaseNotFound:
        return Reply(text(lang, "status_not_found", reference=reference))
    except IllegalTransition as exc:
        return Reply(text(lang, "cannot_withdraw", reference=reference,
                          status=text(lang, f"status.{exc.status.value}")))
    return Reply(text(lang, "withdrawn", reference=reference))
