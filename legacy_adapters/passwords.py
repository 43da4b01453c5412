"""Password verifiers computed on our side, so a capture user's password never travels or lands in a server log
in clear text, and so an unchanged password can be recognised without rewriting the catalog.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata

from pydantic import SecretStr

SCRAM_ITERATIONS = 4096
_SCRAM = re.compile(r"^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$")
_NATIVE = re.compile(r"^\*[0-9A-F]{40}$")


def mysql_native_hash(password: SecretStr) -> str:
    """``mysql_native_password`` hash (``*`` + upper-case hex SHA1(SHA1(password))), as PASSWORD() returns it.

    Unsalted: equal passwords give equal hashes, which is what lets the installer skip an unchanged password.
    """
    inner = hashlib.sha1(password.get_secret_value().encode("utf-8")).digest()
    return "*" + hashlib.sha1(inner).hexdigest().upper()


def _scram_keys(password: str, salt: bytes, iterations: int) -> tuple[bytes, bytes]:
    # PostgreSQL applies SASLprep; for ASCII it is the identity, NFKC covers the usual non-ASCII cases. A
    # password it maps differently fails the installer's login check instead of failing silently.
    normalized = password if password.isascii() else unicodedata.normalize("NFKC", password)
    salted = hashlib.pbkdf2_hmac("sha256", normalized.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    return stored_key, server_key


def scram_sha256_verifier(
    password: SecretStr, *, salt: bytes | None = None, iterations: int = SCRAM_ITERATIONS
) -> str:
    """A PostgreSQL ``SCRAM-SHA-256$...`` verifier for ``password`` (RFC 5802 / 7677), random salt by default."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    stored_key, server_key = _scram_keys(password.get_secret_value(), salt, iterations)
    b64 = base64.b64encode
    return f"SCRAM-SHA-256${iterations}:{b64(salt).decode()}${b64(stored_key).decode()}:{b64(server_key).decode()}"


def scram_matches(verifier: str | None, password: SecretStr) -> bool:
    """Whether a stored verifier (``pg_authid.rolpassword``) was made from ``password``."""
    match = _SCRAM.match(verifier or "")
    if match is None:
        return False
    iterations, salt, stored, server = match.groups()
    stored_key, server_key = _scram_keys(password.get_secret_value(), base64.b64decode(salt), int(iterations))
    return hmac.compare_digest(base64.b64encode(stored_key).decode(), stored) and hmac.compare_digest(
        base64.b64encode(server_key).decode(), server
    )


def is_scram_verifier(text: str) -> bool:
    """True for a well-formed SCRAM verifier: safe to put between single quotes as it is."""
    return _SCRAM.match(text) is not None


def is_native_hash(text: str) -> bool:
    """True for a well-formed ``mysql_native_password`` hash."""
    return _NATIVE.match(text) is not None
