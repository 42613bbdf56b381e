"""A new-case notice speaks the clerk's language: a clerk who chats in English reads the
category, the problem and the demands in English, a Chinese-speaking colleague in Chinese."""

from __future__ import annotations

from pathlib import Path

from bot.services.staff_admin import invite_staff
from tests.support.app import Chat, app_config, running_app
from tests.support.clock import FakeClock

RICH = "我上周五在鑫汇购物广场花了3299元买了一台洗衣机，用了两天就不脱水了，要求退货退款"


async def _pushed(chat: Chat) -> list[str]:
    async with chat.parts.db.unit_of_work() as uow:
        rows = await uow.outbox.feed("web", chat.user, 0)
    return [str(r.payload["text"]) for r in rows]


async def test_new_case_notices_follow_each_clerks_language(database_url: str,
                                                            tmp_path: Path) -> None:
    clock = FakeClock()
    async with running_app(app_config(database_url, tmp_path), clock) as (_app, parts):
        english, chinese = Chat(parts, clock, user="clerk-en"), Chat(parts, clock, user="clerk-zh")
        for clerk, bind in ((english, "bind"), (chinese, "绑定")):
            async with parts.db.unit_of_work() as uow:
                code = (await invite_staff(uow, "as-xinhui", "agent", clock())).code
                await uow.commit()
            await clerk.say(f"{bind} {code}")
        consumer = Chat(parts, clock)
        for answer in (RICH, "1", "王芳 13912345678", "鞍山市铁东区", "1", "1"):
            await consumer.say(answer)
        [to_english] = [t for t in await _pushed(english) if "[New complaint" in t]
        assert "household electronics | quality" in to_english
        assert "Demand: return the goods, refund" in to_english
        assert "Amount: CNY 3299" in to_english
        headline = to_english.splitlines()[0]  # the consumer's own words stay as written
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in headline)
        [to_chinese] = [t for t in await _pushed(chinese) if "【新投诉" in t]
        assert "家用电子电器｜质量" in to_chinese
        assert "诉求：退货、退款" in to_chinese
        assert "金额：3299元" in to_chinese
