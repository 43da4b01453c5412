"""Every error of the pipelines package sits under the project root and says whether to retry."""

from __future__ import annotations

import pytest

from pipelines.canonical.exceptions import (
    CanonicalDecodeError,
    CanonicalError,
    ContractViolation,
    InvalidKeyError,
    MoneyError,
    TimeZoneError,
)
from pipelines.debezium.exceptions import DebeziumError, DecodeError, UnknownLogicalTypeError
from pipelines.exceptions import InventoryCdcError, TerminalError, TransientError


@pytest.mark.parametrize(
    "error",
    [
        CanonicalDecodeError("$.data", "bad"),
        ContractViolation("x"),
        InvalidKeyError("x"),
        MoneyError("x"),
        TimeZoneError("x"),
        DecodeError("payload.op", "bad"),
        UnknownLogicalTypeError("schema.after.C", "io.example.Thing"),
    ],
)
def test_decoding_and_contract_errors_are_terminal(error: InventoryCdcError) -> None:
    assert isinstance(error, TerminalError) and isinstance(error, InventoryCdcError)
    assert error.retryable is False


def test_hierarchy() -> None:
    assert issubclass(CanonicalError, InventoryCdcError) and issubclass(DebeziumError, InventoryCdcError)
    assert TransientError.retryable is True and issubclass(TransientError, InventoryCdcError)
    assert issubclass(MoneyError, ValueError)  # usable where callers expect ValueError


def test_decode_error_message_names_everything_known() -> None:
    error = DecodeError("payload.after.X", "broken").locate(topic="t", partition=1, offset=2)
    assert str(error) == "cannot decode Debezium record field payload.after.X in t[1]@2: broken"
    assert (
        DecodeError("value", "bad", topic="t").locate(topic="other", partition=None, offset=None).topic == "t"
    )
