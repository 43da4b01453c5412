"""The runtime's composition: connector specs become routes (topics + adapter factories) and engine configs.

Secrets: the PII pepper comes from ``INVENTORY_CDC_PII_PEPPER`` or, on the local stack, from
``<stack home>/pii-pepper`` (generated once, mode 0600); the PII salt and the capture password the same way
``inventory-cdc connectors`` finds them. Resolved values live in memory only (the embedded engine has no
config providers); nothing here prints or writes them.
"""

from __future__ import annotations

import importlib
import os
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path

from cli.errors import fail
from connectors.loader import builtin_specs, load_spec
from connectors.references import resolve
from connectors.render import render, table_topic
from connectors.spec import ConnectorSpec
from legacy_adapters.registry import SYSTEMS
from pipelines.debezium.capture import capture_config
from pipelines.mapping import Adapter
from pipelines.runtime.routes import Route
from pipelines.transports.embedded import engine_properties
from stack.settings import StackSecrets, StackSettings

PEPPER_ENV = "INVENTORY_CDC_PII_PEPPER"


def pepper(settings: StackSettings) -> bytes:
    """The PII pepper (see the module docstring)."""
    value = os.environ.get(PEPPER_ENV)
    if value:
        return value.encode()
    path = settings.home / "pii-pepper"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(32))
    return path.read_text().strip().encode()


def specs(names: Sequence[str] | None) -> list[ConnectorSpec]:
    """Specs by builtin name or YAML path; default: every builtin system that runs on this machine."""
    shipped = builtin_specs()
    paths: list[Path] = []
    if not names:
        paths = [p for n, p in shipped.items() if n in SYSTEMS and SYSTEMS[n].local]
    for name in names or ():
        path = shipped.get(name) or Path(name)
        if not path.exists():
            raise fail(f"no spec {name!r}: name one of {', '.join(shipped)} or give a YAML path", code=2)
        paths.append(path)
    return [load_spec(p, os.environ) for p in paths]


def adapter_factory(system: str, pii_pepper: bytes) -> Callable[[], Adapter]:
    """A factory of ``legacy_adapters.<system>.adapter(pepper=...)`` (every system takes the PII pepper)."""
    module = importlib.import_module(f"legacy_adapters.{system}")
    make = module.adapter

    def build() -> Adapter:
        built: Adapter = make(pepper=pii_pepper)
        return built

    return build


def route(spec: ConnectorSpec, pii_pepper: bytes) -> Route:
    """The runtime's route of a spec: its table topics (signal table included) and its adapter."""
    factory = adapter_factory(spec.system, pii_pepper)
    topics = tuple(table_topic(spec, t) for t in spec.captured_tables)
    return Route(spec.system, spec.topic_prefix, topics, factory, bool(factory().needs_transactions))


class Secrets:
    """Where the capture password and the PII salt come from (environment first, then the stack's files)."""

    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        capture = StackSecrets.env_name("debezium_password")
        self.env: dict[str, str] = {capture: settings.secrets.debezium_password.get_secret_value()}
        self.env.update(os.environ)

    def salt(self, spec: ConnectorSpec) -> str | None:
        if spec.pii is None:
            return None
        if self.env.get(spec.pii.salt_env):
            return self.env[spec.pii.salt_env]
        path = self.settings.home / "pii-salt"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(24))
        return path.read_text().strip()


def connector_config(
    spec: ConnectorSpec, settings: StackSettings, *, resolve_password: bool
) -> dict[str, str]:
    """The connector config both transports run: the rendered spec plus the capture settings the decoder and
    adapters are written for. ``resolve_password`` replaces the password reference by its value (embedded)."""
    from pydantic import SecretStr

    from connectors.render import RenderContext

    found = Secrets(settings)
    salt = found.salt(spec)
    rendered = render(
        spec, RenderContext(settings.kafka_bootstrap, None if salt is None else SecretStr(salt))
    )
    config = {**rendered.config, **capture_config(spec.engine)}
    if resolve_password:
        config["database.password"] = resolve(spec.connection.password, found.env).get_secret_value()
    return config


def embedded_properties(spec: ConnectorSpec, settings: StackSettings, state_dir: Path) -> dict[str, str]:
    """The embedded engine's properties for ``spec``: its offsets and schema history under ``state_dir``."""
    config = connector_config(spec, settings, resolve_password=True)
    for key in [k for k in config if k.startswith("notification.")]:
        del config[key]
    return engine_properties(spec.name, config, state_dir / spec.name)
