"""Consumer fetch settings for reading change-event topics at speed, shared by every consumer of the runtime.

librdkafka's defaults suit small messages: ``max.partition.fetch.bytes`` of 1 MiB caps what one fetch brings back
from a partition, and schema-enabled Debezium records are about 5 KB each, so a single-partition table topic
arrives a couple of hundred records per round trip. Raising the per-partition cap and the local prefetch queue (and
answering sooner when a partition is nearly idle) took the raw consume rate of the box office's seat and
transaction topics here from about 24,000-30,000 to about 224,000-230,000 seat changes/s (the raw loop of
``bench/normalizer_bench.py``, run with librdkafka's defaults and with these, 2026-11-28). The per-partition cap
stays moderate: a paused partition drops what was prefetched for it, and that is fetched again on resume (the
normalizer pauses a partition behind a parked record, and behind what a drain for a clean commit holds back only
past ``drain_hold_records`` or ``drain_hold_bytes``: below that it holds records back in memory).

Memory: up to ``queued.max.messages.kbytes`` of prefetched records per consumer (512 MiB; the normalizer's is
``KafkaNormalizerConfig.prefetch_kbytes``, ``run --prefetch-mib``).
"""

from __future__ import annotations

from typing import Final

FETCH_SETTINGS: Final[dict[str, int]] = {
    "fetch.max.bytes": 64 * 1024 * 1024,
    "max.partition.fetch.bytes": 4 * 1024 * 1024,
    "queued.max.messages.kbytes": 512 * 1024,
    "fetch.wait.max.ms": 50,
}
