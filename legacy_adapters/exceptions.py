"""Errors of the legacy systems' schemas and their installation.

Every error here hangs under :class:`LegacyError`, itself under the project root
:class:`~pipelines.exceptions.InventoryCdcError`. ``str()`` of each is one line a user can act on (never a
password, never a driver traceback); ``retryable`` says whether trying again can help. Errors of *mapping*
change events are the contract's (:mod:`pipelines.mapping.exceptions`), so the runtime can dead-letter them
without knowing any adapter.
"""

from __future__ import annotations

from typing import ClassVar

from pipelines.exceptions import InventoryCdcError


class LegacyError(InventoryCdcError):
    """Root of this package's errors."""

    retryable: ClassVar[bool] = False


class UnknownSystemError(LegacyError):
    """A legacy system name that the registry does not know."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        super().__init__(f"unknown legacy system {name!r}: choose one of {', '.join(known)}")


class DdlError(LegacyError):
    """A system's DDL file is missing or cannot be split into statements (a packaging or editing mistake)."""

    def __init__(self, system: str, resource: str, reason: str) -> None:
        self.system = system
        self.resource = resource
        self.reason = reason
        super().__init__(f"{system}: DDL {resource} is unusable: {reason}")


class DatabaseUnreachableError(LegacyError):
    """Nothing answers at the database's address (server stopped, wrong port). Retry once it runs."""

    retryable: ClassVar[bool] = True

    def __init__(self, engine: str, host: str, port: int | None, reason: str = "") -> None:
        self.engine = engine
        self.host = host
        self.port = port
        self.reason = reason
        where = f"{host}:{port}" if port else host
        super().__init__(f"{engine} at {where} is not reachable")


class AccessDeniedError(LegacyError):
    """The administrative login was refused: the stack's secrets and the server disagree."""

    def __init__(self, engine: str, host: str, port: int | None, user: str) -> None:
        self.engine = engine
        self.host = host
        self.port = port
        self.user = user
        where = f"{host}:{port}" if port else host
        super().__init__(f"{engine} at {where} refused the login of {user!r}: check the stack's secrets")


class MissingDriverError(LegacyError):
    """The SQLAlchemy URL names a database driver that is not installed."""

    def __init__(self, engine: str, driver: str) -> None:
        self.engine = engine
        self.driver = driver
        super().__init__(f"the {engine} driver of {driver!r} is not installed here: add its Python package")


class SchemaApplyError(LegacyError):
    """The database refused one installation step. ``step`` names it; ``reason`` is the server's first line."""

    def __init__(self, system: str, step: str, reason: str) -> None:
        self.system = system
        self.step = step
        self.reason = reason
        super().__init__(f"{system}: {step} failed: {reason}")


class CaptureLoginError(LegacyError):
    """The capture user was set up but cannot log in with its password (authentication rules, encoding)."""

    def __init__(self, system: str, user: str, reason: str) -> None:
        self.system = system
        self.user = user
        self.reason = reason
        super().__init__(f"{system}: the capture user {user!r} cannot log in after setup: {reason}")
