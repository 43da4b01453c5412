"""A private MariaDB instance with a row-based binlog, for the box-office system (MySQL dialect)."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pymysql

from stack import process
from stack.binaries import find
from stack.exceptions import StackError
from stack.services.base import Service

#: Settings Debezium's MariaDB connector needs: row binlog with full images and a server id.
SERVER_SETTINGS: dict[str, str] = {
    "log-bin": "binlog",
    "binlog-format": "ROW",
    "binlog-row-image": "FULL",
    "server-id": "1",
    # binlogs older than this are purged; a connector stopped for longer loses its position
    "binlog-expire-logs-seconds": "604800",
    "character-set-server": "utf8mb4",
    "collation-server": "utf8mb4_general_ci",
    "default-time-zone": "+00:00",
    "max-connections": "300",
    "innodb-buffer-pool-size": "256M",
    "skip-name-resolve": "ON",
}


class MariaDB(Service):
    name = "mariadb"
    port_field = "mariadb_port"
    binaries = ("mariadbd", "mariadb-install-db")
    run_as = "mysql"

    @property
    def init_file(self) -> os.PathLike[str]:
        return self.data_dir / "init.sql"

    def prepare(self) -> None:
        data = self.data_dir / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        process.check_reachable(self.data_dir, self.user, "mysql")
        if not (data / "mysql").is_dir():
            data.mkdir(parents=True, exist_ok=True)
            process.chown_tree(self.data_dir, self.user)
            code = process.run_checked(
                [
                    find("mariadb-install-db"),
                    "--no-defaults",
                    f"--datadir={data}",
                    "--auth-root-authentication-method=normal",
                    "--skip-test-db",
                    *([f"--user={self.run_as}"] if self.user else []),
                ],
                self.log_path,
            )
            if code != 0:
                raise StackError(
                    f"mariadb-install-db failed with exit code {code}; log {self.log_path}, "
                    f"last lines:\n{process.tail(self.log_path, 5)}"
                )
        # Root's password is (re)set on every start from the stack's secrets, through an init file that only
        # the server account can read and that is removed once the server answers.
        password = self.settings.secrets.mariadb_root_password.get_secret_value().replace("'", "''")
        statements = [
            f"CREATE USER IF NOT EXISTS 'root'@'localhost' IDENTIFIED BY '{password}';",
            f"ALTER USER 'root'@'localhost' IDENTIFIED BY '{password}';",
            f"CREATE USER IF NOT EXISTS 'root'@'{self.settings.host}' IDENTIFIED BY '{password}';",
            f"ALTER USER 'root'@'{self.settings.host}' IDENTIFIED BY '{password}';",
            f"GRANT ALL PRIVILEGES ON *.* TO 'root'@'{self.settings.host}' WITH GRANT OPTION;",
        ]
        init = self.data_dir / "init.sql"
        fd = os.open(init, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("\n".join(statements) + "\n")
        process.chown_tree(self.data_dir, self.user)

    def command(self) -> Sequence[str]:
        argv = [
            find("mariadbd"),
            "--no-defaults",
            f"--datadir={self.data_dir / 'data'}",
            f"--port={self.port}",
            f"--bind-address={self.settings.host}",
            f"--socket={self.data_dir / 'mariadb.sock'}",
            f"--pid-file={self.data_dir / 'mariadbd.pid'}",
            f"--init-file={self.data_dir / 'init.sql'}",
        ]
        argv += [f"--{key}={value}" for key, value in SERVER_SETTINGS.items()]
        return argv

    def healthy(self) -> bool:
        try:
            conn = pymysql.connect(
                host=self.settings.host,
                port=self.port,
                user="root",
                password=self.settings.secrets.mariadb_root_password.get_secret_value(),
                connect_timeout=2,
            )
        except pymysql.MySQLError:
            return False
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT @@log_bin, @@binlog_format")
                row = cur.fetchone()
                return row is not None and int(row[0]) == 1 and row[1] == "ROW"
        finally:
            conn.close()

    def after_healthy(self) -> None:
        (self.data_dir / "init.sql").unlink(missing_ok=True)

    def after_stop(self) -> None:
        (self.data_dir / "init.sql").unlink(missing_ok=True)
