"""Bringing the whole local stack up, down, and reporting on it."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from stack import binaries, fetch, process
from stack.exceptions import ServiceExitedError, StackError, StartTimeoutError, UnknownServiceError
from stack.services.base import Service
from stack.services.connect import Connect
from stack.services.kafka import Kafka
from stack.services.mariadb import MariaDB
from stack.services.postgres import Postgres
from stack.settings import StackSettings

SERVICE_TYPES: tuple[type[Service], ...] = (Postgres, MariaDB, Kafka, Connect)
SERVICE_NAMES = [t.name for t in SERVICE_TYPES]
#: a service starts only once these are healthy
DEPENDS_ON: dict[str, tuple[str, ...]] = {"connect": ("kafka",)}
JVM_SERVICES = {"kafka", "connect"}


@dataclass(frozen=True)
class StartResult:
    service: str
    started: bool  # False: it was already running and was reused
    seconds: float
    pid: int
    port: int


@dataclass(frozen=True)
class ServiceStatus:
    service: str
    port: int
    pid: int | None
    state: str  # healthy | unhealthy | stopped | port-taken
    log: str


class Stack:
    """The local stack of one ``StackSettings.home``: it only ever stops processes it started itself."""

    def __init__(self, settings: StackSettings | None = None) -> None:
        self.settings = settings or StackSettings()
        self.services: dict[str, Service] = {t.name: t(self.settings) for t in SERVICE_TYPES}

    def select(self, names: Iterable[str] | None) -> list[Service]:
        """Services by name in start order, with what they depend on; all of them when ``names`` is empty."""
        wanted = list(names or [])
        for name in wanted:
            if name not in self.services:
                raise UnknownServiceError(name, SERVICE_NAMES)
        if not wanted:
            return list(self.services.values())
        closure = set(wanted)
        for name in wanted:
            closure.update(DEPENDS_ON.get(name, ()))
        return [s for s in self.services.values() if s.name in closure]

    def check_binaries(self, services: list[Service]) -> None:
        needed: list[str] = []
        for service in services:
            needed.extend(service.binaries)
        if any(s.name in JVM_SERVICES for s in services) and not fetch.is_fetched(self.settings.jvm_home):
            needed.append("mvn")
        for name in dict.fromkeys(needed):
            binaries.find(name)

    def up(
        self, names: Iterable[str] | None = None, on_ready: Callable[[StartResult], None] | None = None
    ) -> list[StartResult]:
        """Start what is not running (reusing what is), wait until each is healthy, and say how long it took.

        Idempotent: a running, healthy service is left alone. Services start in parallel where they do not
        depend on each other; a service that does not become healthy in ``start_timeout_s`` raises
        :class:`StartTimeoutError` with its log tail.
        """
        services = self.select(names)
        self.check_binaries(services)
        for service in services:
            if service.running() is None:
                service.check_ports_free()
        if any(s.name in JVM_SERVICES for s in services):
            fetch.fetch(self.settings.jvm_home, self.settings.log_dir / "fetch.log")

        results: list[StartResult] = []
        pending: dict[str, tuple[Service, subprocess.Popen[bytes] | None, float]] = {}
        healthy: set[str] = set()

        def launch(service: Service) -> None:
            began = time.monotonic()
            record = service.running()
            proc = None if record is not None else service.start()
            pending[service.name] = (service, proc, began)

        def wait(name: str) -> None:
            service, proc, began = pending[name]
            self._wait_healthy(service, proc, began)
            del pending[name]
            service.after_healthy()
            record = service.running()
            result = StartResult(
                service=name,
                started=proc is not None,
                seconds=time.monotonic() - began,
                pid=record.pid if record else -1,
                port=service.port,
            )
            healthy.add(name)
            results.append(result)
            if on_ready:
                on_ready(result)

        try:
            for service in services:
                if all(
                    dep in healthy or dep not in {s.name for s in services}
                    for dep in DEPENDS_ON.get(service.name, ())
                ):
                    launch(service)
            for service in services:
                if service.name in healthy:
                    continue
                if service.name not in pending:
                    for dep in DEPENDS_ON.get(service.name, ()):
                        if dep in pending:
                            wait(dep)
                    launch(service)
                wait(service.name)
        except BaseException:
            # leave nothing half-started behind: stop what this call started, healthy or not
            for service, proc, _ in pending.values():
                if proc is not None:
                    service.stop()
            for result in reversed(results):
                if result.started:
                    self.services[result.service].stop()
            raise
        return results

    def _wait_healthy(self, service: Service, proc: subprocess.Popen[bytes] | None, began: float) -> None:
        deadline = began + self.settings.start_timeout_s
        while True:
            if proc is not None and proc.poll() is not None:
                service.pid_path.unlink(missing_ok=True)
                raise ServiceExitedError(
                    service.name, proc.returncode, str(service.log_path), process.tail(service.log_path)
                )
            if service.healthy():
                return
            if time.monotonic() > deadline:
                reason = "" if service.running() else "its process is gone"
                raise StartTimeoutError(
                    service.name,
                    self.settings.start_timeout_s,
                    str(service.log_path),
                    process.tail(service.log_path),
                    reason,
                )
            time.sleep(0.5)

    def down(self, names: Iterable[str] | None = None) -> list[str]:
        """Stop the stack's own processes (by pid, never by name), last-started first; return those stopped."""
        stopped = []
        for service in reversed(self.select(names)):
            if service.stop():
                stopped.append(service.name)
        return stopped

    def status(self) -> list[ServiceStatus]:
        rows = []
        for service in self.services.values():
            record = service.running()
            if record is None:
                state = "stopped" if process.port_bindable(self.settings.host, service.port) else "port-taken"
            else:
                state = "healthy" if service.healthy() else "unhealthy"
            rows.append(
                ServiceStatus(
                    service.name, service.port, record.pid if record else None, state, str(service.log_path)
                )
            )
        return rows

    def log_path(self, name: str) -> str:
        if name not in self.services:
            raise UnknownServiceError(name, SERVICE_NAMES)
        return str(self.services[name].log_path)


__all__ = ["SERVICE_NAMES", "ServiceStatus", "Stack", "StackError", "StartResult"]
