"""Fetching Kafka, the Kafka Connect runtime and the Debezium plugins with Maven, once.

``stack/pom.xml`` pins every version. The jars land in ``<jvm_home>/lib`` (one class path for the broker and
Connect, like a Kafka distribution's ``libs/``) and ``<jvm_home>/plugins`` (Connect's ``plugin.path``). A marker
holding the pom's hash makes later calls free, and a changed pom fetch afresh (never a mix of versions).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from stack.binaries import find
from stack.exceptions import FetchError

POM = Path(__file__).resolve().parent / "pom.xml"
DEBEZIUM_PLUGINS = ("postgres", "mysql", "mariadb", "sqlserver")


def _pom_digest() -> str:
    return hashlib.sha256(POM.read_bytes()).hexdigest()


def is_fetched(jvm_home: Path) -> bool:
    marker = jvm_home / ".fetched"
    return marker.exists() and marker.read_text().strip() == _pom_digest()


def fetch(jvm_home: Path, log_path: Path) -> bool:
    """Make sure the jars are present; return True if Maven had to run.

    Hazard: the first fetch downloads about 160 MB into Maven's local repository (~/.m2) and ``jvm_home``.
    """
    if is_fetched(jvm_home):
        return False
    mvn = find("mvn")
    find("java")
    for sub in ("lib", "plugins", "markers"):
        shutil.rmtree(jvm_home / sub, ignore_errors=True)
    jvm_home.mkdir(parents=True, exist_ok=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        result = subprocess.run(
            [mvn, "-B", "-q", "-f", str(POM), f"-Dstack.home={jvm_home}", "package"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    missing = [p for p in DEBEZIUM_PLUGINS if not (jvm_home / "plugins" / f"debezium-connector-{p}").is_dir()]
    if result.returncode != 0 or missing or not any((jvm_home / "lib").glob("kafka_2.13-*.jar")):
        raise FetchError(f"Maven could not fetch the stack's jars (exit {result.returncode}); see {log_path}")
    (jvm_home / ".fetched").write_text(_pom_digest() + "\n")
    return True
