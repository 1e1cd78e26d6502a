"""A throwaway PostgreSQL + PostGIS cluster for the tests marked ``postgis``.

The cluster lives in a temporary folder, listens only on a unix socket there (no TCP), and is started
on first use by a session-scoped fixture and stopped (``pg_ctl stop -m immediate``) and removed at the end
of the session, whether the tests passed or not. ``initdb`` refuses to run as root, so as root the
server's programs run as the ``postgres`` user (``runuser -u postgres -- …``) on a folder it owns.

A database template ``scimap_template`` has the PostGIS extension; :func:`fresh_database` copies it for
each test (``CREATE DATABASE … TEMPLATE``), so every test starts on an empty database of its own.

Nothing here skips: when the cluster cannot start, the fixture fails with the reason (the server's log).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

TEMPLATE = "scimap_template"


def _bindir() -> Path:
    """The newest installed PostgreSQL's programs (Debian: /usr/lib/postgresql/<major>/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    raise RuntimeError("PostgreSQL is not installed (no initdb): apt-get install postgresql postgresql-15-postgis-3")


def _as_server_user(cmd: list[str]) -> list[str]:
    """``cmd`` run as ``postgres`` when we are root (initdb refuses root), else as ourselves."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass
class Cluster:
    """A running throwaway cluster: its folder, socket folder and how to reach a database on it."""

    root: Path
    bindir: Path

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def url(self, dbname: str) -> str:
        """The ``postgresql://`` URL of a database on the cluster, through its unix socket."""
        return f"postgresql://postgres@/{dbname}?host={self.socket_dir}"

    def _run(self, cmd: list[str], what: str) -> None:
        r = subprocess.run(_as_server_user(cmd), capture_output=True, text=True, timeout=120)
        if r.returncode:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{what} failed ({r.returncode}): {r.stdout[-2000:]}{r.stderr[-2000:]}\n{log}")

    def start(self) -> None:
        """initdb, start the server on the socket folder, create the PostGIS template database."""
        self.socket_dir.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.socket_dir, "postgres", "postgres")
        self._run([str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", "postgres", "-A", "trust",
                   "-E", "UTF8", "--locale=C", "--no-sync"], "initdb")
        opts = f"-k {self.socket_dir} -c listen_addresses='' -F -c max_connections=40"
        self._run([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-o", opts, "-l", str(self.log), "-w",
                   "-t", "60", "start"], "pg_ctl start")
        self.execute("postgres", f"CREATE DATABASE {TEMPLATE}")
        self.execute(TEMPLATE, "CREATE EXTENSION postgis")

    def stop(self) -> None:
        """Stop the server (immediately) and remove its folder."""
        try:
            if (self.datadir / "postmaster.pid").exists():
                self._run([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "-w", "stop"],
                          "pg_ctl stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def execute(self, dbname: str, sql: str) -> None:
        """Run one statement outside a transaction (CREATE DATABASE, CREATE EXTENSION …)."""
        import psycopg
        with psycopg.connect(self.url(dbname), autocommit=True) as conn:
            conn.execute(sql)

    def fresh_database(self) -> str:
        """A new empty database with PostGIS (a copy of the template); its URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.execute("postgres", f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)


def start_cluster() -> Cluster:
    """Start a throwaway cluster in a new temporary folder (stopped and removed again if starting fails).

    Returns
    -------
    Cluster
    """
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="scimap-pg-")), _bindir())
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    return cluster


@pytest.fixture(scope="session")
def postgis_cluster() -> Iterator[Cluster]:
    """The session's throwaway cluster, started on first use and stopped at the end of the session; a test that
    needs it fails (never skips) when it cannot start."""
    try:
        cluster = start_cluster()
    except Exception as e:  # noqa: BLE001 — the reason (missing programs, the server's log) is the failure
        pytest.fail(f"the PostGIS test cluster cannot start: {type(e).__name__}: {e}", pytrace=False)
    yield cluster
    cluster.stop()


@pytest.fixture()
def postgis_url(postgis_cluster: Cluster) -> str:
    """The URL of a new empty database with PostGIS on the test cluster (one per test)."""
    return postgis_cluster.fresh_database()
