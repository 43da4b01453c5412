"""Fetching Kafka, the Kafka Connect runtime and the Debezium plugins with Maven, once.

``stack/pom.xml`` pins the broker and Connect side: jars land in ``<jvm_home>/lib`` (one class path for the
broker and Connect, like a Kafka distribution's ``libs/``) and ``<jvm_home>/plugins`` (Connect's
``plugin.path``). ``stack/embedded/pom.xml`` pins the embedded transport's class path, in
``<jvm_home>/embedded``. A marker per pom holding its hash makes later calls free, and a changed pom fetches
its own directories afresh (never a mix of versions), leaving the others alone.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from stack.binaries import find
from stack.exceptions import FetchError

HERE = Path(__file__).resolve().parent
DEBEZIUM_PLUGINS = ("postgres", "mysql", "mariadb", "sqlserver")


@dataclass(frozen=True)
class Bundle:
    """One pom and the directories under ``jvm_home`` it fills."""

    name: str
    pom: Path
    dirs: tuple[str, ...]

    def digest(self) -> str:
        return hashlib.sha256(self.pom.read_bytes()).hexdigest()

    def marker(self, jvm_home: Path) -> Path:
        return jvm_home / f".fetched-{self.name}"

    def is_fetched(self, jvm_home: Path) -> bool:
        marker = self.marker(jvm_home)
        return marker.exists() and marker.read_text().strip() == self.digest()

    def complete(self, jvm_home: Path) -> bool:
        if self.name == "stack":
            plugins = all(
                (jvm_home / "plugins" / f"debezium-connector-{p}").is_dir() for p in DEBEZIUM_PLUGINS
            )
            return plugins and any((jvm_home / "lib").glob("kafka_2.13-*.jar"))
        return any((jvm_home / "embedded").glob("debezium-embedded-*.jar"))


BUNDLES = (
    Bundle("stack", HERE / "pom.xml", ("lib", "plugins", "markers")),
    Bundle("embedded", HERE / "embedded" / "pom.xml", ("embedded",)),
)


def pinned_versions() -> dict[str, str]:
    """The Debezium and Kafka versions ``stack/pom.xml`` pins (what the stack and the connectors run)."""
    pom = (HERE / "pom.xml").read_text()
    found = {}
    for name, prop in (("debezium", "debezium.version"), ("kafka", "kafka.version")):
        match = re.search(rf"<{re.escape(prop)}>\s*([^<\s]+)\s*</{re.escape(prop)}>", pom)
        if match:
            found[name] = match.group(1)
    return found


def is_fetched(jvm_home: Path) -> bool:
    return all(bundle.is_fetched(jvm_home) for bundle in BUNDLES)


def embedded_classpath(jvm_home: Path) -> list[str]:
    """The jars of the embedded engine's JVM (fetched by :func:`fetch`)."""
    return sorted(str(jar) for jar in (jvm_home / "embedded").glob("*.jar"))


def fetch(jvm_home: Path, log_path: Path) -> bool:
    """Make sure the jars are present; return True if Maven had to run.

    Hazard: the first fetch downloads about 200 MB into Maven's local repository (~/.m2) and ``jvm_home``.
    A changed pom replaces its directories: do it with the stack down (running JVMs hold those jars).
    """
    stale = [bundle for bundle in BUNDLES if not bundle.is_fetched(jvm_home)]
    if not stale:
        return False
    mvn = find("mvn")
    find("java")
    jvm_home.mkdir(parents=True, exist_ok=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    for bundle in stale:
        for sub in bundle.dirs:
            shutil.rmtree(jvm_home / sub, ignore_errors=True)
        with open(log_path, "ab") as log:
            code = subprocess.run(
                [mvn, "-B", "-q", "-f", str(bundle.pom), f"-Dstack.home={jvm_home}", "package"],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                check=False,
            ).returncode
        if code != 0 or not bundle.complete(jvm_home):
            raise FetchError(f"Maven could not fetch the {bundle.name} jars (exit {code}); see {log_path}")
        bundle.marker(jvm_home).write_text(bundle.digest() + "\n")
    return True
