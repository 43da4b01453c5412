"""The legacy systems, one sub-package each: DDL (``schema.sql``), installer, golden cases, and the mapping
from their Debezium change events to canonical events (``<system>.adapter()``, a
:class:`pipelines.mapping.Adapter` the composition root hands to the normalizer).

:mod:`legacy_adapters.registry` lists the systems; :mod:`legacy_adapters.ddl` loads and describes their DDL
(the simulator imports only that); :mod:`legacy_adapters.mapping` holds what the systems' mappings share.
May import ``pipelines`` and nothing else of ours.
"""
