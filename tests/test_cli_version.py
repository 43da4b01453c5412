"""`inventory-cdc --version`: the package's version and the Debezium and Kafka versions the stack pins."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib.metadata import version

from stack.settings import REPO_ROOT

POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}


def _pom_property(name: str) -> str:
    found = ET.parse(REPO_ROOT / "stack" / "pom.xml").getroot().find(f"m:properties/m:{name}", POM_NS)
    assert found is not None and found.text, name
    return found.text.strip()


def test_version_names_the_package_and_the_pinned_debezium_and_kafka() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cli", "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    debezium, kafka = _pom_property("debezium.version"), _pom_property("kafka.version")
    assert result.stdout == f"inventory-cdc {version('inventory-cdc')} (Debezium {debezium}, Kafka {kafka})\n"
    assert debezium.endswith(".Final") and kafka[0].isdigit()
