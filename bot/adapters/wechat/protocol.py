"""The callback protocol: query parameters, signatures and the three encryption modes.

Console modes (设置与开发 → 基本配置 → 消息加解密方式): 明文 (plaintext), 兼容 (both the
plain fields and ``Encrypt``, ``encrypt_type=aes``) and 安全 (only ``Encrypt``). Every POST
carries ``signature`` over token/timestamp/nonce; encrypted ones also ``msg_signature``
over token/timestamp/nonce/Encrypt. The passive reply is encrypted when the request was.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature

MAX_BODY_BYTES = 1024 * 1024
_ENTITY_TRICKS = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class Refused(Exception):
    """A callback we will not process; ``status`` is the HTTP answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class CallbackQuery:
    signature: str
    timestamp: str
    nonce: str
    encrypted: bool = False
    msg_signature: str = ""
    echostr: str = ""

    @classmethod
    def of(cls, query: Mapping[str, str], *, verification: bool = False) -> CallbackQuery:
        """Read the query string; a missing parameter is a 400, never a crash."""
        names = ("signature", "timestamp", "nonce") + (("echostr",) if verification else ())
        missing = [name for name in names if not query.get(name)]
        if missing:
            raise Refused(400, f"missing query parameter: {missing[0]}")
        encrypted = query.get("encrypt_type", "raw").lower() == "aes"
        if encrypted and not query.get("msg_signature"):
            raise Refused(400, "missing query parameter: msg_signature")
        return cls(query["signature"], query["timestamp"], query["nonce"], encrypted,
                   query.get("msg_signature", ""), query.get("echostr", ""))


class WechatCodec:
    """Checks signatures, opens (decrypts) request bodies and seals (encrypts) replies."""

    def __init__(self, token: str, app_id: str, encoding_aes_key: str = "") -> None:
        self._token = token
        self._crypto = WeChatCrypto(token, encoding_aes_key, app_id) if encoding_aes_key \
            else None

    def verify(self, query: CallbackQuery) -> None:
        try:
            check_signature(self._token, query.signature, query.timestamp, query.nonce)
        except InvalidSignatureException:
            raise Refused(403, "bad signature") from None

    def open(self, query: CallbackQuery, body: bytes) -> str:
        """The message XML of a verified request body, decrypted in AES mode."""
        xml = safe_xml(body)
        if not query.encrypted:
            return xml
        if self._crypto is None:
            raise Refused(400, "encrypted callback but [wechat] encoding_aes_key is not set")
        try:
            inner = self._crypto.decrypt_message(xml, query.msg_signature, query.timestamp,
                                                 query.nonce)
        except InvalidSignatureException:
            raise Refused(403, "bad msg_signature") from None
        except InvalidAppIdException:
            raise Refused(403, "message for another app id") from None
        except Exception:  # wechatpy raises KeyError, ValueError, TypeError, struct.error…
            raise Refused(400, "cannot decrypt the message") from None
        return safe_xml(inner.encode("utf-8"))

    def seal(self, query: CallbackQuery, reply_xml: str) -> str:
        if not query.encrypted or self._crypto is None:
            return reply_xml
        return str(self._crypto.encrypt_message(reply_xml, query.nonce, query.timestamp))


def safe_xml(body: bytes) -> str:
    """UTF-8 text without DTD tricks (XXE, billion laughs); the parser refuses entities
    too, this makes the refusal explicit and cheap."""
    if len(body) > MAX_BODY_BYTES:
        raise Refused(413, "body larger than 1 MiB")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body is not UTF-8") from None
    if _ENTITY_TRICKS.search(text):
        raise Refused(400, "DOCTYPE and entities are not accepted")
    if not text.strip():
        raise Refused(400, "empty body")
    return text
