"""Hostile input for the enterprise and operator side: the web inbox (/inbox…), the JSON
API (/api/v1…), the regulator dashboard (/admin…) and escalation packs (/pack/…).

A is 鑫汇 (as-xinhui), B is 万象城 (as-wanxiang): each case acts as one of them, as the
operator or as nobody, and must see nothing of the other."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from urllib.parse import urlencode

from tests.reliability.corpus import INJECTIONS, SUPERSCRIPT, Hostile, Req, World, seg
from tests.reliability.corpus_chat import DEEP

Path = Callable[[World], str]
SOME = {k: INJECTIONS[k] for k in ("sql-or", "script", "traversal")}
CALENDAR = {"year-1": {"from": "0001-01-01"},
            "year-9999": {"from": "9999-12-01", "to": "9999-12-31"},
            "garbage": {"from": "x", "to": "<script>"}}
"""Period filters at the edges of the calendar (datetime arithmetic overflows there)."""


def inbox(method: str, path: Path, *, actor: str | None = "A",
          form: dict[str, str] | None = None, csrf: str | None = "own",
          cookie: str | None = None, headers: dict[str, str] | None = None,
          params: dict[str, str] | None = None, body: bytes | None = None,
          expect: str = "refused", stream: bool = False) -> Callable[[World], Req]:
    def make(world: World) -> Req:
        sent = dict(headers or {})
        jar = cookie if cookie is not None else (
            world.tenant(actor).inbox_cookie if actor in ("A", "B") else None)
        if jar is not None:
            sent["Cookie"] = f"odr_inbox={jar}"
        raw = body
        if form is not None:
            fields = dict(form)
            if csrf is not None and actor in ("A", "B"):
                other = "B" if actor == "A" else "A"
                fields["csrf"] = world.tenant(actor if csrf == "own" else other).csrf
            raw = urlencode(fields).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        return Req(method, path(world), actor=actor, params=params, headers=sent, body=raw,
                   expect=expect, stream=stream)
    return make


def ref_a(world: World) -> str:
    return world.a.reference


def ref_b(world: World) -> str:
    return world.b.reference


def inbox_cases() -> Iterator[Hostile]:
    pages: dict[str, Path] = {
        "list": lambda w: "/inbox", "case": lambda w: f"/inbox/cases/{w.a.reference}",
        "stats": lambda w: "/inbox/stats", "csv": lambda w: "/inbox/stats.csv",
        "events": lambda w: "/inbox/events",
        "evidence": lambda w: f"/inbox/cases/{w.a.reference}/evidence/0"}
    for name, path in pages.items():
        yield Hostile(f"inbox-anonymous-{name}", inbox("GET", path, actor=None))
        yield Hostile(f"inbox-forged-cookie-{name}", inbox(
            "GET", path, actor=None, cookie=secrets.token_urlsafe(32)))
    yield Hostile("inbox-sql-cookie", inbox("GET", pages["list"], actor=None,
                                            cookie="x' OR '1'='1"))
    yield Hostile("inbox-anonymous-reply", inbox(
        "POST", lambda w: f"/inbox/cases/{w.a.reference}/reply", actor=None,
        form={"text": "hi"}))
    for actor, mine, theirs in (("A", ref_a, ref_b), ("B", ref_b, ref_a)):
        yield from _cross_tenant(actor, mine, theirs)
    for name, value in INJECTIONS.items():
        yield Hostile(f"inbox-case-ref-{name}", inbox("GET", lambda w, v=value:
                                                       f"/inbox/cases/{seg(v)}"))
        yield Hostile(f"inbox-search-{name}", inbox("GET", pages["list"], params={"q": value},
                                                    expect="any"))
    for field in ("state", "due", "category", "page"):
        for name, value in SOME.items():
            yield Hostile(f"inbox-filter-{field}-{name}", inbox(
                "GET", pages["list"], params={field: value}, expect="ok"))
    for name, params in CALENDAR.items():
        yield Hostile(f"inbox-stats-{name}", inbox("GET", pages["stats"], params=params,
                                                   expect="ok"))
        yield Hostile(f"inbox-csv-{name}", inbox("GET", pages["csv"], params=params,
                                                 expect="ok"))
    yield Hostile("inbox-events-after-alpha", inbox(
        "GET", pages["events"], params={"after": "abc"}, expect="ok", stream=True))
    yield Hostile("inbox-events-after-superscript-digit", inbox(
        "GET", pages["events"], params={"after": SUPERSCRIPT}, expect="ok", stream=True))
    yield Hostile("inbox-page-superscript-digit", inbox(
        "GET", pages["list"], params={"page": SUPERSCRIPT}, expect="ok"))
    yield from _sign_in()


def _cross_tenant(actor: str, mine: Path, theirs: Path) -> Iterator[Hostile]:
    """Staff of one enterprise at the other's case, and forged requests at their own."""
    for name, suffix in {"page": "", "evidence": "/evidence/0", "photo": "/thread/0/photo"
                         }.items():
        yield Hostile(f"inbox-{actor}-other-tenant-{name}", inbox(
            "GET", lambda w, s=suffix: f"/inbox/cases/{theirs(w)}{s}", actor=actor))
    for action in ("accept", "reply", "propose", "refuse", "settle"):
        yield Hostile(f"inbox-{actor}-other-tenant-{action}", inbox(
            "POST", lambda w, a=action: f"/inbox/cases/{theirs(w)}/{a}", actor=actor,
            form={"text": "越权操作"}, headers={"Accept": "application/json"}))
    reply: Path = lambda w: f"/inbox/cases/{mine(w)}/reply"  # noqa: E731
    yield Hostile(f"inbox-{actor}-csrf-of-other-tenant", inbox(
        "POST", reply, actor=actor, form={"text": "x"}, csrf="other"))
    yield Hostile(f"inbox-{actor}-csrf-missing", inbox("POST", reply, actor=actor,
                                                       form={"text": "x"}, csrf=None))
    yield Hostile(f"inbox-{actor}-csrf-cross-origin", inbox(
        "POST", reply, actor=actor, form={"text": "x"}, headers={"Origin": "https://evil.example"}))
    yield Hostile(f"inbox-{actor}-unknown-action", inbox(
        "POST", lambda w: f"/inbox/cases/{mine(w)}/delete", actor=actor, form={"text": "x"}))
    yield Hostile(f"inbox-{actor}-form-oversize", inbox(
        "POST", reply, actor=actor, form={"text": "x" * (70 * 1024)}))
    yield Hostile(f"inbox-{actor}-form-invalid-utf8", inbox(
        "POST", reply, actor=actor, body=b"csrf=\xff\xfe&text=\xff",
        headers={"Content-Type": "application/x-www-form-urlencoded"}))
    yield Hostile(f"inbox-{actor}-photo-index-huge", inbox(
        "GET", lambda w: f"/inbox/cases/{mine(w)}/thread/99999/photo", actor=actor))


def _sign_in() -> Iterator[Hostile]:
    for name, value in SOME.items():
        yield Hostile(f"inbox-login-page-token-{name}", inbox(
            "GET", lambda w: "/inbox/login", actor=None, params={"token": value}, expect="any"))
        yield Hostile(f"inbox-login-post-token-{name}", inbox(
            "POST", lambda w: "/inbox/login", actor=None, form={"token": value, "csrf": "x"}))
    # The sign-in form's nonce is a cookie the caller can set itself: these reach the check.
    for name, staff_id in (("sql", "1 OR 1=1"), ("digit-sql-password", "1"),
                           ("superscript-digit", SUPERSCRIPT)):
        yield Hostile(f"inbox-login-staff-id-{name}", inbox(
            "POST", lambda w: "/inbox/login", actor=None,
            headers={"Cookie": "odr_inbox_login=n0nce-n0nce"},
            form={"staff_id": staff_id, "password": "' OR ''='", "csrf": "n0nce-n0nce"}))


def api(method: str, path: Path, *, actor: str | None = "A", auth: str | None = None,
        body: bytes | None = None, params: dict[str, str] | None = None,
        expect: str = "refused") -> Callable[[World], Req]:
    def make(world: World) -> Req:
        headers = {"Content-Type": "application/json"}
        if auth is not None:
            headers["Authorization"] = auth
        elif actor in ("A", "B"):
            headers["Authorization"] = f"Bearer {world.tenant(actor).api_key}"
        return Req(method, "/api/v1" + path(world), actor=actor, params=params,
                   headers=headers, body=body, expect=expect)
    return make


def api_cases() -> Iterator[Hostile]:
    listing: Path = lambda w: "/complaints"  # noqa: E731
    for name, auth in {"missing": None, "wrong": "Bearer odr_" + "x" * 40, "empty": "Bearer ",
                       "long": "Bearer " + "k" * 10_000, "sql": "Bearer ' OR '1'='1",
                       "scheme-only": "Bearer"}.items():
        yield Hostile(f"api-auth-{name}", api("GET", listing, actor=None, auth=auth))
    yield Hostile("api-auth-basic-with-key", lambda w: api(
        "GET", listing, actor=None, auth=f"Basic {w.a.api_key}")(w))
    yield Hostile("api-auth-lowercase-scheme", lambda w: api(
        "GET", listing, auth=f"bearer {w.a.api_key}", expect="ok")(w))
    for actor, theirs in (("A", ref_b), ("B", ref_a)):
        yield Hostile(f"api-{actor}-other-tenant-read", api(
            "GET", lambda w, t=theirs: f"/complaints/{t(w)}", actor=actor))
        for action in ("accept", "messages", "propose", "refuse", "settle"):
            yield Hostile(f"api-{actor}-other-tenant-{action}", api(
                "POST", lambda w, t=theirs, a=action: f"/complaints/{t(w)}/{a}", actor=actor,
                body=b'{"text": "\\u8d8a\\u6743"}'))
    for name, value in INJECTIONS.items():
        yield Hostile(f"api-ref-{name}", api("GET", lambda w, v=value: f"/complaints/{seg(v)}"))
        yield Hostile(f"api-search-{name}", api("GET", listing, params={"q": value},
                                                expect="any"))
    for name, params in {"status": {"status": "<script>"}, "category": {"category": "' OR 1"},
                         "limit-negative": {"limit": "-1"}, "limit-alpha": {"limit": "abc"},
                         "limit-huge": {"limit": "9" * 30}, "offset-huge": {"offset": "9" * 30},
                         }.items():
        yield Hostile(f"api-list-{name}", api("GET", listing, params=params))
    for name in ("limit", "offset"):
        yield Hostile(f"api-list-{name}-superscript-digit", api(
            "GET", listing, params={name: SUPERSCRIPT}))
    yield from _api_bodies()


def _api_bodies() -> Iterator[Hostile]:
    messages: Path = lambda w: f"/complaints/{w.a.reference}/messages"  # noqa: E731
    for name, body in {"not-json": b"{nope", "invalid-utf8": b'{"text": "\xff\xfe"}',
                       "array": b"[]", "text-number": b'{"text": 5}',
                       "text-blank": b'{"text": " "}',
                       "oversize": b'{"text": "' + b"x" * (70 * 1024) + b'"}',
                       "text-too-long": b'{"text": "' + b"x" * 20_000 + b'"}'}.items():
        yield Hostile(f"api-messages-{name}", api("POST", messages, body=body))
    yield Hostile("api-messages-deep-arrays", api("POST", messages,
                                                  body=b"[" * DEEP + b"]" * DEEP))
    yield Hostile("api-messages-deep-objects", api(
        "POST", messages, body=b'{"a":' * DEEP + b"1" + b"}" * DEEP))
    yield Hostile("api-delete-complaint", api("DELETE", lambda w: f"/complaints/{w.a.reference}"))
    yield Hostile("api-put-list", api("PUT", lambda w: "/complaints"))
    yield Hostile("api-path-traversal", api("GET", lambda w: "/%2E%2E/%2E%2E/etc/passwd"))


def admin(path: str, *, actor: str | None = "op", cookie: str | None = None,
          params: dict[str, str] | None = None, form: dict[str, str] | None = None,
          expect: str = "refused") -> Callable[[World], Req]:
    def make(world: World) -> Req:
        jar = cookie if cookie is not None else (world.operator_cookie if actor == "op" else None)
        headers = {"Cookie": f"odr_admin={jar}"} if jar is not None else {}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return Req("POST" if form is not None else "GET", path, actor=actor, params=params,
                   headers=headers, body=body, expect=expect)
    return make


def admin_cases() -> Iterator[Hostile]:
    yield Hostile("admin-anonymous", admin("/admin", actor=None))
    yield Hostile("admin-forged-cookie", admin("/admin", actor=None,
                                               cookie=secrets.token_urlsafe(32)))
    yield Hostile("admin-sql-cookie", admin("/admin", actor=None, cookie="' OR '1'='1"))
    yield Hostile("admin-anonymous-export", admin("/admin/export.csv", actor=None))
    for name, value in SOME.items():
        yield Hostile(f"admin-login-token-{name}", admin("/admin/login", actor=None,
                                                         params={"token": value}))
        filters = {"from": value, "to": value, "district": value}
        yield Hostile(f"admin-filters-{name}", admin("/admin", params=filters, expect="ok"))
        yield Hostile(f"admin-export-{name}", admin("/admin/export.csv", params=filters,
                                                    expect="ok"))
    for name, params in CALENDAR.items():
        yield Hostile(f"admin-period-{name}", admin("/admin", params=params, expect="ok"))
        yield Hostile(f"admin-export-period-{name}", admin("/admin/export.csv", params=params,
                                                           expect="ok"))
    yield Hostile("admin-logout-wrong-csrf", admin("/admin/logout", form={"csrf": "guess"}))


def pack_cases() -> Iterator[Hostile]:
    def link(change: Callable[[str, dict[str, str]], tuple[str, dict[str, str]]],
             actor: str | None = None, expect: str = "refused") -> Callable[[World], Req]:
        def make(world: World) -> Req:
            path, _, query = world.pack_a.partition("?")
            params = dict(p.split("=", 1) for p in query.split("&"))
            path, params = change(path, params)
            return Req("GET", path, actor=actor, params=params, expect=expect)
        return make

    yield Hostile("pack-valid-link", link(lambda p, q: (p, q), actor="A", expect="ok"))
    yield Hostile("pack-no-signature", link(lambda p, q: (p, {"exp": q["exp"]})))
    yield Hostile("pack-forged-signature", link(lambda p, q: (p, {**q, "sig": "0" * 64})))
    yield Hostile("pack-exp-alpha", link(lambda p, q: (p, {**q, "exp": "never"})))
    yield Hostile("pack-exp-superscript-digit", link(lambda p, q: (p, {**q, "exp": SUPERSCRIPT})))
    yield Hostile("pack-exp-extended", link(lambda p, q: (p, {**q, "exp": "9" * 12})))
    yield Hostile("pack-signature-of-other-case", lambda w: link(
        lambda p, q: (f"/pack/{w.b.reference}", q))(w))
    for name, value in INJECTIONS.items():
        yield Hostile(f"pack-ref-{name}", link(lambda p, q, v=value: (f"/pack/{seg(v)}", q)))


def corpus_enterprise() -> Iterator[Hostile]:
    yield from inbox_cases()
    yield from api_cases()
    yield from admin_cases()
    yield from pack_cases()

