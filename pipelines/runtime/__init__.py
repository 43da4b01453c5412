"""The normalizer runtime: raw Debezium records in, canonical events and dead letters out, whatever the transport.

:class:`~pipelines.runtime.normalizer.SystemNormalizer` drives one legacy system's adapter (decode, order,
map, set poison aside); the transports (:mod:`pipelines.transports`) feed it records and write what it
produces: Kafka topics in transactions, or DuckDB directly.
"""

from __future__ import annotations

from pipelines.runtime.deadletter import DeadLetter, decode_dead_letter, encode_dead_letter
from pipelines.runtime.normalizer import Output, Policy, SystemNormalizer
from pipelines.runtime.records import SourceRecord
from pipelines.runtime.routes import Route, Router

__all__ = [
    "DeadLetter",
    "Output",
    "Policy",
    "Route",
    "Router",
    "SourceRecord",
    "SystemNormalizer",
    "decode_dead_letter",
    "encode_dead_letter",
]
