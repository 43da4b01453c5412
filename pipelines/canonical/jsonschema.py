"""The canonical contract as JSON Schema, for consumers outside Python.

The schema is generated from the msgspec structs (:func:`canonical_json_schema`) and checked in at
``pipelines/canonical/schema/inventory-canonical-v1.schema.json``; a test fails when the two differ, and
``python -m pipelines.canonical.export`` rewrites the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import msgspec

from pipelines.canonical.events import SCHEMA_VERSION, CanonicalEvent

SCHEMA_ID: Final = f"urn:inventory-cdc:canonical:v{SCHEMA_VERSION}"
SCHEMA_FILE: Final = Path(__file__).parent / "schema" / f"inventory-canonical-v{SCHEMA_VERSION}.schema.json"


def canonical_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one canonical event: a discriminated union on ``type``."""
    generated = msgspec.json.schema(CanonicalEvent)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"inventory-cdc canonical inventory event, contract v{SCHEMA_VERSION}",
        "description": (
            "One change of ticketing inventory derived from a legacy system's change log. "
            "Money is integer minor units plus an ISO 4217 currency; times are UTC; `id` is deterministic."
        ),
        **generated,
    }


def render_json_schema() -> bytes:
    """The schema file's exact bytes: pretty-printed with two-space indents and a trailing newline."""
    return msgspec.json.format(msgspec.json.encode(canonical_json_schema()), indent=2) + b"\n"
