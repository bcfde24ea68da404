"""A throwaway PostgreSQL cluster for the tests: initdb into a temporary folder, a unix socket in
that folder plus a free local TCP port (password logins), stopped and deleted at the end.

PostgreSQL refuses to run as root; as root (CI) the cluster runs as the ``postgres`` system user
that the Debian package creates (``.ci/run`` installs it), through ``runuser``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

HOW_TO_ENABLE = (
    "PostgreSQL server tests skipped: no initdb found (apt-get install postgresql, or put "
    "PostgreSQL's bin folder on PATH); IAMDESK_REQUIRE_PG=1 makes this an error"
)
SUPERUSER = "postgres"
PASSWORD_USER = "alice"
PASSWORD = "s3cret-Pa55word"  # the password-login tests look for this text everywhere


def find_bin() -> Path | None:
    """The folder holding initdb/pg_ctl: ``IAMDESK_PG_BINDIR`` if set, else PATH, else
    Debian's newest version."""
    chosen = os.environ.get("IAMDESK_PG_BINDIR")
    if chosen is not None:
        return Path(chosen) if (Path(chosen) / "initdb").exists() else None
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="iamdesk-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            self._as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres")
        self.root.chmod(0o755)
        self._count = 0
        self._template = ""

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as_user, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port}"
            f" -c unix_socket_directories={self.root} -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "start",
        )
        self.sql(
            f"CREATE ROLE {PASSWORD_USER} LOGIN PASSWORD '{PASSWORD}'",
            "CREATE ROLE reader LOGIN",
        )

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str, user: str = SUPERUSER) -> str:
        """A libpq-style URL over the unix socket (trust: no password)."""
        return f"postgresql://{user}@/{database}?host={self.root}&port={self.port}"

    def tcp_url(self, database: str, user: str = PASSWORD_USER, password: str | None = None) -> str:
        auth = f"{user}:{password}" if password is not None else user
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"

    def sql(self, *statements: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(
            host=str(self.root), port=self.port, user=SUPERUSER, dbname=database, autocommit=True
        ) as conn:
            for statement in statements:
                conn.execute(statement)  # type: ignore[arg-type]

    def new_database(self, owner: str = SUPERUSER, template: str = "template0") -> str:
        """A new database (empty unless ``template`` names a model); its name."""
        self._count += 1
        name = f"model{self._count}"
        self.sql(f"CREATE DATABASE {name} OWNER {owner} TEMPLATE {template} STRATEGY FILE_COPY")
        return name

    def new_model(self) -> str:
        """The URL of a new database holding a new, empty model (copied from one initialised
        once: initialising takes ~0.3 s, a copy ~30 ms)."""
        if not self._template:
            from iamdesk.store.db import open_database

            self._template = self.new_database()
            open_database(self.url(self._template)).close()
        return self.url(self.new_database(template=self._template))
