"""Errors of the local stack. ``stack`` may import nothing else of ours, so it has its own root."""

from __future__ import annotations


class StackError(Exception):
    """Root of the stack's errors. ``str()`` is one line a user can act on; ``retryable`` says if trying again helps."""

    retryable = False


class MissingBinaryError(StackError):
    """A system program the stack needs is not installed."""

    def __init__(self, binary: str, package: str) -> None:
        self.binary = binary
        self.package = package
        super().__init__(
            f"`{binary}` is not installed: install the Debian package `{package}` (apt-get install {package})"
        )


class PortTakenError(StackError):
    """A port the stack wants is held by a process the stack did not start.

    ``holder`` is what :func:`stack.process.port_holder` saw there. A port held only by connections is the local
    end of some client's outgoing connection: the kernel hands those out from ``local_ports`` (its local port
    range), so the fix is a port below that range, not stopping a process.
    """

    def __init__(
        self,
        service: str,
        port: int,
        setting: str,
        holder: str | None = None,
        local_ports: range | None = None,
    ) -> None:
        self.service = service
        self.port = port
        self.setting = setting
        self.holder = holder
        if holder == "connection" and local_ports is not None and port in local_ports:
            message = (
                f"port {port} for {service} is the local end of an outgoing connection: the kernel hands out "
                f"{local_ports.start}-{local_ports.stop - 1} for those, so choose a port below "
                f"{local_ports.start} with {setting}=PORT"
            )
        else:
            message = (
                f"port {port} for {service} is taken by a process this stack did not start: stop it, "
                f"or choose another port with {setting}=PORT"
            )
        super().__init__(message)


class UnknownServiceError(StackError):
    """A service name that the stack does not have."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        super().__init__(f"unknown service {name!r}: choose one of {', '.join(known)}")


class StartTimeoutError(StackError):
    """A service did not become healthy in time. Carries the tail of its log."""

    retryable = True

    def __init__(
        self, service: str, timeout_s: float, log_path: str, log_tail: str, reason: str = ""
    ) -> None:
        self.service = service
        self.timeout_s = timeout_s
        self.log_path = log_path
        self.log_tail = log_tail
        why = f" ({reason})" if reason else ""
        super().__init__(
            f"{service} did not become healthy within {timeout_s:g}s{why}; log {log_path}, last lines:\n{log_tail}"
        )


class ServiceExitedError(StackError):
    """A service process exited while starting. Carries the tail of its log."""

    def __init__(self, service: str, code: int | None, log_path: str, log_tail: str) -> None:
        self.service = service
        self.code = code
        self.log_path = log_path
        self.log_tail = log_tail
        super().__init__(
            f"{service} exited with code {code} while starting; log {log_path}, last lines:\n{log_tail}"
        )


class FetchError(StackError):
    """Maven could not fetch the stack's jars."""

    retryable = True
