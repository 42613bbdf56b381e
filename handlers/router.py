"""One turn: message + state + services → replies + next state. The table of contents.

Pure over its inputs: it never sends and never opens a session (DESIGN §3), so every
conversation can be replayed in a test.
"""

from __future__ import annotations

import re
import unicodedata

import nlp
from bot.core.messages import InboundMessage, MessageKind
from bot.core.ports import StaffView, TurnServices
from handlers import intake, negotiation, staff
from handlers.commands import Command, parse_command
from handlers.state import Reply, State, TurnResult
from handlers.status import status_reply, withdraw_reply
from handlers.texts import text

MAX_CHARS = 4000
MAX_CAPTION = 1024
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{2,}")


def clean(raw: str) -> str:
    """Drop control characters (keep newlines and tabs) and surrounding space."""
    return "".join(
        ch for ch in raw if ch in "\n\t" or unicodedata.category(ch)[0] != "C"
    ).strip()


def _language(body: str, state: State) -> str:
    """The text decides. Mid-intake a brand name ("iPhone 15") or a Chinese shop name in
    an English sentence must not switch language, so there the other script must dominate."""
    cjk = len(_CJK.findall(body))
    words = _LATIN.findall(body)
    if not state.flow:
        if cjk:
            return "zh"
        return "en" if words else state.lang
    if cjk > sum(len(w) for w in words):
        return "zh"
    if len(words) >= 4 and not cjk:
        return "en"
    return state.lang


def _platform_language(code: str | None, current: str) -> str:
    if not code:
        return current
    return "en" if code.lower().startswith("en") else "zh"


async def handle(msg: InboundMessage, state: State, svc: TurnServices) -> TurnResult:
    replies = await _route(msg, state, svc)
    return TurnResult(replies, state)


async def _route(msg: InboundMessage, state: State, svc: TurnServices) -> list[Reply]:
    if msg.kind == MessageKind.EVENT:
        state.lang = _platform_language(msg.language, state.lang)
        return await _on_event(msg, state, svc)
    if msg.kind == MessageKind.IMAGE and msg.media is not None:
        return await _on_image(msg, state, svc)
    if msg.kind == MessageKind.VOICE and not msg.text.strip():
        return [Reply(text(state.lang, "voice_needs_text"))]
    if msg.kind == MessageKind.UNSUPPORTED:
        return [Reply(text(state.lang, "unsupported_media"))]
    body = clean(msg.text)
    if body.startswith("/"):  # a slash command says nothing about the user's language
        state.lang = _platform_language(msg.language, state.lang)
    else:
        state.lang = _language(body, state)
    if not body:
        return [Reply(text(state.lang, "empty"))]
    if len(body) > MAX_CHARS:
        return [Reply(text(state.lang, "too_long", length=len(body), limit=MAX_CHARS))]
    bind_code = staff.parse_bind(body)
    if bind_code is not None:
        return await staff.on_bind(bind_code, state, svc)
    command = parse_command(body)
    if command is not None:
        return await _on_command(command, state, svc)
    if state.flow == "intake":
        return await intake.on_answer(body, state, svc)
    word = negotiation.parse_consumer_word(body)
    if word is not None:
        return await negotiation.on_word(word, state, svc)
    if state.flow == "pick_case":
        return await negotiation.on_pick_case(body, state, svc)
    if state.flow == "rate_confirm":
        return await negotiation.on_rate_confirm(body, state, svc)
    member = await svc.staff_member() if state.staff else None
    if member is not None:
        return await _as_staff(body, msg.reply_to, member, state, svc)
    cases = await svc.my_open_cases()
    if cases:
        return await negotiation.on_message(body, msg.reply_to, cases, state, svc)
    return await _on_free_text(body, state, svc)


async def _as_staff(body: str, reply_to: str | None, member: StaffView, state: State,
                    svc: TurnServices) -> list[Reply]:
    command = staff.parse_staff_command(body)
    if command is not None:
        return await staff.on_staff_command(command, member, state, svc)
    return await staff.on_staff_text(body, reply_to, state, svc)


async def _on_command(command: Command, state: State, svc: TurnServices) -> list[Reply]:
    lang = state.lang
    if command.name == "cancel":
        if state.flow is None:
            return [Reply(text(lang, "nothing_to_cancel"))]
        state.reset()
        return [Reply(text(lang, "cancelled"))]
    if command.name == "complain":
        if state.flow == "intake":
            return _resume(state, [])
        return await intake.start("", state, svc)
    if command.name == "status":
        return _resume(state, [await status_reply(command.arg, lang, svc)])
    if command.name == "withdraw":
        return _resume(state, [await withdraw_reply(command.arg, lang, svc)])
    if command.name == "start":
        return _resume(state, [Reply(text(lang, "welcome"))])
    if state.staff and await svc.staff_member() is not None:
        return [Reply(text(lang, "staff_help"))]
    return _resume(state, [Reply(text(lang, "help"))])


def _resume(state: State, replies: list[Reply]) -> list[Reply]:
    """After answering an interruption, repeat the question the intake was waiting on."""
    if state.flow != "intake" or state.step is None:
        return replies
    current = intake.prompt(state)
    return replies + [Reply(text(state.lang, "resume", prompt=current.text), current.choices)]


async def _on_free_text(body: str, state: State, svc: TurnServices) -> list[Reply]:
    intent = nlp.detect_intent(body)
    if intent == nlp.Intent.COMPLAIN:
        return await intake.start(body, state, svc)
    if intent == nlp.Intent.STATUS:
        return [await status_reply(None, state.lang, svc)]
    if intent == nlp.Intent.HELP:
        return [Reply(text(state.lang, "help"))]
    if intent == nlp.Intent.GREETING:
        return [Reply(text(state.lang, "welcome"))]
    if intent == nlp.Intent.CANCEL:
        return [Reply(text(state.lang, "nothing_to_cancel"))]
    return [Reply(text(state.lang, "unknown"))]


async def _on_event(msg: InboundMessage, state: State, svc: TurnServices) -> list[Reply]:
    event = msg.event or ""
    if event == "subscribe":
        return [Reply(text(state.lang, "welcome"))]
    if event.startswith("click:"):
        key = event.removeprefix("click:")
        word = {"complain": "投诉", "status": "查询", "help": "帮助"}.get(key)
        if word is not None:
            command = parse_command(word)
            assert command is not None
            return await _on_command(command, state, svc)
    return []


async def _on_image(msg: InboundMessage, state: State, svc: TurnServices) -> list[Reply]:
    assert msg.media is not None
    caption = clean(msg.text)[:MAX_CAPTION]  # Telegram's caption, sent with the photo
    if state.flow != "intake" and state.staff and await svc.staff_member() is not None:
        return await staff.on_staff_photo(msg.media.path, caption, msg.reply_to, state, svc)
    if state.flow != "intake":
        cases = await svc.my_open_cases()
        if len(cases) == 1:  # a photo during the negotiation goes to the enterprise
            return await negotiation.relay_photo(cases[0], msg.media.path, caption, state,
                                                 svc)
        return [Reply(text(state.lang, "evidence_no_case"))]
    count = intake.add_evidence(state, msg.media.path, msg.media.sha256, msg.media.content_type)
    return _resume(state, [Reply(text(state.lang, "evidence_saved", count=count))])
