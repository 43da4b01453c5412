"""The KRaft cluster id the stack formats Kafka's storage with."""

from __future__ import annotations

import base64

from stack.services.kafka import new_cluster_id


def test_kafka_cluster_ids_never_start_with_a_dash() -> None:
    """A leading dash made the storage tool read the id as an option, failing one start in 64."""
    ids = [new_cluster_id() for _ in range(5000)]
    assert not any(cid.startswith("-") for cid in ids)
    assert all(len(base64.urlsafe_b64decode(cid + "==")) == 16 for cid in ids)
