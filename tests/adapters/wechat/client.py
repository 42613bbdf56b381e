"""A scripted WeChat server: builds, signs and encrypts callbacks as WeChat does.

Written from the protocol, not from the code under test (nor wechatpy):
- ``signature`` = sha1 of the sorted, concatenated token / timestamp / nonce;
- ``msg_signature`` = the same over token / timestamp / nonce / Encrypt;
- Encrypt = base64(AES-256-CBC(key, iv = key[:16], PKCS#7 to 32 bytes of
  16 random bytes + 4-byte big-endian length + xml + appid)), key = b64(EncodingAESKey+"=").
Modes: "plain" (明文), "compat" (兼容: plain fields and Encrypt) and "safe" (安全).
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tests.adapters.wechat.fake_api import APP_ID

TOKEN = "odrTestToken2026"
AES_KEY = base64.b64encode(bytes(range(7, 39))).decode()[:-1]  # 43 characters
ACCOUNT = "gh_0123456789ab"


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _key(aes_key: str) -> bytes:
    return base64.b64decode(aes_key + "=")


def encrypt(xml: str, aes_key: str = AES_KEY, app_id: str = APP_ID) -> str:
    raw = os.urandom(16) + struct.pack(">I", len(xml.encode())) + xml.encode() + app_id.encode()
    pad = 32 - len(raw) % 32
    raw += bytes([pad]) * pad
    key = _key(aes_key)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(raw) + encryptor.finalize()).decode()


def decrypt(encrypted: str, aes_key: str = AES_KEY) -> tuple[str, str]:
    """(xml, appid) of an Encrypt value."""
    key = _key(aes_key)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    raw = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    raw = raw[:-raw[-1]]
    (length,) = struct.unpack(">I", raw[16:20])
    return raw[20:20 + length].decode(), raw[20 + length:].decode()


def message_xml(openid: str, msg_type: str, fields: Mapping[str, str | int],
                create_time: int = 1_795_000_000) -> str:
    """A callback body: the common fields, then the type's own (CDATA for strings)."""
    body = {"ToUserName": ACCOUNT, "FromUserName": openid, "CreateTime": create_time,
            "MsgType": msg_type, **fields}
    nodes = "".join(f"<{k}>{v}</{k}>" if isinstance(v, int) else
                    f"<{k}><![CDATA[{_cdata(v)}]]></{k}>" for k, v in body.items())
    return f"<xml>{nodes}</xml>"


def _cdata(value: str) -> str:
    return value.replace("]]>", "]]]]><![CDATA[>")


class WechatClient:
    """Posts callbacks to the bot the way WeChat's servers do, in one encryption mode."""

    def __init__(self, http: TestClient[Any, Any], mode: str = "plain",
                 token: str = TOKEN, aes_key: str = AES_KEY) -> None:
        assert mode in {"plain", "compat", "safe"}
        self.http, self.mode, self.token, self.aes_key = http, mode, token, aes_key
        self._nonce = 0
        self._msg_id = 24_000_000_000_000_000
        self.clock = 1_795_000_000

    def next_msg_id(self) -> int:
        self._msg_id += 1
        return self._msg_id

    def query(self, encrypted_body: str | None = None) -> dict[str, str]:
        self._nonce += 1
        timestamp, nonce = str(self.clock), f"n{self._nonce:08d}"
        query = {"signature": sign(self.token, timestamp, nonce), "timestamp": timestamp,
                 "nonce": nonce, "openid": "ignored"}
        if encrypted_body is not None:
            query |= {"encrypt_type": "aes",
                      "msg_signature": sign(self.token, timestamp, nonce, encrypted_body)}
        return query

    def envelope(self, xml: str) -> tuple[str, dict[str, str]]:
        """The body and query string for ``xml`` in this client's mode."""
        if self.mode == "plain":
            return xml, self.query()
        encrypted = encrypt(xml, self.aes_key)
        query = self.query(encrypted)
        if self.mode == "safe":
            return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
                    f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"), query
        return xml.replace("</xml>", f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"), query

    async def post(self, xml: str) -> tuple[int, str]:
        body, query = self.envelope(xml)
        async with self.http.post("/wechat", params=query, data=body.encode(),
                                  headers={"Content-Type": "text/xml"}) as response:
            return response.status, await response.text()

    async def send(self, openid: str, msg_type: str, fields: Mapping[str, str | int],
                   create_time: int | None = None) -> str | None:
        """Deliver one message; the passive reply's text, or None for "success"."""
        self.clock += 3
        xml = message_xml(openid, msg_type, fields, create_time or self.clock)
        status, body = await self.post(xml)
        assert status == 200, f"{status}: {body}"
        return self.read_reply(body, openid)

    async def say(self, openid: str, text: str) -> str | None:
        return await self.send(openid, "text", {"Content": text, "MsgId": self.next_msg_id()})

    async def event(self, openid: str, event: str, key: str | None = None) -> str | None:
        fields: dict[str, str | int] = {"Event": event}
        if key is not None:
            fields["EventKey"] = key
        return await self.send(openid, "event", fields)

    def read_reply(self, body: str, openid: str) -> str | None:
        if body == "success" or body == "":
            return None
        root = ET.fromstring(body)
        if self.mode != "plain":
            encrypted = root.findtext("Encrypt") or ""
            expected = sign(self.token, root.findtext("TimeStamp") or "",
                            root.findtext("Nonce") or "", encrypted)
            assert root.findtext("MsgSignature") == expected, "reply signature is wrong"
            inner, app_id = decrypt(encrypted, self.aes_key)
            assert app_id == APP_ID
            root = ET.fromstring(inner)
        assert root.findtext("MsgType") == "text"
        assert root.findtext("ToUserName") == openid
        assert root.findtext("FromUserName") == ACCOUNT
        return root.findtext("Content") or ""

