"""gunicorn on loopback: the site, its cold twin, the bare-WSGI limit and the naive anchor."""

import gzip
import http.client
import os
import re
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
STARTUP_SECONDS = 60
SETTLE_SECONDS = 60


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def worker_rss_kib(self) -> list[int]:
        """Resident memory of each worker (children of the gunicorn master), from /proc."""
        return [rss_kib(pid) for pid in children(self.process.pid)]

    def settle(self, timeout: float = SETTLE_SECONDS) -> None:
        """Wait until the workers stop using CPU: wrk leaves requests queued when it stops,
        and the next run on this server must not wait behind them."""
        deadline = time.monotonic() + timeout
        previous = cpu_ticks(self.process.pid)
        quiet = 0
        while quiet < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
            current = cpu_ticks(self.process.pid)
            quiet = quiet + 1 if current - previous <= 1 else 0
            previous = current


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(name: str, app: str, env: dict[str, str], workdir: Path, *, workers: int) -> Server:
    """`gunicorn APP` with sync workers on a free loopback port; returns once it answers."""
    port = free_port()
    log = workdir / f"gunicorn-{name}.log"
    command = [
        str(GUNICORN),
        app,
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--worker-class=sync",
        f"--chdir={ROOT}",
        f"--error-logfile={log}",
        f"--name=newsroom-bench-{name}",
    ]
    environment = {**env, "SITE_URL": f"http://127.0.0.1:{port}"}
    process = subprocess.Popen(command, env=environment, stdin=subprocess.DEVNULL)
    server = Server(name=name, port=port, process=process, log=log)
    wait_until_ready(server, workers)
    return server


def wait_until_ready(server: Server, workers: int) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"gunicorn ({server.name}) stopped at start-up:\n{tail(server.log)}")
        if len(children(server.process.pid)) >= workers and answers(server.port):
            return
        time.sleep(0.2)
    stop(server)
    raise SystemExit(f"gunicorn ({server.name}) did not answer in {STARTUP_SECONDS} s.")


def answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/robots.txt")
        connection.getresponse().read()
        return True
    except OSError:
        return False


def stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(child) for child in text.split()]
    except OSError:
        pass
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The parent pid is the second field after the parenthesised command name.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def cpu_ticks(pid: int) -> int:
    """User and system CPU time of the workers of the master `pid`, in clock ticks."""
    total = 0
    for child in children(pid):
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime and stime are fields 14 and 15 of stat(5); fields[0] here is field 3.
        total += int(fields[11]) + int(fields[12])
    return total


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def fetch(server: Server, path: str, headers: dict[str, str] | None = None):
    """(status, headers as a list of pairs, body) of one GET."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def base_environment() -> dict[str, str]:
    """The caller's environment without anything that would turn debug on."""
    drop = {"DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE", "PYTHONPATH"}
    return {key: value for key, value in os.environ.items() if key not in drop}


def sitemap_page(server: Server) -> str:
    """`/sitemap.xml` when it lists every URL, else the first page its index names."""
    status, _, body = fetch(server, "/sitemap.xml")
    if status != 200:
        raise SystemExit(f"/sitemap.xml answered {status}")
    if b"<sitemapindex" not in body:
        return "/sitemap.xml"
    location = urlsplit(unescape(re.search(rb"<loc>([^<]+)</loc>", body)[1].decode()))
    return location.path + (f"?{location.query}" if location.query else "")


def capture(server: Server, paths: dict[str, str]) -> dict[str, tuple]:
    """Each page's status, headers and body from `server`; every one must answer 200."""
    captured = {}
    for name, path in paths.items():
        status, headers, body = fetch(server, path)
        if status != 200:
            raise SystemExit(f"{path} answered {status} on the {server.name} server; needs 200.")
        captured[name] = (status, headers, body)
    return captured


def story_bytes(server: Server, html: bytes) -> dict:
    """The story page's HTML and stylesheets, as sent and gzipped (WhiteNoise's .gz for CSS)."""
    sheets = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html)
    css = css_gzip = 0
    for href in sheets:
        _, _, body = fetch(server, href.decode())
        _, _, packed = fetch(server, href.decode(), {"Accept-Encoding": "gzip"})
        css, css_gzip = css + len(body), css_gzip + len(packed)
    return {
        "html": len(html),
        "html_gzip": len(gzip.compress(html)),
        "css": css,
        "css_gzip": css_gzip,
        "stylesheets": len(sheets),
    }
