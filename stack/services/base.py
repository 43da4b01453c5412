"""What every local service has: a data directory, a log, a pid file, a loopback port and a health check."""

from __future__ import annotations

import os
import signal
import subprocess
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path

from stack import process
from stack.exceptions import PortTakenError
from stack.settings import StackSettings


class Service(ABC):
    """One process of the stack. Subclasses say how to prepare, start and probe it."""

    name: str
    port_field: str
    stop_signal: int = signal.SIGTERM
    binaries: tuple[str, ...] = ()
    run_as: str | None = None

    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings

    # -- layout ----------------------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(getattr(self.settings, self.port_field))

    @property
    def ports(self) -> dict[str, int]:
        """Every port the service binds, by setting name (the first is the one users connect to)."""
        return {self.port_field: self.port}

    @property
    def data_dir(self) -> Path:
        return self.settings.home / self.name

    @property
    def log_path(self) -> Path:
        return self.settings.log_dir / f"{self.name}.log"

    @property
    def pid_path(self) -> Path:
        return self.settings.run_dir / f"{self.name}.pid"

    @property
    def user(self) -> tuple[int, int] | None:
        return process.service_user(self.run_as) if self.run_as else None

    def env_setting(self, field: str) -> str:
        return f"INVENTORY_CDC_STACK_{field.upper()}"

    # -- lifecycle -------------------------------------------------------------------------------------------
    def running(self) -> process.PidRecord | None:
        return process.read_pid(self.pid_path)

    def check_ports_free(self) -> None:
        """Refuse to start when something else holds one of our ports."""
        for field, port in self.ports.items():
            if not process.port_bindable(self.settings.host, port):
                raise PortTakenError(
                    self.name,
                    port,
                    self.env_setting(field),
                    process.port_holder(port),
                    process.local_port_range(),
                )

    def start(self) -> subprocess.Popen[bytes]:
        self.prepare()
        proc = process.spawn(self.command(), self.log_path, env=self.environment(), user=self.user)
        process.write_pid(self.pid_path, proc.pid)
        return proc

    def stop(self) -> bool:
        """Stop the process this stack started; True if there was one."""
        record = self.running()
        if record is None:
            self.pid_path.unlink(missing_ok=True)
            return False
        process.stop(record, sig=self.stop_signal)
        self.pid_path.unlink(missing_ok=True)
        self.after_stop()
        return True

    def environment(self) -> Mapping[str, str]:
        return dict(os.environ)

    def after_stop(self) -> None:
        """Clean up what a stopped service leaves (sockets, init files)."""

    def after_healthy(self) -> None:
        """One-time work once the service answers (remove an init file holding a password)."""

    @abstractmethod
    def prepare(self) -> None:
        """Create the data directory and config on first start; cheap when already done."""

    @abstractmethod
    def command(self) -> Sequence[str]:
        """The argv that runs the service in the foreground."""

    @abstractmethod
    def healthy(self) -> bool:
        """True when the service answers real requests (not merely an open port)."""
