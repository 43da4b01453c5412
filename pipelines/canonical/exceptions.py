"""Errors of the canonical contract: building, validating, encoding and decoding canonical events."""

from __future__ import annotations

from pipelines.exceptions import TerminalError


class CanonicalError(TerminalError):
    """A canonical event (or one of its parts) breaks the contract. Never retryable: the input is wrong."""


class CanonicalDecodeError(CanonicalError):
    """Bytes that do not decode into a canonical event.

    ``field`` is the JSON path of the offending field (``$.data.lines[0].price``; ``$`` when the document
    itself is wrong) and ``reason`` what is wrong with it.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"canonical event field {field}: {reason}")
        self.field = field
        self.reason = reason


class InvalidKeyError(CanonicalError, ValueError):
    """An entity key, or a component for one, that does not follow the key scheme."""


class MoneyError(CanonicalError, ValueError):
    """A money amount that cannot be represented exactly in integer minor units of its currency."""


class TimeZoneError(CanonicalError, ValueError):
    """A wall-clock time that does not name one instant in its zone (DST gap or overlap) under the policy."""


class ContractViolation(CanonicalError, ValueError):
    """A canonical struct built with values the contract forbids (a non-UTC time, a key of the wrong entity).

    Raised while constructing a struct in Python; while decoding JSON the same check surfaces as
    :class:`CanonicalDecodeError`.
    """
