"""Where the local stack lives, which loopback ports it binds, and its credentials.

Every value can be overridden from the environment (prefix ``INVENTORY_CDC_STACK_``), so a second stack can run
beside the first (tests do this) and ports that something else holds can be moved. Passwords are never
committed: they come from the environment, or are generated once per stack home into ``<home>/secrets.env``
(mode 0600) and read back from there.

The default ports sit below 32768, outside the range the kernel picks local ports from for outgoing connections
(``/proc/sys/net/ipv4/ip_local_port_range``, 32768-60999 by default): a port in that range can be held, at any
moment, by some client's connection, and the service meant to listen there then fails to start.
"""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent

SECRET_NAMES = ("postgres_password", "mariadb_root_password", "debezium_password")


class StackSettings(BaseSettings):
    """The local stack's layout. Frozen: build a new one to change it."""

    model_config = SettingsConfigDict(env_prefix="INVENTORY_CDC_STACK_", frozen=True)

    home: Path = REPO_ROOT / ".stack"
    host: str = "127.0.0.1"
    postgres_port: int = 25432
    mariadb_port: int = 23306
    kafka_port: int = 29092
    kafka_controller_port: int = 29093
    connect_port: int = 28083
    start_timeout_s: float = 180.0
    kafka_heap: str = "512m"
    connect_heap: str = "1g"

    @property
    def jvm_home(self) -> Path:
        """Jars fetched by Maven (shared by every stack home unless INVENTORY_CDC_STACK_JVM_HOME says otherwise)."""
        override = os.environ.get("INVENTORY_CDC_STACK_JVM_HOME")
        return Path(override) if override else REPO_ROOT / ".stack" / "jvm"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    @property
    def kafka_bootstrap(self) -> str:
        return f"{self.host}:{self.kafka_port}"

    @property
    def connect_url(self) -> str:
        return f"http://{self.host}:{self.connect_port}"

    @cached_property
    def secrets(self) -> StackSecrets:
        return StackSecrets.load(self.home)

    def postgres_url(self, database: str = "postgres", driver: str = "postgresql+psycopg") -> str:
        """SQLAlchemy URL for the stack's PostgreSQL superuser (contains the password: never log it)."""
        pw = self.secrets.postgres_password.get_secret_value()
        return f"{driver}://postgres:{pw}@{self.host}:{self.postgres_port}/{database}"

    def mariadb_url(self, database: str = "", driver: str = "mysql+pymysql") -> str:
        """SQLAlchemy URL for the stack's MariaDB root user (contains the password: never log it)."""
        pw = self.secrets.mariadb_root_password.get_secret_value()
        return f"{driver}://root:{pw}@{self.host}:{self.mariadb_port}/{database}"


class StackSecrets:
    """Passwords for the stack's databases: environment first, then ``<home>/secrets.env``, else generated."""

    def __init__(self, values: dict[str, SecretStr]) -> None:
        self._values = values

    @property
    def postgres_password(self) -> SecretStr:
        return self._values["postgres_password"]

    @property
    def mariadb_root_password(self) -> SecretStr:
        return self._values["mariadb_root_password"]

    @property
    def debezium_password(self) -> SecretStr:
        """Password of the least-privileged capture user the legacy systems create for Debezium."""
        return self._values["debezium_password"]

    @staticmethod
    def env_name(name: str) -> str:
        return f"INVENTORY_CDC_{name.upper()}"

    @classmethod
    def load(cls, home: Path) -> StackSecrets:
        path = home / "secrets.env"
        stored: dict[str, str] = {}
        if path.exists():
            for line in path.read_text().splitlines():
                key, sep, value = line.partition("=")
                if sep:
                    stored[key.strip()] = value.strip()
        changed = False
        values: dict[str, SecretStr] = {}
        for name in SECRET_NAMES:
            env_key = cls.env_name(name)
            value = os.environ.get(env_key) or stored.get(env_key) or ""
            if not value:
                value = secrets.token_urlsafe(18)
                stored[env_key] = value
                changed = True
            values[name] = SecretStr(value)
        if changed:
            home.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write("".join(f"{k}={v}\n" for k, v in sorted(stored.items())))
        return cls(values)

    def as_env(self) -> dict[str, str]:
        """The secrets as environment variables (for a child process such as Kafka Connect's config provider)."""
        return {self.env_name(name): self._values[name].get_secret_value() for name in SECRET_NAMES}
