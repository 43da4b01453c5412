"""Finding the system programs the stack runs, and naming the Debian package when one is missing."""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

from stack.exceptions import MissingBinaryError

#: program -> the Debian package that provides it
DEBIAN_PACKAGES: dict[str, str] = {
    "postgres": "postgresql",
    "initdb": "postgresql",
    "mariadbd": "mariadb-server",
    "mariadb-install-db": "mariadb-server",
    "java": "openjdk-17-jre-headless",
    "mvn": "maven",
}


def _postgres_bindirs() -> list[str]:
    """Debian keeps PostgreSQL's server programs out of PATH, under /usr/lib/postgresql/<major>/bin."""
    dirs = glob.glob("/usr/lib/postgresql/*/bin")
    return sorted(
        dirs, key=lambda d: int(Path(d).parent.name) if Path(d).parent.name.isdigit() else 0, reverse=True
    )


def find(binary: str) -> str:
    """Absolute path of ``binary``, or :class:`MissingBinaryError` naming the Debian package to install."""
    override = os.environ.get(f"INVENTORY_CDC_{binary.upper().replace('-', '_')}")
    if override:
        if Path(override).is_file() and os.access(override, os.X_OK):
            return override
        raise MissingBinaryError(binary, DEBIAN_PACKAGES.get(binary, binary))
    extra: list[str] = []
    if binary in ("postgres", "initdb"):
        extra = _postgres_bindirs()
    if binary in ("mariadbd", "mariadb-install-db"):
        extra = ["/usr/sbin", "/usr/bin"]
    for directory in extra:
        candidate = Path(directory) / binary
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(binary)
    if found:
        return found
    raise MissingBinaryError(binary, DEBIAN_PACKAGES.get(binary, binary))
