"""Kafka Connect config-provider references, resolved on this side only for checks against the live database.

The Connect worker resolves ``${env:NAME}``, ``${file:path:key}`` and ``${dir:path:file}`` itself; the CLI
resolves the same reference (from its own environment and files) only to log in for ``validate``, ``plan``,
``status`` and ``snapshot``. A resolved value lives in memory, is never printed, and errors name the reference,
never its value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from pydantic import SecretStr

from connectors.exceptions import SecretReferenceError

_REFERENCE = re.compile(r"^\$\{(env|file|dir):([^}]*)\}$")
_PAIR = re.compile(r"^([^=:\s]+)\s*[=:]\s*(.*)$")


def _properties(path: Path, reference: str) -> dict[str, str]:
    """A Java properties file as FileConfigProvider reads it (``key=value`` / ``key: value`` lines)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SecretReferenceError(reference, f"cannot read {path}: {exc.strerror}") from None
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#!":
            continue
        pair = _PAIR.match(line)
        if pair is not None:
            values[pair.group(1)] = pair.group(2)
    return values


def resolve(reference: str, env: Mapping[str, str]) -> SecretStr:
    """The secret ``reference`` points at, read the way the Connect worker's providers read it."""
    match = _REFERENCE.match(reference)
    if match is None:
        raise SecretReferenceError(reference, "not a ${env:...}, ${file:...:...} or ${dir:...:...} reference")
    provider, body = match.groups()
    if provider == "env":
        value = env.get(body)
        if not value:
            raise SecretReferenceError(
                reference, f"{body} is not set in this environment: export it here too"
            )
        return SecretStr(value)
    path_text, sep, key = body.rpartition(":")
    if not sep:
        raise SecretReferenceError(reference, f"{provider} references are ${{{provider}:path:key}}")
    path = Path(path_text)
    if provider == "file":
        values = _properties(path, reference)
        if key not in values:
            raise SecretReferenceError(reference, f"{path} has no key {key!r}")
        return SecretStr(values[key])
    try:
        return SecretStr((path / key).read_text(encoding="utf-8").strip())
    except OSError as exc:
        raise SecretReferenceError(reference, f"cannot read {path / key}: {exc.strerror}") from None
