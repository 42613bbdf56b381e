"""The hostile-input corpus: what a case is, the world it runs in, and the checks every
answer must pass (no 5xx, no other tenant's data, no reflected script as HTML).

Cases are data built by functions of the world (references, keys and cookies exist only
once the module's site is seeded); ``corpus_chat`` and ``corpus_enterprise`` generate them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

INJECTIONS: dict[str, str] = {
    "sql-or": "' OR '1'='1",
    "sql-drop": "'; DROP TABLE complaints; --",
    "sql-union": "1 UNION SELECT consumer_phone FROM complaints --",
    "script": "<script>alert(1)</script>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "template": "{{7*7}}${7*7}<%= 7*7 %>",
    "traversal": "../../../../etc/passwd",
    "traversal-win": "..\\..\\..\\windows\\win.ini",
    "nul": "abc\x00def",
    "rtl-zero-width": "\u202e\u200b\ufeffgnp.exe",
    "emoji-flood": "😀" * 300,
    "long": "投" * 5000,
}
SUPERSCRIPT = "²"
"""A digit to ``str.isdigit`` that ``int`` refuses (numbers in queries, choices)."""
LEAK_ALWAYS = ("root:x:0:0", "Traceback (most recent call last)")
"""Never in any answer: a file read through an entity, a stack trace."""
SCRIPT_PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")


@dataclass(frozen=True)
class Tenant:
    enterprise: str
    reference: str
    api_key: str
    inbox_cookie: str
    csrf: str
    personal: tuple[str, ...]
    """The consumer's name and phone, the product and a phrase of the facts."""

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.api_key, self.inbox_cookie, self.csrf)


@dataclass(frozen=True)
class World:
    a: Tenant
    b: Tenant
    operator_cookie: str
    operator_csrf: str
    pack_a: str
    """Path and query of a valid escalation-pack link of A's complaint."""
    wechat_app_id: str

    def tenant(self, name: str) -> Tenant:
        return self.a if name == "A" else self.b


@dataclass(frozen=True)
class Req:
    method: str
    path: str
    actor: str | None = None
    """Who is asking: "A" or "B" (their staff, key or consumer link), "op", or nobody."""
    expect: str = "refused"
    """"refused" (4xx, nothing recorded), "ok" (2xx/3xx) or "any" (anything below 500)."""
    params: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    stream: bool = False
    """An event stream: only the status and headers are read."""

    def text(self) -> str:
        return " ".join([self.path, str(self.params or ""), str(self.headers),
                         (self.body or b"")[:200_000].decode("utf-8", "replace")])


@dataclass(frozen=True)
class Hostile:
    id: str
    make: Callable[[World], Req]
    bug: str | None = None
    """A known product bug this case shows (the case is a strict xfail until fixed)."""


def seg(value: str) -> str:
    """One path segment, percent-encoded so the client does not resolve ``..`` itself."""
    return quote(value, safe="")


def forbidden(world: World, req: Req) -> Iterator[str]:
    """What the answer to ``req`` must not contain: the other tenant's data and secrets
    (nobody's personal data for an anonymous caller or an operator), unless the request
    itself carried it (an echo is not a leak)."""
    sent = req.text()
    for name in ("A", "B"):
        tenant = world.tenant(name)
        if req.actor == name:
            continue
        values = [*tenant.personal, *tenant.secrets, tenant.reference]
        yield from (v for v in values if v not in sent)
    yield from LEAK_ALWAYS


def check_answer(world: World, req: Req, status: int, content_type: str, body: str) -> None:
    assert status < 500, f"{status}: {body[:300]}"
    if req.expect == "refused":
        assert 400 <= status < 500, f"expected a refusal, got {status}: {body[:300]}"
    elif req.expect == "ok":
        assert status < 400, f"expected acceptance, got {status}: {body[:300]}"
    leaked = [marker for marker in forbidden(world, req) if marker in body]
    assert not leaked, f"answer carries {leaked}"
    if "html" in content_type:
        reflected = [p for p in SCRIPT_PAYLOADS if p in body]
        assert not reflected, f"script reflected unescaped into HTML: {reflected}"
