"""wrk, Debian's HTTP load generator: finding (or installing) it, running it, reading its report."""

import os
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.report import say

LUA = Path(__file__).resolve().parent / "lua"
# Requests slower than this count as timeouts (wrk's default is 2 s; gunicorn's own is 30 s).
TIMEOUT = "30s"
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


@dataclass
class Result:
    """One wrk run, in milliseconds and requests per second."""

    url: str
    requests: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    non_2xx_3xx: int = 0
    socket_errors: dict[str, int] = field(
        default_factory=lambda: {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    )
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(self.socket_errors.values())

    def as_dict(self) -> dict:
        return asdict(self)


def ensure_installed() -> str:
    """The wrk binary; installed from Debian's packages when missing and we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit(
            "The benchmark needs wrk: install it with `sudo apt-get install wrk` and run again."
        )
    say("wrk not found: installing Debian's package (apt-get install -y wrk)…")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    quiet = {"env": environment, "stdout": subprocess.DEVNULL}
    if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], **quiet).returncode:
        subprocess.run(["apt-get", "update", "-q"], check=True, **quiet)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, **quiet)
    return shutil.which("wrk") or "/usr/bin/wrk"


def version(binary: str) -> str:
    # `wrk -v` prints its banner and exits 1.
    banner = subprocess.run([binary, "-v"], capture_output=True, text=True)
    words = (banner.stdout or banner.stderr).split()
    return words[1] if len(words) > 1 else "unknown"


def run(
    binary: str,
    url: str,
    *,
    seconds: float,
    connections: int,
    threads: int = 2,
    script: str | None = None,
    script_args: tuple[str, ...] = (),
) -> Result:
    """One `wrk --latency` run against `url`; a Lua script from bench/lua/ when named."""
    threads = max(1, min(threads, connections))
    command = [
        binary,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={TIMEOUT}",
        "--latency",
    ]
    if script:
        command += ["-s", str(LUA / script)]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    finished = subprocess.run(command, capture_output=True, text=True)
    if finished.returncode:
        raise RuntimeError(f"wrk failed on {url}: {finished.stderr.strip() or finished.stdout}")
    return parse(url, finished.stdout)


def parse(url: str, report: str) -> Result:
    """Read wrk's text report (with --latency, and the status counts bench/lua/ scripts print)."""
    result = Result(url=url)
    if match := re.search(r"(\d+) requests in ([\d.]+)(\w+),", report):
        result.requests = int(match[1])
        result.seconds = float(match[2]) * UNITS[match[3]] / 1000
    if match := re.search(r"Requests/sec:\s+([\d.]+)", report):
        result.rps = float(match[1])
    for percent, attribute in (("50", "p50_ms"), ("99", "p99_ms")):
        if match := re.search(
            rf"^\s+{percent}(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", report, re.M
        ):
            setattr(result, attribute, float(match[1]) * UNITS[match[2]])
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", report):
        result.non_2xx_3xx = int(match[1])
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report
    ):
        keys = ("connect", "read", "write", "timeout")
        result.socket_errors = dict(zip(keys, map(int, match.groups()), strict=True))
    for status_class, count in re.findall(r"^status (\dxx): (\d+)$", report, re.M):
        result.statuses[status_class] = int(count)
    return result
