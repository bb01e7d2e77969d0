"""Password hashing: scrypt (RFC 7914) with a random salt per password, from the standard
library, at the work factor OWASP recommends (N = 2**17, r = 8, p = 1: about 128 MiB and a few
tenths of a second per check).

A stored value reads ``scrypt$<N>$<r>$<p>$<salt, base64>$<hash, base64>``, so a later, higher
work factor can be introduced without invalidating stored passwords. :func:`verify` compares in
constant time, and :func:`burn` spends the same time when there is no user to check against, so
a wrong password and an unknown user cannot be told apart by their timing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

N, R, P = 2**17, 8, 1
SALT_BYTES = 16
KEY_BYTES = 32
_MAXMEM = 256 * 1024 * 1024


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=_MAXMEM, dklen=KEY_BYTES)


def hash_password(password: str) -> str:
    """The value to store for ``password``: salted scrypt, never the password itself."""
    salt = os.urandom(SALT_BYTES)
    key = _scrypt(password, salt, N, R, P)
    b64 = base64.b64encode
    return f"scrypt${N}${R}${P}${b64(salt).decode()}${b64(key).decode()}"


def verify(password: str, stored: str) -> bool:
    """Whether ``password`` matches the stored value (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key)
        got = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


_DUMMY = None


def burn(password: str) -> bool:
    """Check ``password`` against a throw-away hash: the time of a real check; always False."""
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = hash_password(secrets.token_urlsafe(16))
    verify(password, _DUMMY)
    return False


def generate() -> str:
    """A new random password (16 URL-safe characters, about 96 bits)."""
    return secrets.token_urlsafe(12)
