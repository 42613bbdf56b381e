"""Taking back access as an operator does it: ``odrbot api-keys list|revoke`` and
``odrbot webhooks list|remove`` in a real process, against the database a running server
uses; a revoked key is refused at the server's very next request."""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path

from tests.support.app import app_config, http_client
from tests.support.clock import FakeClock
from tests.unit.test_cli import odrbot


async def cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(odrbot, url, *args)


async def test_a_revoked_key_is_refused_at_once(database_url: str, tmp_path: Path) -> None:
    async with http_client(app_config(database_url, tmp_path), FakeClock()) as (client, _parts):
        created = await cli(database_url, "enterprises", "api-key", "as-xinhui", "--label", "crm")
        assert created.returncode == 0, created.stderr
        key = created.stdout.strip().splitlines()[-1]
        [key_id] = re.findall(r"API key (\d+) for as-xinhui", created.stdout)
        other = await cli(database_url, "enterprises", "api-key", "as-xinhui", "--label", "erp")
        spare = other.stdout.strip().splitlines()[-1]
        auth = {"Authorization": f"Bearer {key}"}
        assert (await client.get("/api/v1/complaints", headers=auth)).status == 200

        listed = (await cli(database_url, "api-keys", "list")).stdout.splitlines()
        assert listed[0] == "id\tenterprise\tlabel\tcreated\trevoked"
        assert [line.split("\t")[:3] for line in listed[1:]] == [
            [key_id, "as-xinhui", "crm"], [str(int(key_id) + 1), "as-xinhui", "erp"]]
        assert all(line.endswith("\t-") for line in listed[1:])
        assert key not in "\n".join(listed)  # only ids, never the key

        revoked = await cli(database_url, "api-keys", "revoke", key_id)
        assert revoked.returncode == 0, revoked.stderr
        assert f"API key {key_id} of as-xinhui (crm) revoked" in revoked.stderr
        refused = await client.get("/api/v1/complaints", headers=auth)
        assert refused.status == 401
        assert (await client.get("/api/v1/complaints",
                                 headers={"Authorization": f"Bearer {spare}"})).status == 200
        [line] = [x for x in (await cli(database_url, "api-keys", "list", "as-xinhui")
                              ).stdout.splitlines() if x.startswith(f"{key_id}\t")]
        assert not line.endswith("\t-")  # the revocation time

        again = await cli(database_url, "api-keys", "revoke", key_id)
        assert again.returncode == 2
        assert "no valid API key" in again.stderr


async def test_a_removed_webhook_gets_no_more_events(sqlite_url: str, tmp_path: Path) -> None:
    async with http_client(app_config(sqlite_url, tmp_path), FakeClock()) as (_client, parts):
        hook = "http://127.0.0.1:9/odr-events"
        assert (await cli(sqlite_url, "enterprises", "webhook", "as-xinhui", hook)
                ).returncode == 0
        listed = (await cli(sqlite_url, "webhooks", "list")).stdout.splitlines()
        assert listed[0] == "enterprise\turl\tsince"
        assert [line.split("\t")[:2] for line in listed[1:]] == [["as-xinhui", hook]]
        assert "whsec_" not in "\n".join(listed)  # the signing secret is not listed

        removed = await cli(sqlite_url, "webhooks", "remove", "as-xinhui")
        assert removed.returncode == 0, removed.stderr
        assert "webhook of as-xinhui removed" in removed.stderr
        async with parts.db.unit_of_work() as uow:
            assert await uow.staff.webhook("as-xinhui") is None
        assert (await cli(sqlite_url, "webhooks", "list")).stdout.splitlines()[1:] == []
        again = await cli(sqlite_url, "webhooks", "remove", "as-xinhui")
        assert again.returncode == 2
        assert "as-xinhui has no webhook" in again.stderr
