"""The legacy systems, one sub-package each: DDL (``schema.sql``), installer, golden cases, and (later) the
mapping from their Debezium change events to canonical events.

:mod:`legacy_adapters.registry` lists the systems; :mod:`legacy_adapters.ddl` loads and describes their DDL
(the simulator imports only that). May import ``pipelines`` and nothing else of ours.
"""
