"""The printable escalation pack behind a signed, expiring link."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.app import Chat, app_config, http_client
from tests.support.clock import FakeClock

RICH = "我上周五在鑫汇购物广场花了3299元买了一台洗衣机，用了两天就不脱水了，要求退货退款"


async def test_pack_link_opens_once_signed_and_not_after_expiry(sqlite_url: str,
                                                                tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        consumer = Chat(parts, clock)
        for answer in (RICH, "1", "王芳 13912345678", "鞍山市铁东区", "1"):
            await consumer.say(answer)
        [done] = await consumer.say("1")
        ref = re.findall(r"TS\d{14}", done)[0]
        async with parts.db.unit_of_work() as uow:
            case = await uow.cases.by_reference(ref)
            assert case is not None
            await uow.cases.update(case.id, clock(), status="not_settled")
            await uow.commit()
        [pack] = await consumer.say(f"转投诉 {ref}")
        link = re.search(r"http://\S+/pack/\S+", pack)
        assert link is not None
        path = link.group(0).split("/", 3)[3]
        page = await client.get("/" + path)
        body = await page.text()
        assert page.status == 200
        assert "鞍山市铁东区市场监督管理局" in body and "13912345678" in body
        assert page.headers["Cache-Control"] == "private, no-store"
        tampered = await client.get("/" + path.replace(ref, ref[:-1] + "9"))
        assert tampered.status == 403
        forged = await client.get(f"/pack/{ref}?exp=9999999999&sig=" + "0" * 64)
        assert forged.status == 403
        clock.advance(days=31)
        assert (await client.get("/" + path)).status == 410
