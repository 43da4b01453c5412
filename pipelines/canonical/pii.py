"""Personal data in the canonical stream exists only as keyed hashes.

A plain SHA-256 of an e-mail address is not anonymous: anyone with a list of addresses can hash the list and
join (an unkeyed SHA-256 of an IPv4 address is reversed by hashing all 2^32 addresses). Canonical PII hashes
are therefore HMAC-SHA256 under a secret pepper, in lower-case hex (64 digits). The pepper is a secret of at
least 16 bytes that the composition root reads from the environment and hands in; it is never part of an
event, a log line or a committed file. Equal values hash equal under one pepper, so fraud models can still
join "same e-mail" across systems. Rotating the pepper breaks that join for old events: rotate only with a
re-keyed backfill.

What is hashed depends on what the source gives us:

* a value in clear (:func:`pii_hash`): ``HMAC-SHA256(pepper, UTF-8 of the normalized value)``;
* a digest the source stored or the connector made (:func:`rekey_digest`): an unkeyed SHA-256 of the IP or
  device, or Debezium's salted ``column.mask.hash`` (its salt sits in Connect's config: not a secret), is
  hashed again, ``HMAC-SHA256(pepper, 0xFF || "digest:" || lower-case hex digest)``. So all systems' digests
  of one value join, and nobody without the pepper can test a guess against them. The ``0xFF`` byte never
  occurs in UTF-8, so a re-keyed digest can never equal the hash of any clear value. A re-keyed digest joins
  only digests made the same way (same algorithm, same salt, same width when the connector shortened it); a
  system that holds the clear value joins them by computing that digest first and re-keying it.

Normalization of clear values before hashing, so cosmetic differences do not split one person in two
(digests are taken as they are, only lower-cased: a source hashed whatever it hashed):

* e-mail: surrounding whitespace removed, Unicode NFKC, case-folded;
* phone: only the digits are kept (``+43 (1) 234-56`` and ``43123456`` hash equal);
* name: NFKC, case-folded, runs of whitespace collapsed to one space, trimmed;
* identifier (client IP, device fingerprint, presale code): NFKC, trimmed, case-folded.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from typing import Final, Literal

from pipelines.canonical.exceptions import ContractViolation

PiiKind = Literal["email", "phone", "name", "identifier"]

MIN_PEPPER_BYTES = 16
#: prefix of a re-keyed digest: 0xFF never occurs in UTF-8, so no clear value hashes the same bytes
DIGEST_PREFIX = b"\xffdigest:"

_HEX: Final = re.compile(r"[0-9a-f]{1,64}")


def _check_pepper(pepper: bytes) -> None:
    if len(pepper) < MIN_PEPPER_BYTES:
        raise ContractViolation(f"the PII pepper must be at least {MIN_PEPPER_BYTES} bytes")


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
    _check_pepper(pepper)
    normalized = normalize_pii(value, kind)
    if not normalized:
        raise ContractViolation(f"{kind} value is empty after normalization; use None for a missing value")
    return hmac.new(pepper, normalized.encode("utf-8"), hashlib.sha256).hexdigest()


def rekey_digest(digest: str, *, pepper: bytes) -> str:
    """Keyed hash (hex HMAC-SHA256) of a stored digest: ``HMAC(pepper, 0xFF || "digest:" || digest)``.

    ``digest`` is hex (either case; lower-cased first, up to the 64 digits of SHA-256). Raises
    :class:`ContractViolation` for a pepper shorter than 16 bytes or a ``digest`` that is not hex, without
    echoing it (it may be the clear personal value). Callers decide which digest lengths they accept.
    """
    _check_pepper(pepper)
    normalized = digest.lower()
    if not _HEX.fullmatch(normalized):
        raise ContractViolation("a digest to re-key must be 1 to 64 hex digits (value withheld)")
    return hmac.new(pepper, DIGEST_PREFIX + normalized.encode("ascii"), hashlib.sha256).hexdigest()
