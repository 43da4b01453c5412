"""Starting service processes detached from the caller, and stopping exactly those, by pid.

A pid file alone is not proof: after a reboot the pid may belong to something else. Every pid file also records
the process start time (``/proc/<pid>/stat`` field 22), and a pid only counts as ours while both match.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PidRecord:
    pid: int
    start_ticks: int


def _start_ticks(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) may contain spaces; fields after the closing parenthesis are fixed
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":  # a zombie has exited
        return None
    return int(fields[19])


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in process group ``pgid``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def read_pid(path: Path) -> PidRecord | None:
    """The live process recorded in ``path``, or None if there is none (or the pid now belongs to another)."""
    try:
        pid_text, _, ticks_text = path.read_text().strip().partition(" ")
        record = PidRecord(int(pid_text), int(ticks_text))
    except (OSError, ValueError):
        return None
    return record if _start_ticks(record.pid) == record.start_ticks else None


def write_pid(path: Path, pid: int) -> None:
    ticks = _start_ticks(pid)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{pid} {ticks or 0}\n")


def spawn(
    argv: Sequence[str],
    log_path: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    user: tuple[int, int] | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``argv`` in its own session (so the caller's Ctrl-C does not reach it), output appended to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            list(argv),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
            user=user[0] if user else None,
            group=user[1] if user else None,
            extra_groups=[] if user else None,
        )


def run_checked(
    argv: Sequence[str],
    log_path: Path,
    user: tuple[int, int] | None = None,
    env: Mapping[str, str] | None = None,
) -> int:
    """Run a one-off set-up command (initdb, storage format), output appended to ``log_path``; return its exit code."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        return subprocess.run(
            list(argv),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
            user=user[0] if user else None,
            group=user[1] if user else None,
            extra_groups=[] if user else None,
            check=False,
        ).returncode


def stop(record: PidRecord, sig: int = signal.SIGTERM, timeout_s: float = 60.0) -> None:
    """Send ``sig`` to the process group of ``record``, then SIGKILL what is left after ``timeout_s``."""

    def alive() -> bool:
        # the leader, or any process it left in its group (PostgreSQL backends, helper children)
        return _start_ticks(record.pid) == record.start_ticks or bool(group_members(record.pid))

    def signal_group(sig: int) -> None:
        try:
            os.killpg(record.pid, sig)
        except ProcessLookupError:
            pass
        except PermissionError:
            os.kill(record.pid, sig)

    signal_group(sig)
    if not wait_until(lambda: not alive(), timeout_s):
        signal_group(signal.SIGKILL)
        wait_until(lambda: not alive(), 10.0)
    # reap it if it is our own child (a stack started and stopped in one process, as tests do)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(record.pid, os.WNOHANG)


def wait_until(predicate: Callable[[], bool], timeout_s: float, interval_s: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout_s
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval_s)


def port_open(host: str, port: int, timeout_s: float = 0.5) -> bool:
    """True if something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def port_bindable(host: str, port: int) -> bool:
    """True if nothing holds host:port (a listener, or a socket in use)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


#: the LISTEN state in ``/proc/net/tcp`` (include/net/tcp_states.h)
_LISTEN = "0A"
LOCAL_PORT_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def port_holder(port: int) -> str | None:
    """What holds TCP ``port`` locally, from ``/proc/net/tcp``: ``"listener"`` if a socket listens on it,
    ``"connection"`` if only connections use it as their local end, None if neither is seen."""
    seen = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) < 4 or int(fields[1].rsplit(":", 1)[1], 16) != port:
                continue
            if fields[3] == _LISTEN:
                return "listener"
            seen = "connection"
    return seen


def local_port_range() -> range | None:
    """The ports the kernel picks the local ends of outgoing connections from (None where it cannot be read)."""
    try:
        low, high = (int(part) for part in LOCAL_PORT_RANGE.read_text().split())
    except (OSError, ValueError):
        return None
    return range(low, high + 1)


def tail(path: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of a log file (empty if it does not exist)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 64 * 1024))
            data = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])


def service_user(name: str) -> tuple[int, int] | None:
    """(uid, gid) of the system account a database server must run as when we are root, else None.

    PostgreSQL refuses to run as root; MariaDB should not. Debian's packages create the accounts.
    """
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def check_reachable(path: Path, user: tuple[int, int] | None, account: str) -> None:
    """Refuse early, and clearly, when a service account cannot traverse the directories above ``path``."""
    if user is None:
        return
    from stack.exceptions import StackError

    for parent in [path, *path.parents]:
        if not parent.exists():
            continue
        st = parent.stat()
        if st.st_uid == user[0]:
            continue
        reachable = st.st_mode & 0o001 or (st.st_gid == user[1] and st.st_mode & 0o010)
        if not reachable:
            raise StackError(
                f"the {account} account cannot reach {parent}: choose a stack home it can traverse "
                f"(INVENTORY_CDC_STACK_HOME) or run `chmod o+x {parent}`"
            )


def chown_tree(path: Path, user: tuple[int, int] | None) -> None:
    if user is None:
        return
    for root, dirs, files in os.walk(path):
        os.chown(root, *user)
        for entry in dirs + files:
            os.chown(os.path.join(root, entry), *user, follow_symlinks=False)
