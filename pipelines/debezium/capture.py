"""The Debezium connector settings the decoder and the legacy adapters are written for, in one place.

Connectors that feed the normalizer must be registered with :func:`capture_config` for their engine, and the
runtime must decode with :data:`DECODE_OPTIONS`; the two are chosen together:

* ``decimal.handling.mode=precise``: ``DECIMAL`` / ``numeric`` / ``money`` arrive as Connect ``Decimal`` (unscaled
  bytes, the scale in the schema), decoded to exact :class:`~decimal.Decimal`. ``double`` would turn money into
  floats; ``string`` is exact too but loses the scale from the schema.
* ``time.precision.mode``: ``adaptive_time_microseconds`` for PostgreSQL and MySQL-family engines (``DATETIME``
  and ``timestamp`` at their declared precision, every ``TIME`` in microseconds), ``adaptive`` for SQL Server
  (``datetime2(7)`` keeps its 100 ns ticks as ``NanoTimestamp``; :data:`DECODE_OPTIONS` truncates the last
  digits toward the past). ``connect`` would cut everything to milliseconds.
* ``bigint.unsigned.handling.mode=precise`` (MySQL family): ``BIGINT UNSIGNED`` keys above 2**63-1 (the box
  office's ``SEAT_ID`` and ``ORD_ID`` go up to 2**64-1) arrive as exact ``Decimal`` instead of a Java ``long``
  that cannot hold them. Adapters read such columns as either ``int`` or ``Decimal``.
* ``provide.transaction.metadata=true``: BEGIN/END records on ``<prefix>.transaction`` and a ``transaction``
  block on every change; the box office assembles one ``order.placed`` from one source transaction with them.
* ``binary.handling.mode=bytes`` (base64 on the wire, ``bytes`` decoded), ``tombstones.on.delete=true`` (kept
  for log compaction; adapters ignore tombstones).

The JSON converter is the worker's default (``schemas.enable=true``, ``decimal.format=BASE64``), matching
``DecodeOptions(decimal_format="base64")``.
"""

from __future__ import annotations

from typing import Final, Literal

from pipelines.debezium.options import DecodeOptions

EngineName = Literal["postgresql", "mariadb", "mysql", "sqlserver"]

DECIMAL_HANDLING: Final = "precise"
BIGINT_UNSIGNED_HANDLING: Final = "precise"
TIME_PRECISION: Final[dict[str, str]] = {
    "postgresql": "adaptive_time_microseconds",
    "mariadb": "adaptive_time_microseconds",
    "mysql": "adaptive_time_microseconds",
    "sqlserver": "adaptive",
}

DECODE_OPTIONS: Final = DecodeOptions(decimal_format="base64", sub_microsecond="truncate")
"""How the normalizer decodes records of connectors configured with :func:`capture_config`."""


def capture_config(engine: EngineName) -> dict[str, str]:
    """The type-handling and metadata properties of a connector for ``engine`` (strings, as Connect stores them).

    Merge them into a connector config; connection, table and topic settings are the caller's.
    """
    config = {
        "decimal.handling.mode": DECIMAL_HANDLING,
        "time.precision.mode": TIME_PRECISION[engine],
        "provide.transaction.metadata": "true",
        "binary.handling.mode": "bytes",
        "tombstones.on.delete": "true",
    }
    if engine in ("mariadb", "mysql"):
        config["bigint.unsigned.handling.mode"] = BIGINT_UNSIGNED_HANDLING
    return config
