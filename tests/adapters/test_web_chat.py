"""The web chat over real HTTP: session cookie, sending, the event stream, bad requests."""

from __future__ import annotations

import json
import re
import struct
import zlib
from pathlib import Path

from aiohttp import ClientResponse

from bot.core.media import store_image
from bot.services.staff_admin import invite_staff
from tests.support.app import Chat, app_config, http_client, image_message
from tests.support.clock import FakeClock


async def _events(response: ClientResponse, count: int) -> list[tuple[int, dict[str, object]]]:
    """Read ``count`` SSE events (id, data) from an open stream."""
    found: list[tuple[int, dict[str, object]]] = []
    event_id = 0
    while len(found) < count:
        line = (await response.content.readline()).decode().rstrip("\n")
        if line.startswith("id: "):
            event_id = int(line[4:])
        elif line.startswith("data: "):
            found.append((event_id, json.loads(line[6:])))
    return found


RICH = "我上周五在鑫汇购物广场花了3299元买了一台洗衣机，用了两天就不脱水了，要求退货退款"


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


async def test_page_sets_a_session_cookie_and_strict_headers(sqlite_url: str,
                                                             tmp_path: Path) -> None:
    async with http_client(app_config(sqlite_url, tmp_path), FakeClock()) as (client, _parts):
        response = await client.get("/")
        assert response.status == 200
        assert "在线消费纠纷投诉" in await response.text()
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        cookie = response.cookies["odr_sid"]
        assert cookie["httponly"]
        assert cookie["samesite"] == "Strict"
        assert (await client.get("/static/chat/chat.js")).status == 200
        assert (await client.get("/static/chat/..%2Fhub.py")).status == 404


async def test_send_then_stream_the_replies(sqlite_url: str, tmp_path: Path) -> None:
    async with http_client(app_config(sqlite_url, tmp_path), FakeClock()) as (client, _parts):
        await client.get("/")
        sent = await client.post("/chat/send", json={"id": "m1", "text": "我要投诉"})
        assert sent.status == 200
        assert (await sent.json())["ok"] is True
        stream = await client.get("/chat/events")
        assert stream.headers["Content-Type"] == "text/event-stream"
        events = await _events(stream, 2)
        assert "好的，我来帮您投诉" in str(events[0][1]["text"])
        assert "请问您要投诉哪个商家" in str(events[1][1]["text"])
        stream.close()
        # A reconnect with Last-Event-ID resumes after what the page already has.
        await client.post("/chat/send", json={"id": "m2", "text": "鑫汇"})
        resumed = await client.get("/chat/events", headers={"Last-Event-ID": str(events[1][0])})
        [(_, data)] = await _events(resumed, 1)
        assert "请问您购买的是什么商品或服务" in str(data["text"])
        resumed.close()


async def test_retried_send_with_the_same_id_is_one_message(sqlite_url: str,
                                                            tmp_path: Path) -> None:
    async with http_client(app_config(sqlite_url, tmp_path), FakeClock()) as (client, _parts):
        await client.get("/")
        first = await (await client.post("/chat/send", json={"id": "x", "text": "投诉"})).json()
        again = await (await client.post("/chat/send", json={"id": "x", "text": "投诉"})).json()
        assert again["duplicate"] is True
        assert again["replies"] == first["replies"]


async def test_bad_requests_are_refused_clearly(sqlite_url: str, tmp_path: Path) -> None:
    async with http_client(app_config(sqlite_url, tmp_path), FakeClock()) as (client, _parts):
        assert (await client.post("/chat/send", json={"id": "a", "text": "hi"})).status == 401
        await client.get("/")
        cases = [
            (dict(data=b"{not json"), 400),
            (dict(json=["a list"]), 400),
            (dict(json={"id": "../../etc", "text": "x"}), 400),
            (dict(json={"id": "ok", "text": 5}), 400),
            (dict(data=b"x" * (70 * 1024)), 413),
            (dict(json={"id": "ok", "text": "x"}, headers={"Origin": "https://evil.example"}),
             403),
        ]
        for kwargs, status in cases:
            response = await client.post("/chat/send", **kwargs)  # type: ignore[arg-type]
            assert response.status == status, kwargs
            if status == 400:
                assert "error" in await response.json()
        forged = await client.post("/chat/send", json={"id": "a", "text": "x"},
                                   cookies={"odr_sid": "short"})
        assert forged.status == 401


async def test_photo_upload_becomes_evidence(sqlite_url: str, tmp_path: Path) -> None:
    async with http_client(app_config(sqlite_url, tmp_path), FakeClock()) as (client, _parts):
        await client.get("/")
        await client.post("/chat/send", json={"id": "1", "text": "我要投诉"})
        rejected = await client.post("/chat/upload?id=2", data=b"<?php evil ?>")
        assert rejected.status == 415
        accepted = await client.post("/chat/upload?id=3", data=_png())
        assert accepted.status == 200
        stream = await client.get("/chat/events")
        events = await _events(stream, 4)
        assert "已收到证据照片（共 1 张）" in str(events[2][1]["text"])
        assert "继续填写投诉" in str(events[3][1]["text"])
        stream.close()
        stored = list((tmp_path / "media" / "web").rglob("*.png"))
        assert len(stored) == 1


async def test_a_clerk_photo_is_shown_inline_to_its_own_session_only(
        sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        await client.get("/")
        for n, text in enumerate((RICH, "1", "王芳 13912345678", "鞍山市铁东区", "1", "1")):
            assert (await client.post("/chat/send", json={"id": f"m{n}", "text": text})).ok
        clerk = Chat(parts, clock, user="clerk")
        async with parts.db.unit_of_work() as uow:
            code = (await invite_staff(uow, "as-xinhui", "agent", clock())).code
            await uow.commit()
        await clerk.say(f"绑定 {code}")
        [ref] = re.findall(r"TS\d{14}", "".join(await clerk.say("列表")))
        await clerk.say(f"受理 {ref}")
        media = store_image(tmp_path / "media", "web", _png())
        [done] = await clerk.send(image_message(clerk, media.path, media.sha256))
        assert f"已发送给消费者（{ref}）" in done
        stream = await client.get("/chat/events")
        events = await _events(stream, 11)
        stream.close()
        [(photo_id, shown)] = [(i, e) for i, e in events if "photo" in e]
        assert shown["photo"] == f"/chat/photo/{photo_id}"
        assert ref in str(shown["text"])
        before = [str(e["text"]) for i, e in events if i < photo_id]
        assert "发来一张照片" in before[-1]  # the notice comes first
        picture = await client.get(f"/chat/photo/{photo_id}")
        assert picture.status == 200
        assert picture.content_type == "image/png"
        assert await picture.read() == _png()
        assert (await client.get(f"/chat/photo/{events[0][0]}")).status == 404  # text only
        client.session.cookie_jar.clear()
        await client.get("/")  # another browser: a new session
        assert (await client.get(f"/chat/photo/{photo_id}")).status == 404


async def test_health_ready_and_metrics(sqlite_url: str, tmp_path: Path) -> None:
    async with http_client(app_config(sqlite_url, tmp_path), FakeClock()) as (client, _parts):
        assert (await (await client.get("/healthz")).json()) == {"ok": True}
        ready = await client.get("/readyz")
        assert ready.status == 200
        assert (await ready.json())["nlp"] is True
        await client.get("/")
        await client.post("/chat/send", json={"id": "1", "text": "你好"})
        metrics = await (await client.get("/metrics")).text()
        assert 'odrbot_inbound_messages_total{channel="web",outcome="ok"} 1.0' in metrics


async def test_metrics_show_outbox_depth_and_requests_carry_an_id(sqlite_url: str,
                                                                 tmp_path: Path) -> None:
    async with http_client(app_config(sqlite_url, tmp_path), FakeClock()) as (client, parts):
        async with parts.db.unit_of_work() as uow:
            await uow.outbox.add("telegram", "42", {"text": "waiting"}, parts.clock())
            dead = await uow.outbox.add("wechat", "o1", {"text": "x"}, parts.clock())
            await uow.outbox.mark_dead(dead, "45015 window closed")
            await uow.commit()
        response = await client.get("/metrics", headers={"X-Request-ID": "abc123"})
        text = await response.text()
        assert response.headers["X-Request-ID"] == "abc123"
        assert 'odrbot_outbox_pending{channel="telegram"} 1.0' in text
        assert 'odrbot_outbox_dead{channel="wechat"} 1.0' in text
        assert "odrbot_outbox_oldest_pending_seconds" in text
        assert len((await client.get("/healthz")).headers["X-Request-ID"]) == 12
