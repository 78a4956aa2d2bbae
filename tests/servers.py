"""A real Newsroom site for tests: its own database, gunicorn workers, other processes.

`Site` migrates and seeds a database of its own (an SQLite file, or a fresh PostgreSQL
database when the suite runs on PostgreSQL), serves it with gunicorn on a free loopback port,
and runs management commands (`shell -c` included) as separate processes with the same
settings: the way an operator's command and the web workers share a site.
"""

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")
REDIS_URL = "redis://127.0.0.1:6379/5"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_is_running() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


class Site:
    def __init__(self, directory: Path, *, cache: str = "default", **settings: str) -> None:
        self.directory = directory
        self.port = free_port()
        self.processes: list[subprocess.Popen] = []
        self.database_name = None
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{self.port}",
            "DATABASE_URL": self.make_database(),
            "PAGE_CACHE_GENERATION_FILE": str(directory / "page-cache-generation"),
            "CACHE_URL": REDIS_URL if cache == "redis" else "locmem://",
            "CACHE_KEY_PREFIX": f"site-{secrets.token_hex(6)}",
            **settings,
        }

    def make_database(self) -> str:
        suite = os.environ.get("DATABASE_URL", "")
        if not suite.startswith("postgres"):
            return f"sqlite:///{self.directory / 'site.sqlite3'}"
        self.database_name = f"newsroom_site_{secrets.token_hex(4)}"
        self.admin_sql(f'CREATE DATABASE "{self.database_name}"')
        return urlsplit(suite)._replace(path=f"/{self.database_name}").geturl()

    def admin_sql(self, sql: str) -> None:
        import psycopg

        config = dj_database_url.parse(os.environ["DATABASE_URL"])
        with psycopg.connect(
            host=config["HOST"],
            port=config["PORT"] or 5432,
            user=config["USER"],
            password=config["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        ) as connection:
            connection.execute(sql)

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def shell(self, code: str) -> str:
        """Run `code` in a new Python process of this site (like `manage.py shell -c`)."""
        return self.manage("shell", "-c", code).stdout

    def start(self, *, workers: int = 2) -> "Site":
        self.manage("migrate", "--no-input", "-v0")
        self.manage("loaddata", "seed", "-v0")
        # Production settings serve hashed static files: they must be collected first.
        self.manage("collectstatic", "--no-input", "-v0")
        log = (self.directory / "gunicorn.log").open("w")
        self.processes.append(
            subprocess.Popen(
                [str(GUNICORN), "newsroom.wsgi", "--bind", f"127.0.0.1:{self.port}"]
                + ["--workers", str(workers), "--access-logfile", str(self.access_log)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.get("/robots.txt")
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer: {(self.directory / 'gunicorn.log')}")

    @property
    def access_log(self) -> Path:
        return self.directory / "access.log"

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            connection.close()

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()
        if self.database_name:
            self.admin_sql(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')


def require_redis() -> None:
    if not redis_is_running():
        if os.environ.get("NEWSROOM_REQUIRE_SERVICES"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
