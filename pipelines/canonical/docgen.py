"""Render the generated reference part of `docs/canonical-events.md` from the contract itself.

The document has hand-written prose (what the stream is, keys, ids, units) and a generated reference between
two marker lines: per event type its body's fields (from the JSON Schema, descriptions included) and one JSON
example (from :mod:`pipelines.canonical.examples`). ``python -m pipelines.canonical.export`` rewrites that
region; a test fails when the checked-in document differs from what this module renders.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from pipelines.canonical.codec import encode_event
from pipelines.canonical.events import EVENT_CLASSES
from pipelines.canonical.examples import build_examples
from pipelines.canonical.jsonschema import canonical_json_schema

BEGIN: Final = "<!-- BEGIN GENERATED REFERENCE (python -m pipelines.canonical.export) -->"
END: Final = "<!-- END GENERATED REFERENCE -->"

_Defs = dict[str, dict[str, Any]]


def _ref_name(node: dict[str, Any]) -> str | None:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _type_text(node: dict[str, Any], defs: _Defs) -> str:
    name = _ref_name(node)
    if name is not None:
        return f"[{name}](#{name.lower()})"
    if "anyOf" in node:
        parts = [_type_text(option, defs) for option in node["anyOf"] if option.get("type") != "null"]
        nullable = any(option.get("type") == "null" for option in node["anyOf"])
        return " or ".join(parts) + (" or null" if nullable else "")
    if "enum" in node:
        return "one of " + ", ".join(f"`{value}`" for value in node["enum"])
    kind = node.get("type")
    if kind == "array":
        return "array of " + _type_text(node.get("items", {}), defs)
    if kind == "string" and node.get("format") == "date-time":
        return "UTC timestamp (RFC 3339)"
    if kind == "string" and "pattern" in node:
        return f"string matching `{node['pattern']}`"
    if kind == "integer" and "minimum" in node:
        return f"integer ≥ {node['minimum']}"
    return str(kind)


def _fields_table(definition: dict[str, Any], defs: _Defs, skip: frozenset[str] = frozenset()) -> list[str]:
    required = set(definition.get("required", ()))
    lines = ["| field | type | required | description |", "|---|---|---|---|"]
    for field, node in definition.get("properties", {}).items():
        if field in skip:
            continue
        description = " ".join(str(node.get("description", "")).split())
        lines.append(
            f"| `{field}` | {_type_text(node, defs)} | {'yes' if field in required else 'no'} | {description} |"
        )
    return lines


def _referenced(definition: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            name = _ref_name(node)
            if name is not None and name not in found:
                found.append(name)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(definition.get("properties", {}))
    return found


def render_reference() -> str:
    """The generated reference section (without the marker lines), ending with a newline."""
    defs: _Defs = canonical_json_schema()["$defs"]
    examples = build_examples()
    out: list[str] = ["## Event reference", ""]
    shared: list[str] = []
    for event_type, cls in EVENT_CLASSES.items():
        envelope = defs[cls.__name__]
        body_name = _ref_name(envelope["properties"]["data"])
        assert body_name is not None
        body = defs[body_name]
        state = "yes: `deleted` may be true" if cls.STATE else "no"
        out += [
            f"### `{event_type}`",
            "",
            envelope.get("description", ""),
            "",
            f"- key: `{cls.KEY_ENTITY}:...`",
            f"- state event: {state}",
            f"- body: `{body_name}`. {body.get('description', '')}",
            "",
            *_fields_table(body, defs),
            "",
            "```json",
            msgspec.json.format(encode_event(examples[event_type]), indent=2).decode(),
            "```",
            "",
        ]
        for name in _referenced(body):
            if name not in shared:
                shared.append(name)
    shared.append("Source")
    for name in shared:  # grows while iterating: the closure of everything referenced
        shared.extend(n for n in _referenced(defs[name]) if n not in shared)
    out += ["## Shared types", ""]
    for name in sorted(shared):
        definition = defs[name]
        out += [f"### {name}", "", " ".join(str(definition.get("description", "")).split()), ""]
        if "enum" in definition:
            out += ["Values: " + ", ".join(f"`{value}`" for value in definition["enum"]), ""]
        elif "anyOf" in definition:
            members = [_ref_name(option) or "" for option in definition["anyOf"]]
            out += [
                "One of " + ", ".join(f"[{m}](#{m.lower()})" for m in members) + ", tagged by `kind`.",
                "",
            ]
        else:
            out += [*_fields_table(definition, defs), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def update_document(text: str) -> str:
    """Return ``text`` with the region between the markers replaced by :func:`render_reference`."""
    start = text.index(BEGIN) + len(BEGIN)
    stop = text.index(END)
    return text[:start] + "\n" + render_reference() + text[stop:]


def extract_generated(text: str) -> str:
    """The generated region of a document (between the markers, without them)."""
    start = text.index(BEGIN) + len(BEGIN)
    return text[start : text.index(END)].lstrip("\n")
