"""A real, throwaway PostgreSQL server for the tests: Debian's (or any) PostgreSQL binaries,
a cluster made with ``initdb`` in a temporary folder, owned by an unprivileged user (PostgreSQL
refuses to run as root), listening on a free 127.0.0.1 port and a unix socket in that folder,
stopped and removed at the end. Durability is switched off (a test cluster lives minutes).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from tests.ports import free_port

#: Where PostgreSQL's server binaries are looked for after PATH (Debian keeps them here).
BIN_GLOBS = ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin")
#: Unprivileged users the cluster may run as when the tests run as root.
RUN_AS = ("postgres", "nobody")


def server_binaries() -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``, or None."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        real = Path(found).resolve().parent
        return real if (real / "pg_ctl").exists() else Path(found).parent
    for pattern in BIN_GLOBS:
        for folder in sorted(glob.glob(pattern), reverse=True):
            if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
                return Path(folder)
    return None


class Cluster:
    """A running throwaway cluster; :meth:`database` makes a fresh empty database."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        # as root the server runs as another user, who must reach the folder: /tmp, not a
        # private TMPDIR
        private = os.geteuid() == 0 and Path("/tmp").is_dir()
        self.folder = Path(tempfile.mkdtemp(prefix="ivm-pg-", dir="/tmp" if private else None))
        self.data = self.folder / "data"
        self.port = free_port()
        self.user = None if os.geteuid() != 0 else next(
            (u for u in RUN_AS if _exists(u)), None)
        if os.geteuid() == 0 and self.user is None:
            raise RuntimeError("running as root and no unprivileged user (postgres, nobody) "
                               "to run PostgreSQL as")
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        os.chmod(self.folder, 0o700)

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120,
                              cwd=self.folder)
        if done.returncode:
            raise RuntimeError(f"{args[0]} failed: {done.stderr.strip()[-800:]}")

    def start(self) -> None:
        """initdb and start, waiting until it accepts connections."""
        self._run("initdb", "-D", str(self.data), "-U", "ivm", "-A", "trust", "-E", "UTF8",
                  "--no-locale", "--no-sync")
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=200 -c shared_buffers=32MB")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-o",
                  options, "-w", "-t", "60", "start")

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of a database of this cluster (over TCP on 127.0.0.1)."""
        return f"postgresql+psycopg://ivm@127.0.0.1:{self.port}/{database}"

    def database(self) -> str:
        """A fresh, empty database; its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(host="127.0.0.1", port=self.port, user="ivm", dbname="postgres",
                             autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
        return True
    except KeyError:
        return False


@contextlib.contextmanager
def running_cluster() -> Iterator[Cluster | None]:
    """A started cluster for the block (None when no PostgreSQL binaries are installed)."""
    bin_dir = server_binaries()
    if bin_dir is None:
        yield None
        return
    cluster = Cluster(bin_dir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
