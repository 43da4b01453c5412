"""The project's root exception and the terminal/transient split every error in the project sits under.

Every error raised on purpose anywhere in inventory-cdc derives from :class:`InventoryCdcError`. The class
attribute ``retryable`` tells a caller (the normalizer, a retry policy, the dead-letter handler) whether trying
the same thing again can succeed: a broker that is briefly away is retryable, a record whose bytes will never
decode is not and belongs on the dead-letter stream. Sub-packages keep their own errors in their own
``exceptions.py`` and derive them from the classes here.
"""

from __future__ import annotations

from typing import ClassVar


class InventoryCdcError(Exception):
    """Root of every error this project raises on purpose.

    ``retryable`` is a class attribute, so ``except InventoryCdcError as e: if e.retryable: ...`` works without
    knowing the concrete class.
    """

    retryable: ClassVar[bool] = False


class TerminalError(InventoryCdcError):
    """Retrying the same input will fail the same way: dead-letter the record or stop, do not loop."""

    retryable: ClassVar[bool] = False


class TransientError(InventoryCdcError):
    """The cause is outside the input (a service away, a timeout): the same input may succeed later."""

    retryable: ClassVar[bool] = True
