"""A real Newsroom site for tests: its own database, gunicorn workers, other processes.

`Site` serves a seeded database of its own (an SQLite file, or a PostgreSQL database when the
suite runs on PostgreSQL) with gunicorn on a loopback port, under the production settings
(`newsroom.settings`, the background purge sender included), and runs management commands
(`shell -c` included) as separate processes with the same settings: the way an operator's
command and the web workers share a site. Settings are environment variables, given as
keyword arguments (`Site(directory, CDN_PURGE_URL=...)`).

Once per test run, and for every site: `collectstatic` (production serves hashed static
files, into the working tree's gitignored `staticfiles/`, which CI collects only after the
tests), and `migrate` plus `loaddata seed` into a database that each site then copies.

Servers run in process groups of their own and are stopped by their own process ids.
"""

import atexit
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from tests.services import require

ROOT = Path(__file__).resolve().parents[1]
PYTHON = Path(sys.executable)
GUNICORN = PYTHON.with_name("gunicorn")
REDIS_URL = "redis://127.0.0.1:6379/5"
# All a site's processes get from the caller's environment: nothing of the suite's own
# settings (DATABASE_URL, CACHE_URL, DJANGO_*...) nor an operator's.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")


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


def require_redis() -> None:
    require(redis_is_running(), "Redis is not running on 127.0.0.1:6379")


def suite_uses_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres")


def wait_until(check: Callable[[], object], *, timeout: float, every: float = 0.2):
    """Call `check` until it returns something true (returned) or `timeout` seconds pass
    (then its last answer is returned)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if answer or time.monotonic() >= deadline:
            return answer
        time.sleep(every)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage  # `name in headers` and .get() ignore case
    text: str

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


def request(
    port: int,
    path: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    source: str | None = None,
    timeout: float = 15,
) -> Response:
    """One HTTP/1.1 request to 127.0.0.1:`port` (from loopback address `source`, if given),
    with `Host: 127.0.0.1`: the same page cache key whether it goes through a proxy or not."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(source, 0) if source else None
    )
    try:
        connection.request(method, path, headers={"Host": "127.0.0.1", **(headers or {})})
        answer = connection.getresponse()
        return Response(answer.status, answer.headers, answer.read().decode("utf-8", "replace"))
    finally:
        connection.close()


class Process:
    """A server started for a test, in a process group of its own, its output in a log."""

    def __init__(self, name: str, command: list[str], log: Path, **options) -> None:
        self.name, self.log = name, log
        with log.open("ab") as out:
            self.popen = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **options,
            )

    def check_running(self) -> None:
        if self.popen.poll() is not None:
            raise RuntimeError(f"{self.name} exited ({self.popen.returncode}):\n{self.tail()}")

    def wait_for_port(self, port: int, *, timeout: float = 30) -> None:
        def listening() -> bool:
            self.check_running()
            with socket.socket() as sock:
                sock.settimeout(0.5)
                return sock.connect_ex(("127.0.0.1", port)) == 0

        if not wait_until(listening, timeout=timeout, every=0.05):
            self.stop()
            raise RuntimeError(
                f"{self.name} did not listen on {port} in {timeout}s:\n{self.tail()}"
            )

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.popen.poll() is not None:
            return
        self.popen.terminate()
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            # Its own group only: the workers it forked, nothing else.
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=15)


def manage(env: dict[str, str], *args: str) -> str:
    """`manage.py ARGS` in a process of its own with `env`; its output."""
    result = subprocess.run(
        [str(PYTHON), str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} exited {result.returncode}:\n{result.stderr[-4000:]}"
        )
    return result.stdout


def environment(directory: Path, **settings: str) -> dict[str, str]:
    """A site's settings: the production module, everything else of its own."""
    return {
        **{name: os.environ[name] for name in PASSED_THROUGH if name in os.environ},
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MEDIA_ROOT": str(directory / "media"),
        # Every process of the site (the workers, each command) reads this one generation,
        # as on one server without Redis.
        "PAGE_CACHE_GENERATION_FILE": str(directory / "page-cache-generation"),
        "CACHE_URL": "locmem://",
        **settings,
    }


def admin_sql(sql: str) -> None:
    """One statement on the suite's PostgreSQL server, outside any database of a site."""
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


def postgres_url(name: str) -> str:
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()


@cache
def scratch() -> Path:
    """A directory for this test run's shared pieces, removed when it ends."""
    path = Path(tempfile.mkdtemp(prefix="newsroom-sites-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


@cache
def seeded_database() -> str:
    """Collect static files, and migrate and seed the database every site starts from (an
    SQLite file; or a PostgreSQL database that sites copy as a template): once per test run.
    Returns the file's path or the database's name."""
    if suite_uses_postgres():
        seed = f"newsroom_seed_{secrets.token_hex(4)}"
        admin_sql(f'CREATE DATABASE "{seed}"')
        atexit.register(admin_sql, f'DROP DATABASE IF EXISTS "{seed}" WITH (FORCE)')
        url = postgres_url(seed)
    else:
        seed = str(scratch() / "seed.sqlite3")
        url = f"sqlite:///{seed}"
    env = environment(scratch(), DATABASE_URL=url)
    # Production settings serve hashed static files: collected while the database is made.
    collecting = subprocess.Popen(
        [str(PYTHON), str(ROOT / "manage.py"), "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "loaddata", "seed", "-v0")
    finally:
        _, errors = collecting.communicate(timeout=180)
    if collecting.returncode != 0:
        raise RuntimeError(f"manage.py collectstatic exited {collecting.returncode}:\n{errors}")
    return seed


# Each worker writes its pid once it has loaded the app: `Site.start()` waits for them all,
# so that the first requests already find every worker (and each its own page cache).
GUNICORN_CONFIG = """
def post_worker_init(worker):
    with open({ready!r}, "a") as ready:
        ready.write(f"{{worker.pid}}\\n")
"""


class Site:
    """The seeded site under gunicorn on 127.0.0.1:`port` (a free one unless given), with
    `settings` (environment variables) over the defaults.

    `cache="redis"` shares pages and their generation through Redis (under a key prefix of
    the site's own), as several app servers do; the default keeps pages in each process and
    the generation in a file. `with Site(...) as site:` starts it and removes it after;
    `stop()` and `start()` in between stop and restart gunicorn alone, on the same port.
    """

    def __init__(
        self,
        directory: Path,
        *,
        cache: str = "default",
        port: int | None = None,
        workers: int = 2,
        **settings: str,
    ) -> None:
        assert cache in {"default", "redis"}, cache
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.port = port or free_port()
        self.workers = workers
        self.gunicorn: Process | None = None
        self.database_name: str | None = None
        self.database_url = ""
        self.redis_prefix = f"site-{secrets.token_hex(6)}" if cache == "redis" else ""
        shared = {"CACHE_URL": REDIS_URL, "CACHE_KEY_PREFIX": self.redis_prefix}
        self.env = environment(
            directory,
            **{
                "SITE_URL": f"http://127.0.0.1:{self.port}",
                **(shared if cache == "redis" else {}),
                **settings,
            },
        )

    def __enter__(self) -> "Site":
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc_info) -> None:
        self.close()

    def make_database(self) -> None:
        """A copy of the seeded database, for this site alone."""
        seed = seeded_database()
        if suite_uses_postgres():
            import psycopg

            self.database_name = f"newsroom_site_{secrets.token_hex(4)}"
            # The processes that made the template have exited, but PostgreSQL may take a
            # moment to see their sessions end (a template must have none).
            for attempt in range(50):
                try:
                    admin_sql(f'CREATE DATABASE "{self.database_name}" TEMPLATE "{seed}"')
                    break
                except psycopg.errors.ObjectInUse:
                    if attempt == 49:
                        raise
                    time.sleep(0.1)
            self.database_url = postgres_url(self.database_name)
        else:
            copy = self.directory / "site.sqlite3"
            shutil.copyfile(seed, copy)
            self.database_url = f"sqlite:///{copy}"
        self.env["DATABASE_URL"] = self.database_url

    def manage(self, *args: str) -> str:
        """`manage.py ARGS` in a new process of this site; its output."""
        return manage(self.env, *args)

    def shell(self, code: str) -> str:
        """Run `code` in a new process of this site (`manage.py shell -c`); its output."""
        return self.manage("shell", "--no-imports", "-c", code)

    def start(self) -> "Site":
        """Start gunicorn; return once every worker has loaded the app (and started its
        purge sender) and can answer."""
        if not self.database_url:
            self.make_database()
        ready = self.directory / "workers-ready"
        ready.write_text("")
        config = self.directory / "gunicorn.conf.py"
        config.write_text(GUNICORN_CONFIG.format(ready=str(ready)))
        self.gunicorn = Process(
            "gunicorn",
            [
                str(GUNICORN),
                "newsroom.wsgi",
                *("--config", str(config)),
                *("--bind", f"127.0.0.1:{self.port}"),
                *("--workers", str(self.workers)),
                *("--access-logfile", str(self.access_log)),
                *("--graceful-timeout", "5"),
            ],
            self.directory / "gunicorn.log",
            cwd=ROOT,
            env=self.env,
        )

        def all_workers_ready() -> bool:
            self.gunicorn.check_running()
            return len(ready.read_text().split()) >= self.workers

        if not wait_until(all_workers_ready, timeout=60, every=0.05):
            log = self.gunicorn.tail()
            self.stop()
            raise RuntimeError(f"gunicorn's workers were not ready in 60s:\n{log}")
        return self

    def get(self, path: str, **options) -> Response:
        """Straight from gunicorn; `options` as for `request`."""
        return request(self.port, path, **options)

    @property
    def access_log(self) -> Path:
        return self.directory / "access.log"

    def requests_for(self, path: str) -> int:
        """How many GETs of exactly `path` (query string included) reached gunicorn (cached
        answers included: the access log has a line for each, once it has answered)."""
        if not self.access_log.exists():
            return 0
        needle = f'"GET {path} HTTP/'
        return sum(needle in line for line in self.access_log.read_text().splitlines())

    def stop(self) -> None:
        """Stop gunicorn (gracefully: its workers send what purges they can as they exit)."""
        if self.gunicorn is not None:
            self.gunicorn.stop()
            self.gunicorn = None

    def close(self) -> None:
        """Stop gunicorn and remove what the site kept outside its directory."""
        self.stop()
        if self.database_name:
            admin_sql(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')
            self.database_name = None
        if self.redis_prefix and redis_is_running():
            import redis

            client = redis.Redis.from_url(REDIS_URL)
            for key in client.scan_iter(f"{self.redis_prefix}:*", count=1000):
                client.delete(key)


class RedisServer:
    """A private redis-server on 127.0.0.1:`port` (a free one unless given), keeping nothing
    on disk (`--save '' --appendonly no`) unless told to dump (`stop(save=True)`), so that a
    test can stop it and start it again on the same port, empty or with its data."""

    def __init__(self, directory: Path, *, port: int | None = None) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.port = port or free_port()
        self.process: Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> "RedisServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> "RedisServer":
        self.process = Process(
            "redis-server",
            [
                "redis-server",
                *("--port", str(self.port)),
                *("--bind", "127.0.0.1"),
                *("--dir", str(self.directory)),
                *("--save", ""),
                *("--appendonly", "no"),
            ],
            self.directory / "redis.log",
        )
        self.process.wait_for_port(self.port)
        return self

    def stop(self, *, save: bool = False) -> None:
        """Stop it; with `save`, first write its data to disk, which the next start() loads
        (as a Redis with persistence comes back from a restart)."""
        if self.process is None:
            return
        if save:
            import redis

            redis.Redis.from_url(self.url).save()
        self.process.stop()
        self.process = None

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)


PG_BIN = Path("/usr/lib/postgresql/15/bin")


def postgres_cluster_available() -> bool:
    return (PG_BIN / "initdb").exists() and (os.geteuid() != 0 or shutil.which("runuser"))


class PostgresCluster:
    """A private PostgreSQL cluster in `directory`, on 127.0.0.1:`port` (a free one unless
    given), that a test may stop and start again: a database server going away for real.

    initdb refuses to run as root: as root, the cluster runs as the `postgres` user."""

    def __init__(self, directory: Path, *, port: int | None = None) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.data = directory / "data"
        self.port = port or free_port()

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        result = subprocess.run(
            [*prefix, *command],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} exited {result.returncode}:\n"
                f"{result.stdout[-2000:]}{result.stderr[-2000:]}"
            )

    def __enter__(self) -> "PostgresCluster":
        if os.geteuid() == 0:
            shutil.chown(self.directory, user="postgres")
        self._run(
            str(PG_BIN / "initdb"),
            *("-D", str(self.data)),
            *("-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"),
        )
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> "PostgresCluster":
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off"
        self._run(
            str(PG_BIN / "pg_ctl"),
            *("-D", str(self.data), "-o", options, "-l", str(self.directory / "postgres.log")),
            *("-w", "start"),
        )
        return self

    def stop(self) -> None:
        """Stop it at once (`-m fast`: sessions are cut, as when a server goes away)."""
        if (self.data / "postmaster.pid").exists():
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


@cache
def collected_static() -> None:
    """collectstatic once per test run, for sites made without `seeded_database()`."""
    manage(
        environment(scratch(), DATABASE_URL=f"sqlite:///{scratch() / 'unused.sqlite3'}"),
        *("collectstatic", "--no-input", "-v0"),
    )


def seed_database(url: str) -> None:
    """Migrate and seed the (empty) database at `url`, as `seeded_database()` does its own."""
    env = environment(scratch(), DATABASE_URL=url)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "loaddata", "seed", "-v0")
