"""Varnish for tests: varnishd with deploy/varnish/newsroom.vcl, in front of a real site
(tests/servers.Site, its purges sent to this varnishd) or of a stand-in backend whose
answers a test sets.

varnishd listens on a free loopback port and is stopped (by its own process id) when its
`with` block ends. `.ci/run` installs varnish and varnish-modules (vmod xkey); where they are
missing the tests are skipped and say why (and fail in CI, NEWSROOM_REQUIRE_SERVICES=1).
"""

import http.server
import itertools
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from tests.servers import Process, Response, Site, free_port, request

VCL = Path(__file__).resolve().parent.parent / "deploy" / "varnish" / "newsroom.vcl"
PURGE_PATH = "/.well-known/newsroom/purge"


def varnishd() -> str | None:
    return shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin:/usr/local/sbin")


@cache
def compiled() -> tuple[int, str]:
    """`varnishd -C` on deploy/varnish/newsroom.vcl: compile it (and find its vmods) without
    starting anything; its exit status and what it said. Once per test run."""
    with tempfile.TemporaryDirectory() as workdir:
        result = subprocess.run(
            [varnishd(), "-C", "-j", "none", "-n", workdir, "-f", str(VCL)],
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=60,
        )
    return result.returncode, result.stderr + result.stdout


@cache
def missing_reason() -> str | None:
    """Why Varnish tests cannot run here, or None when they can. A VCL that fails to compile
    for any other reason is not a skip: the compile test fails with the compiler's words."""
    if varnishd() is None:
        return "varnishd not installed (apt-get install varnish)"
    missing = re.search(r"Could not (?:find|load) VMOD (\w+)", compiled()[1])
    if missing:
        return f"vmod {missing[1]} not installed (apt-get install varnish-modules)"
    return None


def purge(port: int, keys: str | None, **options) -> Response:
    """POST the purge address of the varnishd on `port` with `Surrogate-Key: keys` (none
    when None), as the app does."""
    headers = {} if keys is None else {"Surrogate-Key": keys}
    options.setdefault("method", "POST")
    return request(port, PURGE_PATH, headers=headers, **options)


class Varnish:
    """varnishd with the VCL, its backend on `backend_port`, listening on `port`. Started at
    once (it compiles the VCL meanwhile); `wait()` returns once it listens."""

    def __init__(self, workdir: Path, *, backend_port: int, port: int | None = None) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        text, count = re.subn(
            r'(backend default \{[^}]*?\.port = )"\d+"', rf'\g<1>"{backend_port}"', VCL.read_text()
        )
        assert count == 1, f"{VCL} has no `backend default` with a .port to point at the test app"
        vcl = workdir / "newsroom.vcl"
        vcl.write_text(text)
        self.port = port or free_port()
        options = [
            ("-n", str(workdir / "state")),  # its shared memory log and compiled VCL
            ("-a", f"127.0.0.1:{self.port}"),
            ("-f", str(vcl)),
            # No privilege separation: as root, varnishd would switch to its own user, which
            # cannot read the test's private temporary directory.
            ("-j", "none"),
            ("-T", "none"),  # no management port: it is stopped with SIGTERM
            ("-s", "malloc,64m"),
            ("-p", "thread_pools=1"),
        ]
        self.process = Process(
            "varnishd",
            [varnishd(), "-F", *itertools.chain.from_iterable(options)],
            workdir / "varnishd.log",
            cwd=workdir,
        )

    def wait(self) -> None:
        self.process.wait_for_port(self.port, timeout=60)

    def stop(self) -> None:
        self.process.stop()


@contextmanager
def running_varnish(workdir: Path, *, backend_port: int) -> Iterator[int]:
    """varnishd with the VCL, its backend on `backend_port`; yields the port it listens on."""
    varnish = Varnish(workdir, backend_port=backend_port)
    try:
        varnish.wait()
        yield varnish.port
    finally:
        varnish.stop()


@dataclass
class VarnishedSite:
    """A tests/servers.Site (`app`) behind varnishd (on `port`)."""

    app: Site
    port: int

    def get(self, path: str, **options) -> Response:
        """Through Varnish, as a reader would."""
        return request(self.port, path, **options)

    def purge(self, keys: str | None, **options) -> Response:
        return purge(self.port, keys, **options)


@contextmanager
def running_site(root: Path) -> Iterator[VarnishedSite]:
    """The seeded site under gunicorn (two workers) behind Varnish, telling it of every change:
    SITE_URL and CDN_PURGE_URL name Varnish. With the suite on Redis (CACHE_URL, as in CI's
    PostgreSQL run), the site shares its pages through Redis, as app servers do in production.
    """
    root.mkdir(parents=True, exist_ok=True)
    # Both ports first: the site's settings name Varnish's, Varnish's backend the site's.
    app_port = free_port()
    varnish_port = free_port()
    while varnish_port == app_port:
        varnish_port = free_port()
    varnish = Varnish(root / "varnish", backend_port=app_port, port=varnish_port)
    try:
        with Site(
            root / "app",
            cache="redis" if os.environ.get("CACHE_URL", "").startswith("redis") else "default",
            port=app_port,
            SITE_URL=f"http://127.0.0.1:{varnish_port}",
            CDN_PURGE_URL=f"http://127.0.0.1:{varnish_port}{PURGE_PATH}",
        ) as app:
            varnish.wait()
            yield VarnishedSite(app, varnish_port)
    finally:
        varnish.stop()


@dataclass
class Answer:
    """What the stand-in backend says to every request until a test changes it."""

    status: int = 200
    body: str = "v1"
    headers: dict[str, str] = field(default_factory=dict)


class Server(http.server.ThreadingHTTPServer):
    allow_reuse_address = True  # started again on its old port after stop()


class StandIn:
    """A backend whose answer a test sets, counting the requests it gets (per path)."""

    def __init__(self) -> None:
        self.answer = Answer()
        self.requests: dict[str, int] = {}
        self.port = free_port()
        self.server: http.server.ThreadingHTTPServer | None = None

    def hits(self, path: str) -> int:
        return self.requests.get(path, 0)

    def start(self) -> None:
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                # One request per connection, so that stop() leaves none open to reuse.
                self.close_connection = True
                stand_in.requests[self.path] = stand_in.requests.get(self.path, 0) + 1
                answer = stand_in.answer
                body = f"{answer.body} {self.path}".encode()
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop answering: connections are refused, as from an app server that is down."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@contextmanager
def running_stand_in(workdir: Path) -> Iterator[tuple[StandIn, int]]:
    """A stand-in backend behind Varnish; yields it and Varnish's port."""
    stand_in = StandIn()
    stand_in.start()
    try:
        with running_varnish(workdir, backend_port=stand_in.port) as port:
            yield stand_in, port
    finally:
        stand_in.stop()
