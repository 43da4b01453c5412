"""Card-network chargeback reason codes (Visa ``10.4``, Mastercard ``4837`` ...) to canonical reason families.

The box office (``ORD_CHGBK.RSN_CD``) and the CRM (``Chargeback.ReasonCode``) store the network's own code; the
canonical event keeps it as ``network_reason_code`` and adds the family. A code not listed here is a valid
code of a family we do not distinguish: it maps to ``other`` (not an error: networks add codes every year).
"""

from __future__ import annotations

from typing import Final

from pipelines.canonical import ChargebackReason

_VISA_FAMILIES: Final[dict[str, ChargebackReason]] = {
    "10": ChargebackReason.FRAUD,  # 10.1 - 10.5: fraud (EMV liability shift, card absent, card present ...)
}
_EXACT: Final[dict[str, ChargebackReason]] = {
    # Visa consumer disputes
    "13.1": ChargebackReason.NOT_RECEIVED,
    "13.2": ChargebackReason.CANCELLED_RECURRING,
    "13.3": ChargebackReason.NOT_AS_DESCRIBED,
    "13.5": ChargebackReason.NOT_AS_DESCRIBED,
    "12.6": ChargebackReason.DUPLICATE,
    "12.6.1": ChargebackReason.DUPLICATE,
    # Mastercard
    "4837": ChargebackReason.FRAUD,
    "4840": ChargebackReason.FRAUD,
    "4849": ChargebackReason.FRAUD,
    "4863": ChargebackReason.FRAUD,
    "4870": ChargebackReason.FRAUD,
    "4871": ChargebackReason.FRAUD,
    "4834": ChargebackReason.DUPLICATE,
    "4841": ChargebackReason.CANCELLED_RECURRING,
    "4853": ChargebackReason.NOT_AS_DESCRIBED,
    "4855": ChargebackReason.NOT_RECEIVED,
}


def chargeback_reason(network_code: str) -> ChargebackReason:
    """The reason family of a network reason code (``other`` when the code is not one we distinguish)."""
    code = network_code.strip()
    exact = _EXACT.get(code)
    if exact is not None:
        return exact
    return (
        _VISA_FAMILIES.get(code.split(".", 1)[0], ChargebackReason.OTHER)
        if "." in code
        else ChargebackReason.OTHER
    )
