"""Keys a run assigns itself, so that runs can share databases and a plan never depends on database state.

Every key that must be unique across runs starts with the run's *tag* (8 hex digits): order numbers
(``ORD_HDR.ORD_NO``), CRM GUIDs (customers, grants, chargebacks), hold tokens, resale listing and sale ids, and
the plus-address of e-mails. The rest of each key comes from the seeded random stream, so two runs with the same
seed differ only in their tags; :func:`normalise` replaces the tag to compare their ledgers.

Database-assigned ``AUTO_INCREMENT`` ids (``EVT_ID``, ``SEAT_ID``, ``ORD_ID``) never enter the plan: the writers map
the plan's keys to them.
"""

from __future__ import annotations

import hashlib
import random
import re
import secrets

TAG_PATTERN = re.compile(r"^[0-9A-F]{8}$")
#: what :func:`normalise` writes in place of a run's tag
NORMAL_TAG = "00000000"
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def new_tag() -> str:
    """A fresh run tag: 8 upper-case hex digits (32 random bits)."""
    return secrets.token_hex(4).upper()


class RunKeys:
    """Key factory of one run: the run's tag plus draws from the plan's seeded random stream."""

    def __init__(self, tag: str, rng: random.Random) -> None:
        if not TAG_PATTERN.match(tag):
            raise ValueError(f"a run tag is 8 upper-case hex digits, not {tag!r}")
        self.tag = tag
        self._lower = tag.lower()
        self._rng = rng

    def guid(self) -> str:
        """A CRM-style GUID (lower case, as the web shop writes them) whose first group is the run tag."""
        bits = self._rng.getrandbits(96)
        h = f"{bits:024x}"
        return f"{self._lower}-{h[0:4]}-{h[4:8]}-{h[8:12]}-{h[12:24]}"

    def order_no(self, n: int) -> str:
        """``ORD_HDR.ORD_NO`` (CHAR(12)): the tag and the run's order counter in base 36 (1.6 million per run)."""
        if not 0 <= n < 36**4:
            raise ValueError(f"order counter {n} does not fit four base-36 digits")
        digits = ""
        for _ in range(4):
            n, r = divmod(n, 36)
            digits = _BASE36[r] + digits
        return f"{self.tag}{digits}"

    def email(self, local: str, domain: str) -> str:
        """An address unique to the run (plus-addressing), e.g. ``ana.ruiz+1A2B3C4D@example.net``."""
        return f"{local}+{self.tag}@{domain}"


def sha256_hex(*parts: object) -> str:
    """sha-256 hex of the parts joined by ``|``: the shape of the IP and device hashes the systems store."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def barcode(rng: random.Random) -> str:
    """A ticket barcode (``ORD_LN.TKT_BARCODE``): 20 digits from the seeded stream."""
    return f"{rng.getrandbits(64):020d}"


def normalise(text: str, tag: str) -> str:
    """``text`` (a ledger line) with the run tag replaced by :data:`NORMAL_TAG` wherever a key starts with it.

    A key starts a JSON string (after ``"``) or an e-mail plus-address (after ``+``); random hex elsewhere is left
    alone.
    """
    return re.sub(rf'(?<=["+]){re.escape(tag)}', NORMAL_TAG, text, flags=re.IGNORECASE)
