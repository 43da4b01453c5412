"""The stack's ports lie outside the kernel's range for outgoing connections' local ports.

A port in that range can be held at any moment by some client's connection (a Kafka client's, a database
driver's), and the service meant to listen there then fails to start: a failure that comes and goes with load.
"""

from __future__ import annotations

import pytest
import yaml

from stack.process import local_port_range
from stack.settings import REPO_ROOT, StackSettings
from tests.stack.test_lifecycle import PORTS as PRIVATE_STACK_PORTS

#: below Linux's default range (32768-60999) and the IANA dynamic range (49152-65535) other systems use; a
#: machine whose range starts lower was tuned so
BELOW = 32768


def _stack_ports() -> dict[str, int]:
    defaults = {name: field.default for name, field in StackSettings.model_fields.items()}
    stack = {name: value for name, value in defaults.items() if name.endswith("_port")}
    private = {f"private {name.lower()}": value for name, value in PRIVATE_STACK_PORTS.items()}
    compose = yaml.safe_load((REPO_ROOT / "compose.yaml").read_text())
    published = {
        f"compose {name}": int(mapping.split(":")[1])
        for name, service in compose["services"].items()
        for mapping in service.get("ports", [])
    }
    return {**stack, **private, **published}


def test_the_stack_has_ports_to_check() -> None:
    ports = _stack_ports()
    services = ("postgres", "mariadb", "kafka", "kafka_controller", "connect")
    assert {f"{service}_port" for service in services} <= set(ports)
    assert len([name for name in ports if name.startswith("compose ")]) == 5


def test_no_stack_port_is_one_the_kernel_hands_to_outgoing_connections() -> None:
    kernel = local_port_range()
    if kernel is None:
        pytest.skip("no Linux local port range to compare with")
    if kernel.start < BELOW:
        pytest.skip(
            f"this machine's local port range starts at {kernel.start}: no default port can stay out of it"
        )
    inside = {name: port for name, port in _stack_ports().items() if port in kernel}
    assert inside == {}, f"inside the local port range {kernel.start}-{kernel.stop - 1}"


def test_every_stack_port_is_below_the_usual_local_port_ranges() -> None:
    above = {name: port for name, port in _stack_ports().items() if not 0 < port < BELOW}
    assert above == {}
