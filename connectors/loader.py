"""Loading connector specs from YAML, with hosts, ports and ids taken from the environment.

Two kinds of ``${...}`` appear in a spec, and they never mix:

* ``${NAME}`` / ``${NAME:-default}`` (upper-case names) are replaced **when the spec is loaded**, from the
  environment of the command that loads it. Hosts and ports default to the local stack's and follow the same
  variables as the stack itself (``INVENTORY_CDC_STACK_POSTGRES_PORT`` ...), so a moved stack needs no edit.
* ``${env:NAME}``, ``${file:path:key}``, ``${dir:path:file}`` are Kafka Connect config-provider references,
  left as they are and resolved by the Connect worker. ``connection.password`` must be one of these; load-time
  substitution is refused there, because it would write the secret into the connector config.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from connectors.exceptions import SpecError
from connectors.problems import Problem
from connectors.spec import ConnectorSpec, SpecProblems

SPEC_DIR = Path(__file__).resolve().parent / "specs"

_VARIABLE = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::-([^}]*))?\}")
_SECRET_FIELDS = {("connection", "password")}
#: variables that hold secrets are never substituted into a spec (the config would carry them in clear)
_SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|SALT|PEPPER|CREDENTIAL|PRIVATE")


def builtin_specs() -> dict[str, Path]:
    """The specs shipped with the project, by file stem (one per legacy system)."""
    return {path.stem: path for path in sorted(SPEC_DIR.glob("*.yaml"))}


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(spec)"


def _substitute(node: Any, env: Mapping[str, str], loc: tuple[Any, ...], problems: list[Problem]) -> Any:
    if isinstance(node, dict):
        return {k: _substitute(v, env, (*loc, k), problems) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute(v, env, (*loc, i), problems) for i, v in enumerate(node)]
    if not isinstance(node, str) or "${" not in node:
        return node
    if loc in _SECRET_FIELDS:
        if _VARIABLE.search(node):
            problems.append(
                Problem(
                    _path(loc),
                    "load-time substitution is refused for the password (it would put the secret into the connector config): write ${env:NAME} so the Connect worker resolves it",
                )
            )
        return node

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if _SECRET_NAME.search(name):
            problems.append(
                Problem(
                    _path(loc),
                    f"${{{name}}} names a secret: load-time substitution is for hosts, ports and ids; secrets are referenced as ${{env:NAME}} where Debezium takes them",
                )
            )
            return match.group(0)
        value = env.get(name)
        if value is None or value == "":
            if default is None:
                problems.append(
                    Problem(
                        _path(loc),
                        f"${{{name}}} is not set and has no default: export {name} or write ${{{name}:-default}}",
                    )
                )
                return match.group(0)
            return default
        return value

    return _VARIABLE.sub(replace, node)


def _problems_of(exc: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors(include_input=False, include_url=False):
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, SpecProblems):
            problems.extend(cause.problems)
            continue
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown field: remove it or check its spelling"
        elif err["type"] == "literal_error":
            message = message.replace("Input should be", "choose")
        problems.append(Problem(_path(tuple(err["loc"])), message))
    return problems


def parse_spec(data: Any, source: str, env: Mapping[str, str]) -> ConnectorSpec:
    """Validate an already-parsed spec document (after load-time substitution from ``env``)."""
    if not isinstance(data, dict):
        raise SpecError(
            source, [Problem("(spec)", "a spec is a YAML mapping of fields: see connectors/specs/*.yaml")]
        )
    problems: list[Problem] = []
    data = _substitute(data, env, (), problems)
    if problems:
        raise SpecError(source, problems)
    try:
        return ConnectorSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(source, _problems_of(exc)) from None


def load_spec(path: Path | str, env: Mapping[str, str]) -> ConnectorSpec:
    """Read and validate one spec file; :class:`SpecError` lists every problem with its field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(str(path), [Problem("(file)", f"cannot read it: {exc.strerror}")]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        raise SpecError(
            str(path), [Problem(where, f"not valid YAML: {getattr(exc, 'problem', exc)}")]
        ) from None
    return parse_spec(data, str(path), env)


def override(spec: ConnectorSpec, changes: Mapping[str, Any]) -> ConnectorSpec:
    """A copy of ``spec`` with dotted fields replaced (``{"postgresql.slot": "s1"}``), validated again.

    Tests use it to give each run its own connector name, topic prefix and slot.
    """
    data = spec.model_dump(mode="python")
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    try:
        return ConnectorSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(f"{spec.name} (overridden)", _problems_of(exc)) from None
