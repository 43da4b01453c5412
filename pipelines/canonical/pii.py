"""Personal data in the canonical stream exists only as keyed hashes.

A plain SHA-256 of an e-mail address is not anonymous: anyone with a list of addresses can hash the list and
join. Canonical PII hashes are therefore ``HMAC-SHA256(pepper, normalized value)`` in lower-case hex. The
pepper is a secret of at least 16 bytes that the composition root reads from the environment and hands in; it
is never part of an event, a log line or a committed file. Equal values hash equal under one pepper, so fraud
models can still join "same e-mail" across systems. Rotating the pepper breaks that join for old events:
rotate only with a re-keyed backfill.

Normalization before hashing, so cosmetic differences do not split one person in two:

* e-mail: surrounding whitespace removed, Unicode NFKC, case-folded;
* phone: only the digits are kept (``+43 (1) 234-56`` and ``43123456`` hash equal);
* name: NFKC, case-folded, runs of whitespace collapsed to one space, trimmed;
* identifier (client IP, device fingerprint, presale code): NFKC, trimmed, case-folded. Sources that store
  an unkeyed SHA-256 of the IP or device are hashed again under the pepper, so all systems' values join.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from typing import Literal

from pipelines.canonical.exceptions import ContractViolation

PiiKind = Literal["email", "phone", "name", "identifier"]

MIN_PEPPER_BYTES = 16


def normalize_pii(value: str, kind: PiiKind) -> str:
    """Normalize ``value`` the way :func:`pii_hash` does before hashing (see the module docstring)."""
    text = unicodedata.normalize("NFKC", value)
    if kind == "email":
        return text.strip().casefold()
    if kind == "phone":
        return "".join(c for c in text if c.isdigit())
    if kind == "identifier":
        return text.strip().casefold()
    return " ".join(text.casefold().split())


def pii_hash(value: str, *, kind: PiiKind, pepper: bytes) -> str:
    """Keyed hash (hex HMAC-SHA256) of the normalized ``value``.

    Raises :class:`ContractViolation` for a pepper shorter than 16 bytes or a value that normalizes to nothing
    (an empty e-mail is "no e-mail": store ``None`` instead of hashing it).
    """
    if len(pepper) < MIN_PEPPER_BYTES:
        raise ContractViolation(f"the PII pepper must be at least {MIN_PEPPER_BYTES} bytes")
    normalized = normalize_pii(value, kind)
    if not normalized:
        raise ContractViolation(f"{kind} value is empty after normalization; use None for a missing value")
    return hmac.new(pepper, normalized.encode("utf-8"), hashlib.sha256).hexdigest()
