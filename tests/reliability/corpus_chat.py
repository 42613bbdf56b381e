"""Hostile input for the consumer channels: WeChat (/wechat), Telegram (/telegram) and the
web chat (/chat/send, /chat/upload, /chat/events, /static/chat)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from typing import Any

from tests.reliability.corpus import INJECTIONS, SUPERSCRIPT, Hostile, Req, World, seg
from tests.reliability.support import TELEGRAM_SECRET
from tests.reliability.wechat_wire import (
    AES_KEY,
    encrypt,
    message_xml,
    query,
    safe_envelope,
    text_xml,
)

DEEP = 10_000
_FIELDS = ("<ToUserName>gh_x</ToUserName><FromUserName>oHOSTILE</FromUserName>"
           "<CreateTime>1795000000</CreateTime><MsgType>text</MsgType>"
           "<Content>{content}</Content><MsgId>1234567890</MsgId>")
XML_ATTACKS = {
    "xxe-file": '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml>{f}</xml>',
    "billion-laughs": '<!DOCTYPE xml [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
                      '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY x "&c;&c;&c;&c;&c;&c;">]>'
                      '<xml>{f}</xml>',
    "external-dtd": '<!DOCTYPE xml SYSTEM "http://127.0.0.1:9/evil.dtd"><xml>{f}</xml>',
    "parameter-entity": '<!DOCTYPE xml [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'
                        '<xml>{f}</xml>',
    "lowercase-doctype": '<!doctype xml [<!ENTITY x "boom">]><xml>{f}</xml>',
    "spaced-doctype": '<!  DOCTYPE xml [<!ENTITY x "boom">]><xml>{f}</xml>',
    "utf7-doctype": '<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE xml +AFs-'
                    '+ADw-!ENTITY x SYSTEM +ACI-file:///etc/passwd+ACI-+AD4-+AF0-+AD4-'
                    '<xml>{f}</xml>',
    "xinclude": '<xml xmlns:xi="http://www.w3.org/2001/XInclude">{f}'
                '<xi:include href="file:///etc/passwd" parse="text"/></xml>',
}


def _xml_attack(template: str) -> str:
    return template.replace("{f}", _FIELDS.replace("{content}", "&x;"))


def wechat(body: bytes | str, *, safe_inner: str | bytes | None = None,
           expect: str = "refused", signed: Callable[[], dict[str, str]] = query,
           method: str = "POST") -> Callable[[World], Req]:
    """A POST to /wechat: ``body`` in plain mode, or ``safe_inner`` encrypted (安全 mode)."""
    def make(world: World) -> Req:
        if safe_inner is not None:
            envelope, encrypted = safe_envelope(safe_inner, world.wechat_app_id)
            return Req(method, "/wechat", params=query(encrypted=encrypted), expect=expect,
                       body=envelope.encode())
        raw = body.encode() if isinstance(body, str) else body
        return Req(method, "/wechat", params=signed(), body=raw, expect=expect)
    return make


def wechat_cases() -> Iterator[Hostile]:
    for name, template in XML_ATTACKS.items():
        yield Hostile(f"wechat-plain-{name}", wechat(_xml_attack(template)))
        yield Hostile(f"wechat-safe-{name}", wechat(b"", safe_inner=_xml_attack(template)))
    nested = "<xml>" + "<a>" * DEEP + "</a>" * DEEP + "</xml>"
    yield Hostile("wechat-plain-deep-xml", wechat(nested))
    yield Hostile("wechat-safe-deep-xml", wechat(b"", safe_inner=nested))
    for name, body in {"invalid-utf8": b"<xml><Content>\xff\xfe\xfa</Content></xml>",
                       "empty": b"", "blank": b"  \n ", "not-xml": b"hello",
                       "json": b'{"MsgType": "text"}', "nul-byte": b"<xml>\x00</xml>",
                       "oversize": b"<xml>" + b"A" * (2 * 1024 * 1024) + b"</xml>",
                       "truncated": text_xml("oHOSTILE", "hi", 1).encode()[:40]}.items():
        yield Hostile(f"wechat-body-{name}", wechat(body))
    yield Hostile("wechat-safe-invalid-utf8-inner",
                  wechat(b"", safe_inner=b"<xml><Content>\xff\xfe</Content></xml>"))
    yield from _wechat_signatures()
    yield from _wechat_fields()


def _wechat_signatures() -> Iterator[Hostile]:
    good = text_xml("oSIGNED", "你好", 42)

    def drop(name: str) -> Callable[[], dict[str, str]]:
        return lambda: {k: v for k, v in query().items() if k != name}

    for name, signed in {
        "wrong-token": lambda: query(token="notTheToken"),
        "missing-signature": drop("signature"), "missing-timestamp": drop("timestamp"),
        "missing-nonce": drop("nonce"),
        "signature-uppercase": lambda: {**(q := query()), "signature": q["signature"].upper()},
        "other-timestamp": lambda: {**query(), "timestamp": "1"},
        "aes-without-msg-signature": lambda: {**query(), "encrypt_type": "aes"},
        "no-query-at-all": dict,
    }.items():
        yield Hostile(f"wechat-sig-{name}", wechat(good, signed=signed))

    def safe(app_id: str | None = None, key: str = AES_KEY, forged: str = "") -> Any:
        def make(world: World) -> Req:
            encrypted = forged or encrypt(good, app_id or world.wechat_app_id, key)
            envelope = f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
            return Req("POST", "/wechat", params=query(encrypted=encrypted),
                       body=envelope.encode())
        return make

    yield Hostile("wechat-safe-other-app-id", safe(app_id="wxSOMEONEELSE0001"))
    yield Hostile("wechat-safe-other-aes-key", safe(key="b" * 43))
    yield Hostile("wechat-safe-not-base64", safe(forged="%%%% not base64 %%%%"))
    yield Hostile("wechat-safe-short-cipher", safe(forged="QUJD"))
    yield Hostile("wechat-verify-bad-signature", lambda w: Req(
        "GET", "/wechat", params={**query(token="x"), "echostr": "abc"}))
    yield Hostile("wechat-verify-script-echo", lambda w: Req(
        "GET", "/wechat", params={**query(), "echostr": INJECTIONS["script"]}, expect="any"))
    yield Hostile("wechat-put", lambda w: Req("PUT", "/wechat", params=query(), body=b"<xml/>"))


def _wechat_fields() -> Iterator[Hostile]:
    for name, value in INJECTIONS.items():
        yield Hostile(f"wechat-openid-{name}", wechat(text_xml(value, "你好", 77)))
        # XML cannot carry NUL: refusing that one is right; the rest is a user's text.
        yield Hostile(f"wechat-content-{name}", wechat(
            text_xml(f"oCONTENT{len(name)}", value, 7_700_000 + len(name)),
            expect="refused" if "\x00" in value else "ok"))
    for name, value in {"alpha": "abc", "negative": "-1", "exponent": "1e5",
                        "huge": "9" * 30}.items():
        xml = text_xml("oMSGID", "你好", 1).replace("<MsgId>1</MsgId>", f"<MsgId>{value}</MsgId>")
        yield Hostile(f"wechat-msgid-{name}", wechat(xml))
    yield Hostile("wechat-createtime-alpha", wechat(message_xml(
        "oTIME", "text", {"Content": "hi", "MsgId": 5}, 0).replace("<CreateTime>0<",
                                                                  "<CreateTime>abc<")))
    yield Hostile("wechat-no-msgtype", wechat(
        "<xml><FromUserName>oX</FromUserName><ToUserName>gh</ToUserName>"
        "<CreateTime>1</CreateTime></xml>"))
    yield Hostile("wechat-nested-content", wechat(
        text_xml("oNEST", "x", 8).replace("<![CDATA[x]]>", "<b><c>deep</c></b>"), expect="any"))
    for name, media in {"traversal": "../../../../etc/passwd", "url": "http://127.0.0.1:9/x",
                        "sql": "' OR 1=1 --"}.items():
        yield Hostile(f"wechat-image-mediaid-{name}", wechat(message_xml(
            "oIMAGE", "image", {"PicUrl": "http://127.0.0.1:9/p.jpg", "MediaId": media,
                                "MsgId": 9_000_000 + len(name)}), expect="ok"))
    yield Hostile("wechat-click-eventkey-script", wechat(message_xml(
        "oEVENT", "event", {"Event": "CLICK", "EventKey": INJECTIONS["script"]}), expect="ok"))


def telegram(body: bytes | dict[str, Any] | list[Any], *, secret: str | None = TELEGRAM_SECRET,
             expect: str = "refused") -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return lambda world: Req("POST", "/telegram", headers=headers, body=raw, expect=expect)


def _update(user: int = 31337, **message: Any) -> dict[str, Any]:
    base = {"message_id": 1, "date": 1_700_000_000, "text": "你好",
            "chat": {"id": user, "type": "private"},
            "from": {"id": user, "is_bot": False, "first_name": "x"}}
    return {"update_id": secrets.randbelow(10**9), "message": {**base, **message}}


def telegram_cases() -> Iterator[Hostile]:
    for name, secret in {"missing": None, "wrong": "guess", "long": "s" * 10_000,
                         "case": TELEGRAM_SECRET.upper()}.items():
        yield Hostile(f"telegram-secret-{name}", telegram(_update(), secret=secret))
    for name, body in {"not-json": b"{not json", "invalid-utf8": b'{"a": "\xff\xfe"}',
                       "empty": b"", "array": b"[]", "null": b"null", "number": b"1",
                       "oversize": b'{"x": "' + b"A" * (1024 * 1024 + 10) + b'"}'}.items():
        yield Hostile(f"telegram-body-{name}", telegram(body))
    yield Hostile("telegram-deep-arrays", telegram(b"[" * DEEP + b"]" * DEEP))
    yield Hostile("telegram-deep-objects", telegram(b'{"a":' * DEEP + b"1" + b"}" * DEEP))
    for name, update_id in {"negative": -1, "bool": True, "string": "1", "float": 1.5}.items():
        yield Hostile(f"telegram-update-id-{name}", telegram({"update_id": update_id,
                                                             "message": _update()["message"]}))
    for name, body in {
        "huge-update-id": {**_update(), "update_id": 10**30},
        "no-message": {"update_id": 5},
        "no-chat": {"update_id": 6, "message": {"message_id": 1, "date": 1, "text": "x"}},
        "text-list": _update(text=["a", "b"]), "text-object": _update(text={"a": 1}),
        "chat-id-string": _update(chat={"id": "abc", "type": "private"}),
        "no-from": {"update_id": 7, "message": {**_update()["message"], "from": None}},
        "date-string": _update(date="yesterday"),
        "entities-out-of-range": _update(entities=[{"type": "bold", "offset": 10**9,
                                                     "length": 10**9}]),
        "photo-file-id-traversal": _update(photo=[{"file_id": "../../../etc/passwd",
                                                   "file_unique_id": "u", "width": 1,
                                                   "height": 1, "file_size": 10}], text=None),
        "callback-data-traversal": {"update_id": 8, "callback_query": {
            "id": "q1", "from": {"id": 31337, "is_bot": False, "first_name": "x"},
            "chat_instance": "c", "data": "../../etc/passwd"}},
        "reply-chain": _update(reply_to_message=_chain(600)),
    }.items():
        yield Hostile(f"telegram-shape-{name}", telegram(body, expect="any"))
    for name, value in INJECTIONS.items():
        yield Hostile(f"telegram-text-{name}", telegram(_update(31_000 + len(name), text=value),
                                                        expect="ok"))


def _chain(depth: int) -> dict[str, Any]:
    message: dict[str, Any] = {"message_id": 1, "date": 1, "chat": {"id": 1, "type": "private"}}
    for n in range(depth):
        message = {"message_id": n + 2, "date": 1, "chat": {"id": 1, "type": "private"},
                   "reply_to_message": message}
    return message


def chat(path: str, body: bytes | None, *, cookie: str | None = "fresh", expect: str = "refused",
         headers: dict[str, str] | None = None, method: str = "POST", stream: bool = False
         ) -> Any:
    def make(world: World) -> Req:
        sent = dict(headers or {})
        if cookie is not None:
            sent["Cookie"] = "odr_sid=" + (secrets.token_urlsafe(24) if cookie == "fresh"
                                           else cookie)
        return Req(method, path, headers=sent, body=body, expect=expect, stream=stream)
    return make


def _send(payload: object) -> bytes:
    return json.dumps(payload).encode()


def web_cases() -> Iterator[Hostile]:
    hello = _send({"id": "a1", "text": "你好"})
    yield Hostile("web-send-no-cookie", chat("/chat/send", hello, cookie=None))
    for name, cookie in {"short": "abc", "long": "x" * 200, "semicolon": "a;b=c",
                         "sql": "' OR 1=1 --", "traversal": "../../../etc/passwd"}.items():
        yield Hostile(f"web-send-forged-cookie-{name}", chat("/chat/send", hello, cookie=cookie))
    for name, origin in {"evil": "https://evil.example", "null": "null",
                         "suffix": "http://127.0.0.1.evil.example"}.items():
        yield Hostile(f"web-send-csrf-origin-{name}",
                      chat("/chat/send", hello, headers={"Origin": origin}))
    for name, body in {"not-json": b"{not json", "invalid-utf8": b'{"id":"a","text":"\xff"}',
                       "array": b"[]", "null": b"null", "oversize": b"x" * (70 * 1024),
                       "text-list": _send({"id": "a", "text": ["x"]}),
                       "text-object": _send({"id": "a", "text": {"x": 1}}),
                       "text-null": _send({"id": "a", "text": None}),
                       "text-number": _send({"id": "a", "text": 5}),
                       "event-script": _send({"id": "a", "event": INJECTIONS["script"]})
                       }.items():
        yield Hostile(f"web-send-body-{name}", chat("/chat/send", body))
    yield Hostile("web-send-deep-arrays", chat("/chat/send", b"[" * DEEP + b"]" * DEEP))
    yield Hostile("web-send-deep-objects",
                  chat("/chat/send", b'{"a":' * DEEP + b"1" + b"}" * DEEP))
    for name, value in INJECTIONS.items():
        yield Hostile(f"web-send-id-{name}", chat("/chat/send", _send({"id": value, "text": "x"})))
        yield Hostile(f"web-send-text-{name}",
                      chat("/chat/send", _send({"id": "t1", "text": value}), expect="ok"))
    yield Hostile("web-send-subscribe-event",
                  chat("/chat/send", _send({"id": "s1", "event": "subscribe"}), expect="ok"))
    yield from _uploads()
    yield from _streams()


def _uploads() -> Iterator[Hostile]:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    yield Hostile("web-upload-no-cookie", chat("/chat/upload?id=u1", png, cookie=None))
    yield Hostile("web-upload-no-id", chat("/chat/upload", png))
    yield Hostile("web-upload-id-traversal", chat("/chat/upload?id=..%2F..%2Fevil", png))
    yield Hostile("web-upload-csrf-origin",
                  chat("/chat/upload?id=u2", png, headers={"Origin": "https://evil.example"}))
    for name, body in {"php": b"<?php system($_GET['c']); ?>",
                       "svg-script": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
                       "html": b"<html><script>alert(1)</script></html>", "empty": b"",
                       "png-over-20mb": png + b"\x00" * (20 * 1024 * 1024)}.items():
        yield Hostile(f"web-upload-{name}", chat("/chat/upload?id=u3", body))
    yield Hostile("web-upload-over-request-limit",
                  chat("/chat/upload?id=u4", png + b"\x00" * (22 * 1024 * 1024)))
    for name, body in {"png-php-polyglot": png + b"<?php system('id'); ?>",
                       "gif-script-polyglot": b"GIF89a/*<script>alert(1)</script>*/"}.items():
        yield Hostile(f"web-upload-{name}", chat("/chat/upload?id=u5", body, expect="ok"))


def _streams() -> Iterator[Hostile]:
    yield Hostile("web-events-forged-cookie",
                  chat("/chat/events", None, cookie="short", method="GET"))
    for name, query_ in {"negative": "-1", "alpha": "abc", "huge": "9" * 40,
                         "sql": seg("1; DROP TABLE outbox")}.items():
        yield Hostile(f"web-events-after-{name}", chat(
            f"/chat/events?after={query_}", None, method="GET", expect="ok", stream=True))
    yield Hostile("web-events-after-superscript-digit", chat(
        f"/chat/events?after={seg(SUPERSCRIPT)}", None, method="GET", expect="ok", stream=True))
    yield Hostile("web-events-last-event-id-sql", chat(
        "/chat/events", None, method="GET", expect="ok", stream=True,
        headers={"Last-Event-ID": "0 OR 1=1"}))
    for name, path in {"encoded-dots": "..%2Fhub.py", "double": "%2e%2e%2f%2e%2e%2fapp.py",
                       "nul": "chat.js%00.css", "absolute": "%2Fetc%2Fpasswd"}.items():
        yield Hostile(f"web-static-{name}", chat(f"/static/chat/{path}", None, method="GET",
                                                 cookie=None))
