"""The enterprise API against its own OpenAPI document: every documented route exists and
answers each documented status, with bodies that match the documented schemas."""

from __future__ import annotations

import secrets
from collections import defaultdict
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.app import Components
from bot.domain.states import Status
from storage.tables import api_keys, complaint_events, outbox
from tests.adapters.api.schema import problems
from tests.adapters.inbox.support import WANXIANG, XINHUI, file_case, status_of
from tests.support.app import app_config, http_client
from tests.support.clock import FakeClock


async def new_key(parts: Components, clock: FakeClock, enterprise_id: str = XINHUI) -> str:
    key = "odr_" + secrets.token_urlsafe(32)
    async with parts.db.unit_of_work() as uow:
        await uow.staff.add_api_key(enterprise_id, key, "crm", clock())
        await uow.commit()
    return key


class Caller:
    """Calls the API and checks every answer against the document."""

    def __init__(self, client: TestClient[Any, Any], document: dict[str, Any]) -> None:
        self.client = client
        self.document = document
        self.seen: dict[tuple[str, str], set[str]] = defaultdict(set)

    async def __call__(self, method: str, template: str, key: str, ref: str = "",
                       **kwargs: Any) -> tuple[int, Any]:
        path = "/api/v1" + template.replace("{reference}", ref)
        headers = {"Authorization": f"Bearer {key}"}
        response = await self.client.request(method.upper(), path, headers=headers, **kwargs)
        body = await response.json()
        documented = self.document["paths"][template][method]["responses"]
        assert str(response.status) in documented, (method, template, response.status, body)
        schema = documented[str(response.status)]["content"]["application/json"]["schema"]
        assert problems(body, schema, self.document) == [], (method, template, body)
        self.seen[(method, template)].add(str(response.status))
        return response.status, body


REF = "/complaints/{reference}"
UNKNOWN = "TS20991231999999"


async def _refuse_strangers(call: Caller, client: TestClient[Any, Any], key: str, own: str,
                            foreign: str) -> None:
    """Every route: a wrong key, no key or another scheme → 401; another enterprise's or
    an unknown reference → 404."""
    for template, item in call.document["paths"].items():
        for method in item:
            for header in (f"Bearer odr_{'x' * 40}", "", f"Basic {key}"):
                response = await client.request(method.upper(), "/api/v1" + template.replace(
                    "{reference}", own), headers={"Authorization": header})
                assert response.status == 401
                assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert (await call(method, template, "odr_wrong", own))[0] == 401
            if "{reference}" in template:
                for ref in (UNKNOWN, foreign):
                    assert (await call(method, template, key, ref, json={"text": "好"}))[0] == 404


async def _refuse_bad_input(call: Caller, key: str, own: str, closed: str) -> None:
    for bad in ({"status": "nope"}, {"limit": "0"}, {"offset": "-1"}, {"category": "<b>"}):
        assert (await call("get", "/complaints", key, params=bad))[0] == 422
    assert (await call("post", REF + "/accept", key, own, data=b"x" * 70_000))[0] == 413
    for action in ("/messages", "/propose", "/refuse", "/settle"):
        for body in ({"json": {"text": " "}}, {"data": b"{not json"}):
            assert (await call("post", REF + action, key, own, **body))[0] == 422
        assert (await call("post", REF + action, key, own, json={"text": "x" * 20_000}))[0] \
            == 413
        assert (await call("post", REF + action, key, closed, json={"text": "好的"}))[0] == 409


async def test_every_documented_route_answers_every_documented_status(
        database_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(database_url, tmp_path), clock) as (client, parts):
        served = await client.get("/api/v1/openapi.json")
        assert served.status == 200
        call = Caller(client, await served.json())
        assert call.document["openapi"] == "3.1.0"
        key = await new_key(parts, clock)
        a, refused, done = [await file_case(parts, clock) for _ in range(3)]
        closed = await file_case(parts, clock, status=Status.CLOSED)
        settled = await file_case(parts, clock, status=Status.SETTLED)
        foreign = await file_case(parts, clock, WANXIANG)
        await _refuse_strangers(call, client, key, a.reference, foreign.reference)
        await _refuse_bad_input(call, key, a.reference, closed.reference)

        status, listed = await call("get", "/complaints", key)
        assert foreign.reference not in {c["reference"] for c in listed["complaints"]}
        status, one = await call("get", REF, key, a.reference)
        assert status == 200 and one["complaint"]["consumer_phone"] is None
        assert (await call("post", REF + "/accept", key, a.reference))[0] == 200
        assert (await call("post", REF + "/accept", key, a.reference))[0] == 409
        status, answered = await call("post", REF + "/messages", key, a.reference,
                                      json={"text": "您好，我们马上处理"})
        assert status == 200 and answered["complaint"]["status"] == "negotiating"
        for action, case, text in (("/propose", a, "全额退款"), ("/refuse", refused, "已过保"),
                                   ("/settle", settled, "已退款 3299 元")):
            assert (await call("post", REF + action, key, case.reference,
                               json={"text": text}))[0] == 200
        assert (await call("post", REF + "/settle", key, done.reference,
                           json={"text": "已退款"}))[0] == 409
        status, detail = await call("get", REF, key, a.reference)
        assert detail["complaint"]["consumer_phone"] == "13912345678"
        assert [m["text"] for m in detail["complaint"]["thread"]] == ["您好，我们马上处理",
                                                                      "全额退款"]
        for template, item in call.document["paths"].items():
            for method, operation in item.items():
                assert call.seen[(method, template)] == set(operation["responses"]), template
        assert await status_of(parts, closed.reference) == Status.CLOSED


async def test_api_actions_reach_the_consumer_and_are_audited(sqlite_url: str,
                                                              tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        key = await new_key(parts, clock)
        filed = await file_case(parts, clock)
        answer = await client.post(f"/api/v1/complaints/{filed.reference}/messages",
                                   json={"text": "请提供购买凭证"},
                                   headers={"Authorization": f"Bearer {key}"})
        assert answer.status == 200
        async with parts.db.engine.connect() as conn:
            to_consumer = (await conn.execute(select(outbox.c.payload).where(
                outbox.c.channel == "web", outbox.c.recipient == filed.consumer))).all()
            actors = (await conn.execute(select(complaint_events.c.actor_ref))).scalars().all()
            stored = (await conn.execute(select(api_keys.c.key_hash))).scalars().all()
        assert any("请提供购买凭证" in row[0]["text"] for row in to_consumer)
        assert "staff:0:api" in actors
        assert key not in stored and len(stored) == 1  # hashed at rest


async def test_list_filters_and_pages(sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        key = await new_key(parts, clock)
        refs = [(await file_case(parts, clock, deadline_days=d)).reference for d in (3, 2, 1)]
        await file_case(parts, clock, status=Status.CLOSED, category="S08")
        headers = {"Authorization": f"Bearer {key}"}

        async def listed(**params: str) -> list[str]:
            response = await client.get("/api/v1/complaints", params=params, headers=headers)
            assert response.status == 200
            return [c["reference"] for c in (await response.json())["complaints"]]

        assert await listed(status="submitted") == refs[::-1]
        assert await listed(status="submitted", limit="2") == refs[::-1][:2]
        assert await listed(status="submitted", limit="2", offset="2") == refs[:1]
        assert len(await listed()) == 4
        assert len(await listed(category="S08")) == 1
        assert await listed(q=refs[0]) == [refs[0]]


async def test_unknown_paths_and_methods_answer_in_json(sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, _parts):
        missing = await client.get("/api/v1/nothing")
        assert missing.status == 404
        assert (await missing.json())["error"]["code"] == "not_found"
        wrong = await client.delete("/api/v1/complaints")
        assert wrong.status == 405
        assert (await wrong.json())["error"]["code"] == "method_not_allowed"
