"""The legacy systems this project captures. Adding one means one folder and one entry here."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol, cast

from legacy_adapters import box_office, crm, pricing
from legacy_adapters.exceptions import UnknownSystemError
from legacy_adapters.system import LegacySystem

if TYPE_CHECKING:
    from pydantic import SecretStr
    from sqlalchemy.engine import URL

    from legacy_adapters.install import InitReport

SYSTEMS: dict[str, LegacySystem] = {s.name: s for s in (box_office.SYSTEM, pricing.SYSTEM, crm.SYSTEM)}


def get_system(name: str) -> LegacySystem:
    """The system called ``name``; :class:`UnknownSystemError` lists the known ones otherwise."""
    try:
        return SYSTEMS[name]
    except KeyError:
        raise UnknownSystemError(name, list(SYSTEMS)) from None


class Installer(Protocol):
    """``install(admin_url, capture_password)`` of a system's ``install`` module."""

    def __call__(self, url: URL, password: SecretStr, /) -> InitReport: ...


def installer(system: LegacySystem) -> Installer:
    """The system's installer (``<package>.install.install``), imported on first use: it pulls in drivers."""
    module = importlib.import_module(f"{system.package}.install")
    return cast(Installer, module.install)
