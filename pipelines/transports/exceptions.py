"""Errors of the transports."""

from __future__ import annotations

from pipelines.exceptions import TerminalError, TransientError


class EmbeddedEngineError(TerminalError):
    """Debezium's embedded engine stopped with an error (a connector that cannot connect, a bad config)."""

    def __init__(self, engine: str, message: str, cause: str | None = None) -> None:
        self.engine = engine
        self.message = message
        self.cause = cause
        # the root cause often repeats the message ("SomeException: <message>"): say it once
        detail = f" ({cause})" if cause and message not in cause else ""
        super().__init__(f"embedded engine {engine} failed: {message}{detail}")


class JvmError(TransientError):
    """The JVM for the embedded engine could not start, or started without Debezium on its class path."""


class KafkaTransportError(TerminalError):
    """Kafka refused something the transport needs (a topic it cannot create, a fatal producer error)."""


class FencedError(TerminalError):
    """Another normalizer took over this one's work (a newer producer epoch or group generation): stop."""
