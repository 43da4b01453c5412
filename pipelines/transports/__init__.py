"""Transports: how change records reach the normalizer (Kafka topics, or Debezium's embedded engine)."""
