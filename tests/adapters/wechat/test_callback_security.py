"""Bad input at /wechat is refused with a 4xx, records nothing, and the service stays
healthy: wrong or missing signatures, missing parameters, malformed or hostile XML,
non-UTF-8 bytes, oversized bodies, and a wrong AES key in the config (at start)."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import build_app
from bot.config import ConfigError, load_config
from storage.tables import identities, inbound_receipts, outbox
from tests.adapters.wechat.client import ACCOUNT, TOKEN, WechatClient, encrypt, message_xml, sign
from tests.adapters.wechat.conftest import Bot, wechat_bot, wechat_config
from tests.adapters.wechat.fake_api import FakeWechatApi
from tests.adapters.wechat.support import count
from tests.support.clock import FakeClock

VALID = message_xml("oUser-1", "text", {"Content": "帮助", "MsgId": 7})
XXE = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
       f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>oUser-1</FromUserName>"
       "<CreateTime>1795000000</CreateTime><MsgType>text</MsgType><Content>&e;</Content>"
       "<MsgId>8</MsgId></xml>")
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                    for i in range(1, 10))
          + "]><xml><MsgType>text</MsgType><Content>&lol9;</Content></xml>")


async def nothing_recorded(bot: Bot) -> None:
    for table in (inbound_receipts, outbox, identities):
        assert await count(bot.parts, table) == 0, table.name
    async with bot.http.get("/healthz") as response:
        assert response.status == 200


async def test_server_verification_echoes_echostr(sqlite_url: str, tmp_path: Path,
                                                 fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        query = {"signature": sign(TOKEN, "1795000000", "abc"), "timestamp": "1795000000",
                 "nonce": "abc", "echostr": "5837397520286740397"}
        async with bot.http.get("/wechat", params=query) as response:
            assert response.status == 200
            assert await response.text() == "5837397520286740397"
        async with bot.http.get("/wechat", params=query | {"nonce": "abd"}) as response:
            assert response.status == 403
        for missing in ("signature", "timestamp", "nonce", "echostr"):
            partial = {k: v for k, v in query.items() if k != missing}
            async with bot.http.get("/wechat", params=partial) as response:
                assert response.status == 400, missing


@pytest.mark.parametrize("missing", ["signature", "timestamp", "nonce"])
async def test_missing_query_parameter_is_400(missing: str, sqlite_url: str, tmp_path: Path,
                                              fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        query = {k: v for k, v in bot.client().query().items() if k != missing}
        async with bot.http.post("/wechat", params=query, data=VALID.encode()) as response:
            assert response.status == 400
        await nothing_recorded(bot)


async def test_encrypted_without_msg_signature_is_400(sqlite_url: str, tmp_path: Path,
                                                     fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        query = bot.client().query() | {"encrypt_type": "aes"}
        body = f"<xml><Encrypt>{encrypt(VALID)}</Encrypt></xml>"
        async with bot.http.post("/wechat", params=query, data=body.encode()) as response:
            assert response.status == 400
        await nothing_recorded(bot)


@pytest.mark.parametrize("mode", ["plain", "compat", "safe"])
async def test_wrong_signature_is_403(mode: str, sqlite_url: str, tmp_path: Path,
                                      fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        forger = WechatClient(bot.http, mode, token="notOurToken")
        status, _body = await forger.post(VALID)
        assert status == 403
        await nothing_recorded(bot)


async def test_wrong_msg_signature_is_403(sqlite_url: str, tmp_path: Path,
                                          fake_wechat: FakeWechatApi) -> None:
    """The outer signature is right but the Encrypt was swapped for another message."""
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client("safe")
        body, query = client.envelope(VALID)
        other = encrypt(message_xml("oUser-9", "text", {"Content": "x", "MsgId": 9}))
        body = re.sub(r"<Encrypt><!\[CDATA\[.*?\]\]></Encrypt>",
                      f"<Encrypt><![CDATA[{other}]]></Encrypt>", body)
        async with bot.http.post("/wechat", params=query, data=body.encode()) as response:
            assert response.status == 403
        await nothing_recorded(bot)


async def test_encrypted_with_another_key_or_app_is_refused(sqlite_url: str, tmp_path: Path,
                                                            fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        other_key = WechatClient(bot.http, "safe", aes_key="B" * 42 + "A")
        status, _ = await other_key.post(VALID)
        assert status == 400
        client = bot.client("safe")
        encrypted = encrypt(VALID, app_id="wxSomebodyElse000")
        query = client.query(encrypted)
        body = f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        async with bot.http.post("/wechat", params=query, data=body.encode()) as response:
            assert response.status == 403
        await nothing_recorded(bot)


BAD_BODIES = [
    pytest.param(b"<xml><MsgType>text</Msg", 400, id="malformed"),
    pytest.param(XXE.encode(), 400, id="xxe"),
    pytest.param(LAUGHS.encode(), 400, id="billion-laughs"),
    pytest.param(VALID.replace("帮助", "\udcff").encode("utf-8", "surrogateescape"), 400,
                 id="not-utf8"),
    pytest.param(VALID.encode("gb18030"), 400, id="gbk"),
    pytest.param(b"", 400, id="empty"),
    pytest.param(b"<foo/>", 400, id="wrong-root"),
    pytest.param(b"<xml><Content>hi</Content></xml>", 400, id="no-msgtype"),
    pytest.param(VALID.replace("<MsgId>7</MsgId>", "").encode(), 400, id="no-msgid"),
    pytest.param(VALID.replace("<MsgId>7</MsgId>", "<MsgId>x'1</MsgId>").encode(), 400,
                 id="bad-msgid"),
    pytest.param(VALID.replace("<![CDATA[oUser-1]]>", "<a>1</a>").encode(), 400,
                 id="nested-field"),
    pytest.param(VALID.replace("<![CDATA[oUser-1]]>", "<![CDATA[../../etc]]>").encode(), 400,
                 id="odd-openid"),
    pytest.param(b"<xml>" + b" " * (1024 * 1024 + 1) + b"</xml>", 413, id="over-1MiB"),
]


@pytest.mark.parametrize(("body", "status"), BAD_BODIES)
async def test_bad_body_is_refused_and_records_nothing(body: bytes, status: int,
                                                       sqlite_url: str, tmp_path: Path,
                                                       fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        async with bot.http.post("/wechat", params=bot.client().query(),
                                 data=io.BytesIO(body)) as response:
            assert response.status == status
        await nothing_recorded(bot)
        assert await bot.client().say("oUser-1", "帮助")  # and the next message works


async def test_chunked_body_over_1mib_is_413(sqlite_url: str, tmp_path: Path,
                                             fake_wechat: FakeWechatApi) -> None:
    """No Content-Length to check up front: the limit holds while reading."""
    async def chunks() -> AsyncIterator[bytes]:
        yield b"<xml>"
        for _ in range(20):
            yield b" " * 65536
        yield b"</xml>"

    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        async with bot.http.post("/wechat", params=bot.client().query(),
                                 data=chunks()) as response:
            assert response.status == 413
        await nothing_recorded(bot)


@pytest.mark.parametrize("inner", [XXE, "<xml><MsgType>text</Msg"], ids=["xxe", "malformed"])
async def test_hostile_xml_inside_the_encryption_is_refused(inner: str, sqlite_url: str,
                                                           tmp_path: Path,
                                                           fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        status, _ = await bot.client("safe").post(inner)
        assert status == 400
        await nothing_recorded(bot)


async def test_echoed_text_cannot_break_out_of_the_reply_xml(sqlite_url: str, tmp_path: Path,
                                                            fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client()
        await client.say("oUser-1", "我要投诉")
        reply = await client.say("oUser-1", "]]><MsgType>news</MsgType><x>")
        assert reply is not None  # the reply still parses, as one text message
        assert "]]><MsgType>news</MsgType><x>" in reply


@pytest.mark.parametrize("key", ["short", "A" * 42 + "!", "数" * 43])
def test_wrong_aes_key_fails_at_start(key: str, sqlite_url: str, tmp_path: Path,
                                      fake_wechat: FakeWechatApi) -> None:
    config = wechat_config(sqlite_url, tmp_path, fake_wechat)
    with pytest.raises(ConfigError, match=re.escape("[wechat] encoding_aes_key")):
        build_app(replace(config, wechat=replace(config.wechat, encoding_aes_key=key)),
                  FakeClock())
    path = tmp_path / "odrbot.toml"
    path.write_text(f'[wechat]\nencoding_aes_key = "{key}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape("[wechat] encoding_aes_key")):
        load_config(path, env={})
