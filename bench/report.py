"""What a run prints and keeps: one table, the load test, memory, and a JSON file."""

import hashlib
import json
import os
import platform
import subprocess
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PAGE_WIDTH = 24  # the page column's width, at least (wider for a longer row name)
COLUMNS = (
    f"{'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'bare req/s':>10} {'ratio':>6} "
    f"{'in-proc ms':>10} {'queries':>7} {'KB':>6}"
)


def say(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def number(value, spec: str, missing: str = "—") -> str:
    return missing if value is None else format(value, spec)


def table(rows: list[dict]) -> list[str]:
    width = max([PAGE_WIDTH, *(len(row["name"]) for row in rows)])
    lines = [f"{'page':<{width}} {COLUMNS}"]
    for row in rows:
        bare = row.get("bare") or {}
        inprocess = row.get("inprocess") or {}
        ratio = row["rps"] / bare["rps"] if bare.get("rps") else None
        lines.append(
            f"{row['name']:<{width}} {row['rps']:>8,.0f} {row['p50_ms']:>8.1f} "
            f"{row['p99_ms']:>8.1f} "
            f"{number(bare.get('rps'), ',.0f'):>10} {number(ratio, '.2f'):>6} "
            f"{number(inprocess.get('p50_ms'), '.1f'):>10} "
            f"{number(inprocess.get('queries'), 'd'):>7} {row['bytes'] / 1024:>6.0f}"
        )
    return lines


def load_lines(load: dict) -> list[str]:
    lines = [
        f"Under load: {load['connections']} clients for {load['seconds']} s "
        f"(split evenly over the pages), warm server:"
    ]
    for name, run in load["runs"].items():
        errors = run["socket_errors"]
        server_errors = run["statuses"].get("5xx", 0)
        lines.append(
            f"  {name:<8} {run['requests']:>8,} requests {run['rps']:>8,.0f} req/s  "
            f"p50 {run['p50_ms']:,.0f} ms  p99 {run['p99_ms']:,.0f} ms  5xx {server_errors}  "
            f"non-2xx/3xx {run['non_2xx_3xx']}  socket errors {sum(errors.values())} "
            f"(connect {errors['connect']}, read {errors['read']}, write {errors['write']}, "
            f"timeout {errors['timeout']})"
        )
    verdict = "PASS" if load["passed"] else "FAIL"
    lines.append(f"  {verdict}: zero 5xx and zero socket errors is the target")
    return lines


def rss_line(label: str, kib: list[int]) -> str:
    figures = ", ".join(f"{value / 1024:.0f}" for value in kib) or "none"
    return f"  {label}: {figures} MB"


def machine() -> dict:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kib = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(memory_kib / 2**20, 1),
        "kernel": platform.release(),
        "load_average": list(os.getloadavg()),
    }


def git() -> dict:
    def run(*arguments):
        finished = subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True)
        return finished.stdout.strip()

    # --no-optional-locks: reading the status must not rewrite the index.
    changes = run("--no-optional-locks", "status", "--porcelain").splitlines()
    diff = run("--no-optional-locks", "diff", "HEAD").encode()
    return {
        "commit": run("rev-parse", "HEAD"),
        "dirty": bool(changes),
        "changed": changes,
        # Which uncommitted state was measured (tracked files only).
        "diff_sha256": hashlib.sha256(diff).hexdigest()[:16] if diff else None,
    }


def redis_version(url: str) -> str | None:
    if not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    return redis.Redis.from_url(url).info()["redis_version"]


def write(results: dict, directory: Path, engine: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = directory / f"{stamp}-{engine}.json"
    path.write_text(json.dumps(results, indent=1, default=str) + "\n")
    return path


def print_results(results: dict) -> None:
    settings, built = results["settings"], results["database"]
    say()
    generate = f"generate_articles {built['stories']:,}: {built['generate_seconds']:.1f} s"
    if built.get("reused"):
        generate += f" (when the cached database was built, {built['built_at']})"
    say(generate)
    say(
        f"{settings['live_stories']:,} live stories on {results['versions']['database']}, "
        f"cache {settings['cache']}; gunicorn {settings['workers']} {settings['worker_class']} "
        f"workers; wrk -t{settings['threads']} -c{settings['connections']} "
        f"-d{settings['duration']:g}s, median of {settings['rounds']} round"
        f"{'s' if settings['rounds'] > 1 else ''}:"
    )
    machine = results["machine"]
    say(
        f"Machine: {machine['nproc']} × {machine['cpu']}, load average "
        f"{machine['load_average'][0]:.1f} at the start, {machine['load_average_end'][0]:.1f} "
        "at the end (other work on the machine slows every row alike, not the ratios)."
    )
    say()
    for line in table(results["pages"]):
        say(line)
    by_name = {row["name"]: row for row in results["pages"]}
    naive = by_name["story, naive Django"]["rps"]
    say()
    for name in ("story, cold", "story, warm"):
        say(f"{name} ÷ naive Django story: {by_name[name]['rps'] / naive:.2f}x (target ≥ 4x)")
    many = by_name["story, cold, many"]
    say(
        f"story, cold, many: cache on, {many['urls_per_round']:,} different stories per round "
        f"({many['requests'] / settings['rounds']:,.0f} requests a round), none asked for twice"
        if many["requests"] <= many["urls_per_round"] * settings["rounds"]
        else f"story, cold, many: {many['urls_per_round']:,} stories per round, some asked twice"
    )
    if results.get("front_arranged"):
        from bench import fronts

        for line in fronts.lines(results["front_arranged"], by_name):
            say(line)
    sizes = results["story_bytes"]
    say(
        f"Story page bytes: HTML {sizes['html'] / 1024:.1f} KB + CSS {sizes['css'] / 1024:.1f} KB"
        f" = {(sizes['html'] + sizes['css']) / 1024:.1f} KB (gzipped "
        f"{sizes['html_gzip'] / 1024:.1f} + {sizes['css_gzip'] / 1024:.1f} KB)"
    )
    if results.get("pictures"):
        from bench import pictures

        say()
        for line in pictures.lines(results["pictures"]):
            say(line)
    if results["load"]:
        say()
        for line in load_lines(results["load"]):
            say(line)
    say("gunicorn worker RSS:")
    for label, kib in results["rss_kib"].items():
        say(rss_line(label, kib))
    commit = results["git"]
    say(f"Code: {commit['commit'][:10]}{' with uncommitted changes' if commit['dirty'] else ''}")
    if "git_changed_during_run" in results:
        say("  The code changed during the run: the servers ran what was there at their start.")
