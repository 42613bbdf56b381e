"""Staff passwords, hashed with scrypt and a random salt (``odrbot staff password``).

Stored as ``scrypt$n$r$p$salt$hash`` (base64), so the cost can be raised later while old
hashes still verify. scrypt takes tens of milliseconds on purpose: call it off the loop.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

N, R, P = 2**14, 8, 1
MIN_LENGTH = 8


class WeakPassword(ValueError):
    pass


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters")
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return "$".join(("scrypt", str(N), str(R), str(P), _b64(salt), _b64(key)))


def verify_password(password: str, stored: str | None) -> bool:
    """Constant-time check; an unset or malformed hash never verifies (but costs the same
    time, so a missing account is not told apart by timing)."""
    try:
        scheme, n, r, p, salt, key = (stored or "").split("$")
        if scheme != "scrypt":
            raise ValueError(scheme)
        expected = base64.b64decode(key)
        salt_bytes = base64.b64decode(salt)
        cost = (int(n), int(r), int(p))
    except ValueError:
        hashlib.scrypt(password.encode(), salt=b"0" * 16, n=N, r=R, p=P, dklen=32)
        return False
    got = hashlib.scrypt(password.encode(), salt=salt_bytes, n=cost[0], r=cost[1], p=cost[2],
                         dklen=len(expected))
    return hmac.compare_digest(got, expected)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
