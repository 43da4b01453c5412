"""Bodies of the CRM events: customers (personal data only as keyed hashes), presale grants, chargebacks."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from pipelines.canonical.enums import ChargebackReason, CustomerStatus
from pipelines.canonical.fieldtypes import CountryCode, NonEmptyStr, PiiHash, TimedStruct, UtcDateTime
from pipelines.canonical.inventory import CustomerId, EventId
from pipelines.canonical.money import Money


class CustomerData(TimedStruct, frozen=True, kw_only=True):
    """A buyer account. No personal value appears in clear: only keyed hashes. Body of `customer.changed`."""

    customer_id: CustomerId
    status: CustomerStatus
    verified: bool = False
    email_hash: PiiHash | None = None
    phone_hash: PiiHash | None = None
    name_hash: Annotated[
        PiiHash | None, Meta(description="Hash of given and family name joined by a space.")
    ] = None
    country: CountryCode | None = None
    preferred_language: Annotated[str | None, Meta(description="BCP 47 language tag, e.g. `fr-CA`.")] = None
    marketing_opt_in: bool = False
    created_at: UtcDateTime | None = None


class PresaleGrantData(TimedStruct, frozen=True, kw_only=True):
    """A customer's right to buy before the general on-sale. Body of `presale.granted`."""

    grant_id: NonEmptyStr
    customer_id: CustomerId
    event_id: EventId
    max_tickets: Annotated[int, Meta(ge=1)]
    valid_from: UtcDateTime
    valid_until: UtcDateTime
    fan_club_tier: Annotated[
        str | None, Meta(description="CRM fan-club tier code; null for a presale outside a fan club.")
    ] = None
    presale_code_hash: Annotated[
        PiiHash | None, Meta(description="The code to type at checkout, hashed: joins `order.placed`.")
    ] = None
    revoked: bool = False


class ChargebackData(TimedStruct, frozen=True, kw_only=True):
    """A card payment disputed by the card holder. Body of `chargeback.filed`."""

    chargeback_id: NonEmptyStr
    order_id: NonEmptyStr
    amount: Annotated[Money, Meta(description="Amount disputed; negative reverses an earlier chargeback.")]
    reason: ChargebackReason
    filed_at: UtcDateTime
    fraud_reported: Annotated[
        bool, Meta(description="The issuer reported fraud: the fraud models' label.")
    ] = False
    customer_id: CustomerId | None = None
    network_reason_code: Annotated[str | None, Meta(description="Card network's code, e.g. `10.4`.")] = None
