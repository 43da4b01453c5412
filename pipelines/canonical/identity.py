"""The deterministic event id: the same source change always yields the same id.

Debezium delivers at least once, so every sink is idempotent on the canonical ``id``. The id is a UUIDv5 in
the fixed namespace :data:`ID_NAMESPACE` of a name that is the compact JSON array (no spaces, UTF-8,
non-ASCII not escaped)::

    ["v1", <type>, <system>, <database>, <schema or "">, <table>, [[<pk column>, <pk value>], ...], <position>]

* primary-key pairs are sorted by column name; values are JSON strings or integers exactly as the adapter
  read them from the row (``uniqueidentifier`` values lower-cased);
* ``<position>`` is ``["postgres", lsn]``, ``["binlog", file, pos, row]`` or
  ``["sqlserver", commit_lsn, change_lsn or "", event_serial_no or 0]`` (LSNs lower-cased);
* ``<type>`` is in the name because one row change can yield more than one canonical event (a ``SEAT_INV``
  update that both changes a seat and places a hold), and those must not collide.

A replayed change (connector restart, consumer rebalance) has the same system, table, key and position, hence
the same id. A different position (the same row changed again) gives a different id. Hazard: rows re-read by a
*new* snapshot carry the new snapshot's position and get new ids, so sinks of entity state must also
converge on ``key`` (last write wins by ``occurred_at``, then position), not only deduplicate on ``id``.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from typing import Final

import msgspec

from pipelines.canonical.enums import EventType
from pipelines.canonical.exceptions import ContractViolation
from pipelines.canonical.source import Source

#: uuid5(NAMESPACE_URL, "urn:inventory-cdc:canonical-event-id:v1")
ID_NAMESPACE: Final = uuid.UUID("5dd8bd4d-d037-5381-a93b-ded0578f5e00")
ID_RECIPE_VERSION: Final = "v1"

_encode = msgspec.json.Encoder().encode


def event_id_name(event_type: EventType | str, source: Source, primary_key: Mapping[str, str | int]) -> str:
    """The UUIDv5 name string of the recipe (exposed so other languages can test their implementation)."""
    return _name(event_type, source, primary_key).decode("utf-8")


_TYPE_NAMES: dict[str, str] = {t.value: t.value for t in EventType}
_NAMESPACE_BYTES: Final = ID_NAMESPACE.bytes


def _name(event_type: EventType | str, source: Source, primary_key: Mapping[str, str | int]) -> bytes:
    if not primary_key:
        raise ContractViolation("an event id needs the source row's primary key; got an empty mapping")
    pairs: list[list[str | int]] = []
    for column in sorted(primary_key) if len(primary_key) > 1 else primary_key:
        value = primary_key[column]
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ContractViolation(
                f"primary key value of {column!r} must be str or int for the id recipe, got {type(value).__name__}"
            )
        pairs.append([column, value])
    type_name = _TYPE_NAMES.get(event_type)
    if type_name is None:
        type_name = str(EventType(event_type))  # raises ValueError for an unknown type
    name = [
        ID_RECIPE_VERSION,
        type_name,
        source.system,
        source.database,
        source.schema or "",
        source.table,
        pairs,
        source.position.identity(),
    ]
    return _encode(name)


def derive_event_id(event_type: EventType | str, source: Source, primary_key: Mapping[str, str | int]) -> str:
    """The canonical event id (lower-case UUID string) for ``event_type`` derived from this source row change.

    Equal to ``str(uuid.uuid5(ID_NAMESPACE, event_id_name(...)))``, computed without building ``UUID`` objects
    (this runs once per canonical event).
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + _name(event_type, source, primary_key)).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
