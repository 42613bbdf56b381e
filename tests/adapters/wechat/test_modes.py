"""The three encryption modes of the console, end to end: the reply is encrypted when
the request was, and reads the same in every mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adapters.wechat.client import ACCOUNT, decrypt, sign
from tests.adapters.wechat.conftest import wechat_bot
from tests.adapters.wechat.fake_api import FakeWechatApi

MODES = ["plain", "compat", "safe"]


@pytest.mark.parametrize("mode", MODES)
async def test_text_gets_a_passive_reply_in_every_mode(mode: str, sqlite_url: str,
                                                       tmp_path: Path,
                                                       fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        reply = await bot.client(mode).say("oUser-1", "我要投诉")
        assert reply is not None
        assert "好的，我来帮您投诉" in reply
        assert "请问您要投诉哪个商家？" in reply  # two replies joined into one text


@pytest.mark.parametrize("mode", ["compat", "safe"])
async def test_encrypted_request_gets_an_encrypted_signed_reply(
        mode: str, sqlite_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    import xml.etree.ElementTree as ET

    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client(mode)
        status, body = await client.post(
            f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>oUser-2</FromUserName>"
            "<CreateTime>1795000003</CreateTime><MsgType>text</MsgType>"
            "<Content>帮助</Content><MsgId>42</MsgId></xml>")
        assert status == 200
        root = ET.fromstring(body)
        assert root.findtext("Content") is None  # nothing in the clear
        encrypted = root.findtext("Encrypt") or ""
        assert root.findtext("MsgSignature") == sign(
            client.token, root.findtext("TimeStamp") or "", root.findtext("Nonce") or "",
            encrypted)
        inner, _app_id = decrypt(encrypted)
        assert "<ToUserName><![CDATA[oUser-2]]></ToUserName>" in inner


async def test_plaintext_request_gets_a_plaintext_reply(sqlite_url: str, tmp_path: Path,
                                                       fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client("plain")
        status, body = await client.post(
            f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>oUser-3</FromUserName>"
            "<CreateTime>1795000003</CreateTime><MsgType>text</MsgType>"
            "<Content>帮助</Content><MsgId>43</MsgId></xml>")
        assert status == 200
        assert "<Encrypt>" not in body
        assert f"<FromUserName><![CDATA[{ACCOUNT}]]></FromUserName>" in body
