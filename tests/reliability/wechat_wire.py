"""WeChat callbacks as WeChat's servers build them, written from the protocol.

- ``signature`` = sha1 of the sorted, concatenated token / timestamp / nonce;
- ``msg_signature`` = the same over token / timestamp / nonce / Encrypt;
- Encrypt = base64(AES-256-CBC(key, iv = key[:16], PKCS#7 to 32 bytes of 16 random bytes +
  4-byte big-endian length + xml + appid)), key = b64decode(EncodingAESKey + "=").
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import struct
from collections.abc import Mapping

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

TOKEN = "reliabilityToken2026"
AES_KEY = base64.b64encode(bytes(range(40, 72))).decode()[:-1]  # 43 characters
ACCOUNT = "gh_reliability01"
_nonces = itertools.count(1)


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def encrypt(xml: str | bytes, app_id: str, aes_key: str = AES_KEY) -> str:
    data = xml.encode() if isinstance(xml, str) else xml
    raw = os.urandom(16) + struct.pack(">I", len(data)) + data + app_id.encode()
    pad = 32 - len(raw) % 32
    raw += bytes([pad]) * pad
    key = base64.b64decode(aes_key + "=")
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(raw) + encryptor.finalize()).decode()


def query(token: str = TOKEN, encrypted: str | None = None, timestamp: str = "1795000000"
          ) -> dict[str, str]:
    nonce = f"n{next(_nonces):08d}"
    signed = {"signature": sign(token, timestamp, nonce), "timestamp": timestamp,
              "nonce": nonce, "openid": "ignored"}
    if encrypted is not None:
        signed |= {"encrypt_type": "aes",
                   "msg_signature": sign(token, timestamp, nonce, encrypted)}
    return signed


def message_xml(openid: str, msg_type: str, fields: Mapping[str, str | int],
                create_time: int = 1_795_000_000) -> str:
    body = {"ToUserName": ACCOUNT, "FromUserName": openid, "CreateTime": create_time,
            "MsgType": msg_type, **fields}
    nodes = "".join(f"<{k}>{v}</{k}>" if isinstance(v, int) else
                    f"<{k}><![CDATA[{v.replace(']]>', ']]]]><![CDATA[>')}]]></{k}>"
                    for k, v in body.items())
    return f"<xml>{nodes}</xml>"


def text_xml(openid: str, text: str, msg_id: int, create_time: int = 1_795_000_000) -> str:
    return message_xml(openid, "text", {"Content": text, "MsgId": msg_id}, create_time)


def safe_envelope(xml: str | bytes, app_id: str, aes_key: str = AES_KEY) -> tuple[str, str]:
    """(body, Encrypt) of the 安全 mode: only the encrypted message travels."""
    encrypted = encrypt(xml, app_id, aes_key)
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"), encrypted
