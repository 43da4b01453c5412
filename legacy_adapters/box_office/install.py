"""Create the box office's database, tables and Debezium capture user on MariaDB (or MySQL 8).

Operational hazards: DDL on MariaDB is not transactional and is written to the binlog, where a running
connector records it in its schema history; this installer therefore issues a statement only for an object
that is missing. The capture user gets the global privileges Debezium documents (they cannot be narrowed to
one database), SELECT on this database only, and write access to the signal table only.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import SecretStr
from sqlalchemy.engine import URL, Connection, Engine

from legacy_adapters.box_office import CHARSET, SESSION_SQL_MODE, SIGNAL_TABLE, SYSTEM
from legacy_adapters.ddl import created_table, load_statements, parse_statement
from legacy_adapters.exceptions import CaptureLoginError, LegacyError
from legacy_adapters.install import InitReport, check_identifier, connect, make_engine, rows, run, scalar
from legacy_adapters.passwords import is_native_hash, mysql_native_hash
from legacy_adapters.system import CAPTURE_USER

#: hosts the capture user may connect from: TCP from this machine (the stack skips name resolution, so
#: 127.0.0.1 must be named) and the local socket; compose passes '%'
CAPTURE_HOSTS: tuple[str, ...] = ("127.0.0.1", "localhost")

#: server-wide privileges Debezium's MySQL-family connectors need. MariaDB 10.5+ calls REPLICATION CLIENT
#: "BINLOG MONITOR" (SHOW BINARY LOGS / SHOW MASTER STATUS); MySQL 8 keeps the old name.
GLOBAL_PRIVILEGES_MARIADB: tuple[str, ...] = (
    "RELOAD",
    "SHOW DATABASES",
    "REPLICATION SLAVE",
    "BINLOG MONITOR",
)
GLOBAL_PRIVILEGES_MYSQL: tuple[str, ...] = (
    "RELOAD",
    "SHOW DATABASES",
    "REPLICATION SLAVE",
    "REPLICATION CLIENT",
)
#: on the captured database (snapshots read it)
DATABASE_PRIVILEGES: tuple[str, ...] = ("SELECT",)
#: on the signal table only: Debezium writes incremental-snapshot watermarks there
SIGNAL_PRIVILEGES: tuple[str, ...] = ("INSERT", "UPDATE", "DELETE")

_NAME = SYSTEM.name


def server_url(url: URL) -> URL:
    """``url`` without a database and with a utf8mb4 client (latin1 columns convert on the server)."""
    return url.set(database=None).update_query_dict({"charset": "utf8mb4"})


def create_schema(conn: Connection, database: str, report: InitReport) -> None:
    """Create ``database`` (latin1) and every missing table of the DDL in it; leaves the connection USE-ing it.

    Also sets :data:`SESSION_SQL_MODE` on the connection (zero-date defaults need it).
    """
    check_identifier(database)
    exists = scalar(
        conn,
        _NAME,
        "database lookup",
        "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = :d",
        {"d": database},
    )
    if exists:
        report.add("database", database, "present")
    else:
        run(
            conn,
            _NAME,
            f"CREATE DATABASE {database}",
            f"CREATE DATABASE `{database}` CHARACTER SET {CHARSET}",
        )
        report.add("database", database, "created", f"default charset {CHARSET}")
    run(conn, _NAME, f"USE {database}", f"USE `{database}`")
    run(conn, _NAME, "SET sql_mode", f"SET SESSION sql_mode = '{SESSION_SQL_MODE}'")
    present = {
        r[0]
        for r in rows(
            conn,
            _NAME,
            "table lookup",
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = :d",
            {"d": database},
        )
    }
    for statement in load_statements(SYSTEM):
        table = created_table(parse_statement(statement, SYSTEM.dialect))
        if table is None:
            run(conn, _NAME, statement.split("\n", 1)[0][:60], statement)
        elif table.name in present:
            report.add("table", f"{database}.{table.name}", "present")
        else:
            run(conn, _NAME, f"CREATE TABLE {table.name}", statement)
            report.add("table", f"{database}.{table.name}", "created")


def _is_mariadb(conn: Connection) -> bool:
    return "mariadb" in str(scalar(conn, _NAME, "version lookup", "SELECT VERSION()")).lower()


def _account(host: str) -> str:
    if "'" in host or "\\" in host:
        raise ValueError(f"not a plain host name: {host!r}")
    return f"'{CAPTURE_USER}'@'{host}'"


def ensure_capture_user(
    conn: Connection,
    database: str,
    password: SecretStr,
    report: InitReport,
    hosts: Sequence[str] = CAPTURE_HOSTS,
    url: URL | None = None,
) -> None:
    """Create or update the capture user on each host and grant exactly the documented privileges.

    MariaDB: the password is sent as its ``mysql_native_password`` hash (never in clear, so it cannot reach
    the general log) and only when the stored hash differs. MySQL 8.4 has that plugin off, so there the user
    gets ``caching_sha2_password`` (salted: a changed password is detected by trying it over ``url``).
    """
    check_identifier(database)
    mariadb = _is_mariadb(conn)
    hashed = mysql_native_hash(password)
    assert is_native_hash(hashed)
    global_privileges = GLOBAL_PRIVILEGES_MARIADB if mariadb else GLOBAL_PRIVILEGES_MYSQL
    mysql_login_works: bool | None = None
    for host in hosts:
        account = _account(host)
        stored = rows(
            conn,
            _NAME,
            "user lookup",
            "SELECT authentication_string FROM mysql.user WHERE User = :u AND Host = :h",
            {"u": CAPTURE_USER, "h": host},
        )
        if mariadb:
            clause, secret, unchanged = (
                "IDENTIFIED BY PASSWORD :pw",
                hashed,
                bool(stored) and stored[0][0] == hashed,
            )
        else:
            if stored and mysql_login_works is None:
                mysql_login_works = url is not None and _login_works(url, database, password)
            clause, secret, unchanged = (
                "IDENTIFIED BY :pw",
                password.get_secret_value(),
                bool(mysql_login_works),
            )
        if not stored:
            run(conn, _NAME, f"CREATE USER {account}", f"CREATE USER {account} {clause}", {"pw": secret})
            report.add("user", account, "created")
        elif not unchanged:
            run(conn, _NAME, f"ALTER USER {account}", f"ALTER USER {account} {clause}", {"pw": secret})
            report.add("user", account, "updated", "password changed")
        else:
            report.add("user", account, "present")
        _grant(conn, account, global_privileges, "*.*", report, "USER_PRIVILEGES", None, None)
        _grant(
            conn, account, DATABASE_PRIVILEGES, f"`{database}`.*", report, "SCHEMA_PRIVILEGES", database, None
        )
        _grant(
            conn,
            account,
            SIGNAL_PRIVILEGES,
            f"`{database}`.`{SIGNAL_TABLE}`",
            report,
            "TABLE_PRIVILEGES",
            database,
            SIGNAL_TABLE,
        )


def _grant(
    conn: Connection,
    account: str,
    privileges: Sequence[str],
    target: str,
    report: InitReport,
    view: str,
    database: str | None,
    table: str | None,
) -> None:
    where = "GRANTEE = :g"
    params: dict[str, str] = {"g": account}
    if database is not None:
        where += " AND TABLE_SCHEMA = :d"
        params["d"] = database
    if table is not None:
        where += " AND TABLE_NAME = :t"
        params["t"] = table
    held = {
        r[0]
        for r in rows(
            conn,
            _NAME,
            "grant lookup",
            f"SELECT PRIVILEGE_TYPE FROM information_schema.{view} WHERE {where}",
            params,
        )
    }
    missing = [p for p in privileges if p not in held]
    name = f"{', '.join(privileges)} ON {target.replace('`', '')} TO {account}"
    if missing:
        run(conn, _NAME, f"GRANT ON {target}", f"GRANT {', '.join(missing)} ON {target} TO {account}")
        report.add("grant", name, "created")
    else:
        report.add("grant", name, "present")


def _capture_engine(url: URL, database: str, password: SecretStr) -> Engine:
    target = server_url(url).set(
        username=CAPTURE_USER, password=password.get_secret_value(), database=database
    )
    return make_engine(target, SYSTEM.engine_title)


def _login_works(url: URL, database: str, password: SecretStr) -> bool:
    engine = _capture_engine(url, database, password)
    try:
        with connect(engine, SYSTEM.engine_title):
            return True
    except LegacyError:
        return False
    finally:
        engine.dispose()


def check_capture_login(url: URL, database: str, password: SecretStr) -> None:
    """Log in as the capture user over TCP and list the binlogs, as the connector will."""
    engine = _capture_engine(url, database, password)
    try:
        with connect(engine, SYSTEM.engine_title) as conn:
            run(conn, _NAME, "capture user lists the binlogs", "SHOW BINARY LOGS")
    except LegacyError as exc:  # refused login or statement: say it in the capture user's terms
        raise CaptureLoginError(_NAME, CAPTURE_USER, str(exc)) from None
    finally:
        engine.dispose()


def install(
    url: URL,
    password: SecretStr,
    *,
    database: str = SYSTEM.database,
    hosts: Sequence[str] = CAPTURE_HOSTS,
    capture_user: bool = True,
) -> InitReport:
    """Everything the box office needs, idempotently: database, tables, capture user, grants.

    ``url`` is an administrative login (root). ``capture_user=False`` creates only the database and tables
    (tests and the simulator use scratch databases that way).
    """
    report = InitReport(_NAME)
    engine = make_engine(server_url(url), SYSTEM.engine_title)
    try:
        with connect(engine, SYSTEM.engine_title) as conn:
            create_schema(conn, database, report)
            if capture_user:
                ensure_capture_user(conn, database, password, report, hosts, url)
    finally:
        engine.dispose()
    if capture_user and ("127.0.0.1" in hosts or "%" in hosts):
        check_capture_login(url, database, password)
    return report
