"""Signed links: an HMAC over the path and an expiry, so a link works without a login
but cannot be forged or extended."""

from __future__ import annotations

import hashlib
import hmac


def sign(secret: str, *parts: str) -> str:
    message = "\x1f".join(parts).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, signature: str, *parts: str) -> bool:
    return hmac.compare_digest(sign(secret, *parts), signature)
