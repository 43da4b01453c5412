"""Which legacy system a topic belongs to: routes by topic prefix, handed over by the composition root.

The runtime imports no adapter by name: a :class:`Route` carries a factory, so a transport can build a fresh
adapter whenever it must forget state (a rebalance, a restart from committed offsets).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from pipelines.mapping import Adapter


@dataclass(frozen=True)
class Route:
    """One legacy system as the runtime sees it: topic prefix, table topics and an adapter factory.

    ``topics`` are the table topics of the connector (every captured table, ignored ones included: a
    transaction's END counts their changes too). The transaction topic is ``<prefix>.transaction``.
    """

    system: str
    prefix: str
    topics: tuple[str, ...]
    adapter_factory: Callable[[], Adapter]
    needs_transactions: bool = field(default=False)

    @property
    def transaction_topic(self) -> str:
        return f"{self.prefix}.transaction"

    def all_topics(self) -> tuple[str, ...]:
        """Every topic the normalizer must read for this system (the transaction topic when needed)."""
        return (*self.topics, self.transaction_topic) if self.needs_transactions else self.topics


def route(system: str, prefix: str, topics: Sequence[str], adapter_factory: Callable[[], Adapter]) -> Route:
    """A route whose ``needs_transactions`` is read from a throwaway adapter built by ``adapter_factory``."""
    probe = adapter_factory()
    return Route(system, prefix, tuple(topics), adapter_factory, bool(probe.needs_transactions))


class Router:
    """Finds the route of a topic: exact table or transaction topic first, else the longest ``prefix.``."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = {r.system: r for r in routes}
        self._exact: dict[str, Route] = {}
        for r in self.routes.values():
            for topic in r.all_topics():
                self._exact[topic] = r
        self._prefixes = sorted(self.routes.values(), key=lambda r: -len(r.prefix))

    def __call__(self, topic: str) -> Route | None:
        found = self._exact.get(topic)
        if found is not None:
            return found
        for r in self._prefixes:
            if topic.startswith(r.prefix + "."):
                return r
        return None
