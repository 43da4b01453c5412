"""Money in the canonical contract: an integer amount of the currency's minor unit plus its ISO 4217 code.

Never a float, never a decimal string: `{"amount": 1250, "currency": "EUR"}` is EUR 12.50. The minor unit is
the one ISO 4217 assigns (2 decimals for most currencies, 0 for JPY, 3 for KWD ...). Legacy sources hand
over decimals (PostgreSQL `numeric(12,2)`, SQL Server `money` with 4 decimals) or integer cents; converting a
decimal that has more significant decimals than the currency allows raises instead of rounding, because a
silently rounded price is a wrong price.
"""

from __future__ import annotations

from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from typing import Annotated

from msgspec import Meta

from pipelines.canonical.exceptions import MoneyError
from pipelines.canonical.fieldtypes import CanonicalStruct, CurrencyCode

# ISO 4217 currencies whose minor unit is not 2 decimals (the table is short; everything else has 2).
_MINOR_UNIT_EXCEPTIONS: dict[str, int] = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0,
    "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4,
}  # fmt: skip
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


def minor_unit_exponent(currency: str) -> int:
    """Number of decimals of ``currency``'s minor unit per ISO 4217 (2 unless the currency is an exception)."""
    return _MINOR_UNIT_EXCEPTIONS.get(currency, 2)


class Money(CanonicalStruct, frozen=True, kw_only=True):
    """An exact amount of money: integer minor units (cents for EUR/USD) and the ISO 4217 currency."""

    amount: Annotated[int, Meta(description="Amount in minor units of `currency` (EUR 12.50 is 1250).")]
    currency: CurrencyCode

    @classmethod
    def from_decimal(cls, value: Decimal, currency: str) -> Money:
        """Convert a decimal major-unit amount (``Decimal("12.50")``) exactly, or raise :class:`MoneyError`.

        Trailing zeros beyond the minor unit are fine (SQL Server ``money`` ``12.5000``); non-zero digits there
        are not (``12.505`` EUR) and raise rather than round.
        """
        if not value.is_finite():
            raise MoneyError(f"{value} {currency} is not a finite amount")
        exponent = minor_unit_exponent(currency)
        scaled = value.scaleb(exponent, _EXACT)
        integral = scaled.to_integral_value(context=_EXACT)
        if scaled != integral:
            raise MoneyError(
                f"{value} {currency} has more decimals than the currency's minor unit ({exponent}); refusing to round"
            )
        return cls(amount=int(integral), currency=currency)

    def to_decimal(self) -> Decimal:
        """The amount in major units with the currency's number of decimals (``Decimal("12.50")``)."""
        return Decimal(self.amount).scaleb(-minor_unit_exponent(self.currency), _EXACT)
