"""The intake conversation: pre-fill from the first message, ask only what is missing.

Steps are named after what they receive (``on_answer`` dispatches to the field parser);
prompts after what they ask (``ask_<field>`` in the text catalogue).
"""

from __future__ import annotations

from datetime import date

import nlp
from bot.core.messages import Choice
from bot.core.ports import TurnServices
from bot.domain.complaint import Evidence, Filing
from handlers import prefill
from handlers.corrections import find_correction
from handlers.fields import is_skip, parse_field, pick_number, split_contact
from handlers.labels import (
    CHANNEL_CHOICES,
    CHANNEL_LABELS,
    DEMAND_CHOICES,
    DEMAND_LABELS,
    FIELD_LABELS,
    label,
)
from handlers.state import Reply, State
from handlers.summary import summary_reply
from handlers.texts import text

# The order questions are asked in. "contact" asks name and mobile in one question.
ORDER: tuple[str, ...] = (
    "merchant", "product", "facts", "purchase_date", "amount", "channel", "demands",
    "contact", "consumer_address", "merchant_address",
)
SKIPPABLE = frozenset({"purchase_date", "amount", "channel"})
EDITABLE: tuple[str, ...] = (
    "merchant", "product", "facts", "purchase_date", "amount", "channel", "demands",
    "consumer_name", "consumer_phone", "consumer_address",
)
MAX_TRIES = 3


def _missing(draft: dict[str, object], step: str) -> bool:
    if step == "contact":
        return "consumer_name" not in draft or "consumer_phone" not in draft
    return step not in draft


async def start(first_text: str, state: State, svc: TurnServices) -> list[Reply]:
    state.reset()
    state.flow = "intake"
    contact = await svc.contact()
    state.draft = prefill.from_first_message(first_text, svc.today)
    for key, value in (("consumer_name", contact.name), ("consumer_phone", contact.phone),
                       ("consumer_address", contact.address)):
        if value and key not in state.draft:
            state.draft[key] = value
    replies = [Reply(text(state.lang, "intake_start"))]
    noted = prefill.noted_fields(state.draft, state.lang)
    if noted:
        replies.append(Reply(text(state.lang, "intake_understood", fields=noted)))
    replies += await advance(state, svc)
    return replies


async def advance(state: State, svc: TurnServices) -> list[Reply]:
    """Ask the next missing thing, or show the summary when nothing is missing."""
    draft = state.draft
    if draft.get("merchant") and not draft.get("enterprise_id"):
        replies = await _match(state, svc)
        if replies:
            return replies
    for step in ORDER:
        if _missing(draft, step):
            return [ask(state, step)]
    state.step = "confirm"
    state.options = []
    return [summary_reply(state)]


def ask(state: State, step: str) -> Reply:
    if state.step != step:
        state.tries = 0
    state.step = step
    state.questions += 1
    return prompt(state)


def prompt(state: State) -> Reply:
    """The current question, again (after an interruption or a bad answer)."""
    lang, step = state.lang, state.step or ""
    if step == "confirm":
        return summary_reply(state)
    if step == "consent":
        return _consent_reply(state)
    if step == "pick":
        names = state.draft.get("_candidate_names", [])
        choices = tuple(Choice(str(i + 1), n) for i, n in enumerate(names))
        return Reply(text(lang, "ask_pick_enterprise"),
                     choices + (Choice("0", text(lang, "none_of_these")),))
    if step == "which":
        return Reply(text(lang, "ask_which_field"), tuple(
            Choice(str(i + 1), label(FIELD_LABELS, f, lang)) for i, f in enumerate(EDITABLE)))
    if step == "channel":
        return Reply(text(lang, "ask_channel"), tuple(
            Choice(str(i + 1), label(CHANNEL_LABELS, c, lang))
            for i, c in enumerate(CHANNEL_CHOICES)))
    if step == "demands":
        return Reply(text(lang, "ask_demands"), tuple(
            Choice(str(i + 1), label(DEMAND_LABELS, c, lang))
            for i, c in enumerate(DEMAND_CHOICES)))
    return Reply(text(lang, f"ask_{step}"))


async def on_answer(answer: str, state: State, svc: TurnServices) -> list[Reply]:
    correction = find_correction(answer)
    if correction is not None and state.step not in ("facts",):
        if correction.value is None:
            return [ask(state, correction.field)]
        state.step = correction.field
        answer = correction.value
    step = state.step or ""
    if step == "confirm":
        return await _on_confirm(answer, state, svc)
    if step == "consent":
        return await _on_consent(answer, state, svc)
    if step == "pick":
        return await _on_pick(answer, state, svc)
    if step == "which":
        return _on_which(answer, state)
    if step == "contact":
        return await _on_contact(answer, state, svc)
    return await _on_field(step, answer, state, svc)


async def _on_field(step: str, answer: str, state: State, svc: TurnServices) -> list[Reply]:
    lang = state.lang
    if step in SKIPPABLE and is_skip(answer):
        state.draft[step] = None
        return [Reply(text(lang, "skipped"))] + await advance(state, svc)
    parsed = parse_field(step, answer, svc.today)
    if not parsed.ok:
        return await _retry(step, parsed.error or "bad_text", state, svc)
    if step == "merchant":
        for key in ("enterprise_id", "merchant_address", "_enterprise_name"):
            state.draft.pop(key, None)
    state.draft[step] = parsed.value
    state.tries = 0
    replies = [Reply(text(lang, parsed.warning))] if parsed.warning else []
    return replies + await advance(state, svc)


async def _retry(step: str, error: str, state: State, svc: TurnServices) -> list[Reply]:
    state.tries += 1
    lang = state.lang
    if step in SKIPPABLE and state.tries >= MAX_TRIES:
        state.draft[step] = None
        state.tries = 0
        return [Reply(text(lang, "give_up_field"))] + await advance(state, svc)
    hint = text(lang, error)
    if state.tries >= MAX_TRIES:
        hint += "\n" + text(lang, "required_field")
    current = prompt(state)
    return [Reply(hint + "\n" + current.text, current.choices)]


async def _on_contact(answer: str, state: State, svc: TurnServices) -> list[Reply]:
    name, mobile, had_digits = split_contact(answer)
    if name and "consumer_name" not in state.draft:
        state.draft["consumer_name"] = name
    if mobile:
        state.draft["consumer_phone"] = mobile
    if had_digits and not mobile:
        return await _retry("contact", "bad_phone", state, svc)
    if not name and not mobile:
        return await _retry("contact", "bad_text", state, svc)
    if "consumer_name" not in state.draft:
        return [ask(state, "consumer_name")]
    if "consumer_phone" not in state.draft:
        return [ask(state, "consumer_phone")]
    return await advance(state, svc)


async def _match(state: State, svc: TurnServices) -> list[Reply]:
    draft = state.draft
    result = await svc.match_enterprise(str(draft["merchant"]), draft.get("consumer_address"))
    if result.enterprise is not None:
        draft["enterprise_id"] = result.enterprise.id
        draft["_enterprise_name"] = result.enterprise.name
        address = result.enterprise.address or result.enterprise.district
        if address:
            draft["merchant_address"] = address
        draft.pop("_candidate_ids", None)
        draft.pop("_candidate_names", None)
        return []
    if result.candidates:
        draft["_candidate_ids"] = [c.id for c in result.candidates]
        draft["_candidate_names"] = [f"{c.name}（{c.district}）" if c.district else c.name
                                     for c in result.candidates]
        return [ask(state, "pick")]
    return _not_enrolled(state)


def _not_enrolled(state: State) -> list[Reply]:
    draft, lang = state.draft, state.lang
    name = str(draft.pop("merchant", ""))
    misses = int(draft.get("_merchant_misses", 0)) + 1
    draft["_merchant_misses"] = misses
    if misses >= 2:
        state.reset()
        return [Reply(text(lang, "not_enrolled_final"))]
    state.step = "merchant"
    return [Reply(text(lang, "not_enrolled", name=name))]


async def _on_pick(answer: str, state: State, svc: TurnServices) -> list[Reply]:
    ids = list(state.draft.get("_candidate_ids", []))
    number = pick_number(answer, len(ids))
    if number is None:
        # Not a number: take it as a better name for the merchant.
        return await _on_field("merchant", answer, state, svc)
    if number == 0:
        return _not_enrolled(state)
    enterprise = await svc.enterprise(ids[number - 1])
    if enterprise is None:
        return _not_enrolled(state)
    draft = state.draft
    draft["enterprise_id"], draft["_enterprise_name"] = enterprise.id, enterprise.name
    if enterprise.address or enterprise.district:
        draft["merchant_address"] = enterprise.address or enterprise.district
    return await advance(state, svc)


def _on_which(answer: str, state: State) -> list[Reply]:
    number = pick_number(answer, len(EDITABLE))
    field = EDITABLE[number - 1] if number else None
    if field is None:
        for candidate in EDITABLE:
            if answer.strip() in FIELD_LABELS[candidate]:
                field = candidate
    if field is None:
        current = prompt(state)
        return [Reply(text(state.lang, "bad_choice") + "\n" + current.text, current.choices)]
    return [ask(state, field)]


_YES = {"1", "确认", "确定", "对", "是", "好", "好的", "没问题", "提交", "yes", "y", "ok", "confirm"}
_EDIT = {"2", "修改", "改", "更改", "edit", "change"}
_CANCEL = {"3", "取消", "cancel"}
_AGREE = {"1", "同意", "同意并提交", "我同意", "可以", "yes", "y", "agree", "i agree", "ok"}
_REFUSE = {"2", "不同意", "拒绝", "不", "no", "n", "disagree"}


def _norm(answer: str) -> str:
    return answer.strip().strip("。.!！").lower()


async def _on_confirm(answer: str, state: State, svc: TurnServices) -> list[Reply]:
    choice = _norm(answer)
    if choice in _YES:
        state.step = "consent"
        return [_consent_reply(state)]
    if choice in _EDIT:
        state.step = "which"
        return [prompt(state)]
    if choice in _CANCEL:
        state.reset()
        return [Reply(text(state.lang, "cancelled"))]
    current = prompt(state)
    return [Reply(text(state.lang, "bad_choice")), current]


def _consent_reply(state: State) -> Reply:
    lang = state.lang
    return Reply(
        text(lang, "consent", enterprise=state.draft.get("_enterprise_name", "")),
        (Choice("1", text(lang, "consent_yes")), Choice("2", text(lang, "consent_no"))),
    )


async def _on_consent(answer: str, state: State, svc: TurnServices) -> list[Reply]:
    choice = _norm(answer)
    if choice in _REFUSE:
        return [Reply(text(state.lang, "consent_refused"))]
    if choice not in _AGREE:
        return [Reply(text(state.lang, "bad_choice")), _consent_reply(state)]
    filing = build_filing(state)
    submitted = await svc.submit(filing)
    lang = state.lang
    state.reset()
    return [Reply(text(lang, "submitted", reference=submitted.reference,
                       enterprise=submitted.enterprise_name,
                       deadline=submitted.deadline.isoformat()))]


def build_filing(state: State) -> Filing:
    d = state.draft
    facts = str(d["facts"])
    labels = nlp.classify(f"{d.get('product', '')} {facts}")
    purchase = d.get("purchase_date")
    return Filing(
        enterprise_id=str(d["enterprise_id"]),
        merchant=str(d.get("_enterprise_name") or d["merchant"]),
        merchant_address=str(d.get("merchant_address") or ""),
        product=str(d["product"]),
        purchase_date=date.fromisoformat(purchase) if purchase else None,
        amount=d.get("amount"),
        channel=str(d.get("channel") or "unknown"),
        facts=facts,
        demands=tuple(d.get("demands") or ()),
        consumer_name=str(d["consumer_name"]),
        consumer_phone=str(d["consumer_phone"]),
        consumer_address=str(d["consumer_address"]),
        category=str(d.get("category") or labels.category),
        nature=str(d.get("nature") or labels.nature),
        order_no=d.get("order_no"),
        prepaid=bool(labels.prepaid),
        evidence=tuple(Evidence(e["path"], e["sha256"], e.get("content_type", "image/jpeg"))
                       for e in d.get("evidence", [])),
    )


def add_evidence(state: State, path: str, sha256: str, content_type: str) -> int:
    items = state.draft.setdefault("evidence", [])
    if not any(item["sha256"] == sha256 for item in items):
        items.append({"path": path, "sha256": sha256, "content_type": content_type})
    return len(items)
