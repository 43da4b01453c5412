"""Turn msgspec's validation messages into a field path and a reason.

msgspec reports ``Expected `int`, got `str` - at `$.after.SEAT_NO```; callers want the path as an attribute
(``$.after.SEAT_NO``) to put into their own typed errors. Missing and unknown fields are reported at their
parent object by msgspec; they are named here at the field itself (``$.after.SEAT_NO``), which is where an
operator will look.
"""

from __future__ import annotations

import re

_AT = re.compile(r"^(?P<reason>.*?) - at `(?P<path>[^`]*)`$", re.DOTALL)
_NAMED = re.compile(r"(?:missing required field|contains unknown field) `(?P<name>[^`]*)`")


def split_msgspec_error(message: str, root: str = "$") -> tuple[str, str]:
    """Return ``(path, reason)`` for a msgspec error message; the path starts with ``root`` instead of ``$``."""
    match = _AT.match(message)
    if match is None:
        path, reason = "$", message
    else:
        path, reason = match.group("path"), match.group("reason")
    named = _NAMED.search(reason)
    if named is not None:
        path = f"{path}.{named.group('name')}"
    if root != "$":
        path = root + path[1:]
    return path, reason
