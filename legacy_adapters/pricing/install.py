"""Create the pricing database, its schemas and tables, the capture role, its grants and the publication.

Operational hazards: the publication is created here, by the superuser, because the connector runs with
``publication.autocreate.mode=disabled`` (it would need table ownership otherwise); a table missing from the
publication is silently not captured. ``ALTER TABLE ... REPLICA IDENTITY`` takes an ACCESS EXCLUSIVE lock, so
it is issued only when the identity differs. The capture role can open replication slots: each slot it leaves
behind keeps WAL until ``max_slot_wal_keep_size``.
"""

from __future__ import annotations

import re

from pydantic import SecretStr
from sqlalchemy.engine import URL, Connection

from legacy_adapters.ddl import created_table, load_statements, parse_statement
from legacy_adapters.exceptions import CaptureLoginError, LegacyError
from legacy_adapters.install import InitReport, check_identifier, connect, make_engine, rows, run, scalar
from legacy_adapters.passwords import is_scram_verifier, scram_matches, scram_sha256_verifier
from legacy_adapters.pricing import PUBLICATION, SCHEMAS, SIGNAL_TABLE, SYSTEM, TABLES
from legacy_adapters.system import CAPTURE_USER

#: what the capture role may do on the signal table besides SELECT (Debezium writes watermarks there)
SIGNAL_PRIVILEGES: tuple[str, ...] = ("INSERT", "UPDATE", "DELETE")

_NAME = SYSTEM.name
_SCHEMA = re.compile(r"^CREATE SCHEMA IF NOT EXISTS (\w+)$", re.IGNORECASE)
_INDEX = re.compile(r"^CREATE INDEX IF NOT EXISTS (\w+) ON (\w+)\.", re.IGNORECASE)
_REPLICA_FULL = re.compile(r"^ALTER TABLE ([\w.]+) REPLICA IDENTITY FULL$", re.IGNORECASE)


def create_database(conn: Connection, database: str, report: InitReport) -> None:
    """Create ``database`` when missing (run from another database: CREATE DATABASE cannot run inside one)."""
    check_identifier(database)
    if scalar(
        conn, _NAME, "database lookup", "SELECT 1 FROM pg_database WHERE datname = :d", {"d": database}
    ):
        report.add("database", database, "present")
    else:
        run(conn, _NAME, f"CREATE DATABASE {database}", f'CREATE DATABASE "{database}"')
        report.add("database", database, "created")


def create_schema(conn: Connection, report: InitReport) -> None:
    """Apply the DDL to the connected database: each schema, table and index only when missing, and each
    REPLICA IDENTITY FULL only when the table has another identity."""
    for statement in load_statements(SYSTEM):
        head = " ".join(statement.split())
        if match := _SCHEMA.match(head):
            name = match.group(1)
            exists = scalar(
                conn, _NAME, "schema lookup", "SELECT 1 FROM pg_namespace WHERE nspname = :n", {"n": name}
            )
            _apply(conn, report, statement, "schema", name, bool(exists))
        elif match := _INDEX.match(head):
            name = f"{match.group(2)}.{match.group(1)}"
            exists = scalar(conn, _NAME, "index lookup", "SELECT to_regclass(:n) IS NOT NULL", {"n": name})
            _apply(conn, report, statement, "index", name, bool(exists))
        elif match := _REPLICA_FULL.match(head):
            name = match.group(1)
            identity = scalar(
                conn,
                _NAME,
                "replica identity lookup",
                "SELECT relreplident FROM pg_class WHERE oid = to_regclass(:n)",
                {"n": name},
            )
            _apply(conn, report, statement, "replica identity", f"{name} FULL", identity == "f", "updated")
        elif (table := created_table(parse_statement(statement, SYSTEM.dialect))) is not None:
            name = f"{table.db or 'public'}.{table.name}"
            exists = scalar(conn, _NAME, "table lookup", "SELECT to_regclass(:n) IS NOT NULL", {"n": name})
            _apply(conn, report, statement, "table", name, bool(exists))
        else:
            run(conn, _NAME, head[:60], statement)


def _apply(
    conn: Connection,
    report: InitReport,
    statement: str,
    kind: str,
    name: str,
    exists: bool,
    outcome: str = "created",
) -> None:
    if exists:
        report.add(kind, name, "present")
        return
    run(conn, _NAME, f"{kind} {name}", statement)
    report.add(kind, name, "updated" if outcome == "updated" else "created")


def ensure_capture_role(conn: Connection, password: SecretStr, report: InitReport) -> None:
    """The LOGIN REPLICATION role, created once; its password reset only when the stored verifier differs.

    The password is sent as a SCRAM verifier computed here, so the server (and its statement log) never sees it.
    """
    row = rows(
        conn,
        _NAME,
        "role lookup",
        "SELECT rolcanlogin, rolreplication, rolpassword FROM pg_authid WHERE rolname = :r",
        {"r": CAPTURE_USER},
    )
    if not row:
        verifier = scram_sha256_verifier(password)
        assert is_scram_verifier(verifier)  # base64 and '$:' only: safe between quotes
        run(
            conn,
            _NAME,
            f"CREATE ROLE {CAPTURE_USER}",
            f"CREATE ROLE {CAPTURE_USER} LOGIN REPLICATION PASSWORD '{verifier}'",
        )
        report.add("role", CAPTURE_USER, "created", "LOGIN REPLICATION")
        return
    can_login, can_replicate, stored = row[0]
    changes = []
    if not (can_login and can_replicate):
        run(conn, _NAME, f"ALTER ROLE {CAPTURE_USER}", f"ALTER ROLE {CAPTURE_USER} LOGIN REPLICATION")
        changes.append("LOGIN REPLICATION")
    if not scram_matches(stored, password):
        verifier = scram_sha256_verifier(password)
        assert is_scram_verifier(verifier)
        run(
            conn,
            _NAME,
            f"ALTER ROLE {CAPTURE_USER} PASSWORD",
            f"ALTER ROLE {CAPTURE_USER} PASSWORD '{verifier}'",
        )
        changes.append("password changed")
    report.add("role", CAPTURE_USER, "updated" if changes else "present", ", ".join(changes))


def _explicit(conn: Connection, acl_sql: str, params: dict[str, str]) -> set[str]:
    """Privileges granted to the capture role by name (not through PUBLIC or ownership)."""
    sql = f"SELECT a.privilege_type FROM ({acl_sql}) AS o(acl), aclexplode(o.acl) AS a WHERE a.grantee = :role ::regrole"
    return {r[0] for r in rows(conn, _NAME, "privilege lookup", sql, {**params, "role": CAPTURE_USER})}


def _grant(
    conn: Connection, report: InitReport, privileges: tuple[str, ...], held: set[str], target: str
) -> None:
    missing = [p for p in privileges if p not in held]
    name = f"{', '.join(privileges)} ON {target} TO {CAPTURE_USER}"
    if missing:
        run(conn, _NAME, f"GRANT ON {target}", f"GRANT {', '.join(missing)} ON {target} TO {CAPTURE_USER}")
        report.add("grant", name, "created")
    else:
        report.add("grant", name, "present")


def grant_capture(conn: Connection, database: str, report: InitReport) -> None:
    """CONNECT on the database, USAGE on the schemas, SELECT on the captured tables, writes on the signal table.

    Each privilege is granted by name even where PUBLIC already has it, so revoking PUBLIC later does not
    silently stop capture.
    """
    held = _explicit(conn, "SELECT datacl FROM pg_database WHERE datname = :d", {"d": database})
    _grant(conn, report, ("CONNECT",), held, f'DATABASE "{database}"')
    for schema in (*SCHEMAS, SIGNAL_TABLE.split(".")[0]):
        held = _explicit(conn, "SELECT nspacl FROM pg_namespace WHERE nspname = :n", {"n": schema})
        _grant(conn, report, ("USAGE",), held, f"SCHEMA {schema}")
    for table in (*TABLES, SIGNAL_TABLE):
        held = _explicit(conn, "SELECT relacl FROM pg_class WHERE oid = to_regclass(:t)", {"t": table})
        wanted = ("SELECT", *SIGNAL_PRIVILEGES) if table == SIGNAL_TABLE else ("SELECT",)
        _grant(conn, report, wanted, held, f"TABLE {table}")


def ensure_publication(conn: Connection, report: InitReport) -> None:
    """The publication of exactly the captured tables (and the signal table), made by the superuser."""
    wanted = {*TABLES, SIGNAL_TABLE}
    exists = scalar(
        conn,
        _NAME,
        "publication lookup",
        "SELECT 1 FROM pg_publication WHERE pubname = :p",
        {"p": PUBLICATION},
    )
    table_list = ", ".join(sorted(wanted))
    if not exists:
        run(
            conn,
            _NAME,
            f"CREATE PUBLICATION {PUBLICATION}",
            f"CREATE PUBLICATION {PUBLICATION} FOR TABLE {table_list}",
        )
        report.add("publication", PUBLICATION, "created", table_list)
        return
    published = {
        f"{r[0]}.{r[1]}"
        for r in rows(
            conn,
            _NAME,
            "publication tables lookup",
            "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = :p",
            {"p": PUBLICATION},
        )
    }
    if published == wanted:
        report.add("publication", PUBLICATION, "present", table_list)
    else:
        run(
            conn,
            _NAME,
            f"ALTER PUBLICATION {PUBLICATION}",
            f"ALTER PUBLICATION {PUBLICATION} SET TABLE {table_list}",
        )
        report.add("publication", PUBLICATION, "updated", table_list)


def check_capture_login(url: URL, database: str, password: SecretStr) -> None:
    """Log in as the capture role over TCP (scram, as the connector will) and read a captured table."""
    engine = make_engine(
        url.set(username=CAPTURE_USER, password=password.get_secret_value(), database=database),
        SYSTEM.engine_title,
    )
    try:
        with connect(engine, SYSTEM.engine_title) as conn:
            run(conn, _NAME, "capture role reads a captured table", f"SELECT 1 FROM {TABLES[0]} LIMIT 1")
    except LegacyError as exc:  # refused login or statement: say it in the capture role's terms
        raise CaptureLoginError(_NAME, CAPTURE_USER, str(exc)) from None
    finally:
        engine.dispose()


def install(
    url: URL,
    password: SecretStr,
    *,
    database: str = SYSTEM.database,
    capture_user: bool = True,
) -> InitReport:
    """Everything pricing needs, idempotently: database, schemas, tables, capture role, grants, publication.

    ``url`` is the superuser's (any database). ``capture_user=False`` creates only the database and its tables
    (for scratch databases); the role is cluster-wide, the grants and the publication are per database.
    """
    check_identifier(database)
    report = InitReport(_NAME)
    server = make_engine(url.set(database="postgres"), SYSTEM.engine_title)
    try:
        with connect(server, SYSTEM.engine_title) as conn:
            create_database(conn, database, report)
            if capture_user:
                ensure_capture_role(conn, password, report)
    finally:
        server.dispose()
    target = make_engine(url.set(database=database), SYSTEM.engine_title)
    try:
        with connect(target, SYSTEM.engine_title) as conn:
            create_schema(conn, report)
            if capture_user:
                grant_capture(conn, database, report)
                ensure_publication(conn, report)
    finally:
        target.dispose()
    if capture_user:
        check_capture_login(url, database, password)
    return report
