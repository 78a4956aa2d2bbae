"""Newsroom benchmark: gunicorn with the production settings, measured with wrk.

    make bench                                   # 100,000 stories, the 60 s load test
    make bench BENCH_ARGS=--quick                # 2,000 stories, 2 s runs, no load test
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        CACHE_URL=redis://127.0.0.1:6379/2 .venv/bin/python bench/run.py --quick

See bench/README.md for what is measured and how to read it.
"""

import argparse
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bare_wsgi, database, fronts, pages, pictures, report, servers, wrk
from bench.report import say

ROOT = Path(__file__).resolve().parent.parent
LISTED_PAGES = ("front", "section", "tag", "search", "feed", "sitemap", "api")


@dataclass
class Target:
    """One thing wrk measures: a page on a server, with the bare-WSGI page of the same bytes."""

    name: str
    server: servers.Server
    path: str
    bare: str | None = None  # the bare server's path for this page's bytes
    inprocess: str | None = None  # the page measured in-process, if any
    scripts: list[tuple[str, ...]] = field(default_factory=list)  # per round: paths.lua args
    arranged: bool = False  # measured with the bench's home front in place (bench/fronts.py)
    runs: list[wrk.Result] = field(default_factory=list)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add = parser.add_argument
    add("--quick", action="store_true", help="smoke test: 2,000 stories, 2 s runs, 2 rounds")
    add("--stories", type=int, help="stories to generate (default 100,000; 2,000 with --quick)")
    add("--seed", type=int, default=7, help="generate_articles --seed (default 7)")
    add("--duration", type=float, help="seconds per wrk run (default 5; 2 with --quick)")
    add("--connections", type=int, default=16, help="wrk connections per run (default 16)")
    add("--threads", type=int, default=2, help="wrk threads per run (default 2)")
    add("--rounds", type=int, help="interleaved rounds, median reported (default 3; 2 quick)")
    add("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    add("--requests", type=int, help="in-process requests per page (default 20; 5 with --quick)")
    add("--many", type=int, default=6000, help="story URLs for the cold-many run (default 6000)")
    add("--cold-all", action="store_true", help="also measure every listed page cold")
    add(
        "--load",
        action=argparse.BooleanOptionalAction,
        help="the load test: 200 clients on the story and front pages (default: on, off --quick)",
    )
    add("--load-seconds", type=int, help="load test length (default 60; 10 with --quick)")
    add("--load-connections", type=int, default=200, help="load test clients (default 200)")
    add(
        "--pictures",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="a 24 MP JPEG as a story's lead: the bytes browsers fetch, renditions/s (default on)",
    )
    add("--picture-rounds", type=int, help="times the renditions are made again (3; 1 quick)")
    add("--cache-dir", type=Path, default=ROOT / "bench" / ".cache", help="built databases")
    add("--rebuild", action="store_true", help="rebuild the database even if it is cached")
    add("--results-dir", type=Path, default=ROOT / "bench" / "results", help="JSON output")
    add("--keep", action="store_true", help="keep the work directory (logs, pages, URL lists)")
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "stories": 2000 if quick else 100_000,
        "duration": 2.0 if quick else 5.0,
        "rounds": 2 if quick else 3,
        "requests": 5 if quick else 20,
        "load": not quick,
        "load_seconds": 10 if quick else 60,
        "picture_rounds": 1 if quick else 3,
    }
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    return args


def media_environment(workdir: Path) -> dict[str, str]:
    """Shared by the servers and this process: where pictures are kept (the work directory, on
    local disk, served by the app itself; never the project's media/ or an object store) and
    the page cache's generation file (this process moves it when it saves the bench picture)."""
    return {
        "MEDIA_ROOT": str(workdir / "media"),
        "MEDIA_STORAGE_URL": "",
        "PAGE_CACHE_GENERATION_FILE": str(workdir / "page-cache-generation"),
    }


def environments(args, database_url: str, secret: str, workdir: Path) -> dict[str, dict]:
    """The environment of each server: production settings, a throwaway secret, loopback."""
    base = servers.base_environment()
    base.update(
        {
            **media_environment(workdir),
            "DJANGO_SECRET_KEY": secret,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "DJANGO_TLS": "none",
            "DJANGO_LOG_LEVEL": "WARNING",
            # Each run its own keys in a shared Redis (and its own generation file, above).
            "CACHE_KEY_PREFIX": f"bench-{secret[:8]}",
        }
    )
    return {
        "warm": base,
        # Cold: nothing served from or stored in a cache, sitemaps included.
        "cold": {**base, "PAGE_CACHE": "off", "SITEMAP_CACHE_SECONDS": "0"},
        "naive": {**base, "DJANGO_SETTINGS_MODULE": "bench.naive.settings"},
        "bare": {**base, "BENCH_BARE_PAGES": str(workdir / "bare")},
    }


def collectstatic(env: dict) -> None:
    database.manage(["collectstatic", "--no-input", "--verbosity=0"], env)


def many_scripts(paths: list[str], rounds: int, threads: int, workdir: Path) -> list[tuple]:
    """One list of story paths per round, none shared between rounds: each run is cold."""
    share = max(1, len(paths) // rounds)
    scripts = []
    for number in range(rounds):
        chunk = paths[number * share : (number + 1) * share] or paths
        listing = workdir / f"stories-round-{number + 1}.txt"
        listing.write_text("\n".join(chunk) + "\n")
        scripts.append((str(listing), str(threads)))
    return scripts


def targets(args, running: dict, urls: dict[str, str], many: list[str], workdir) -> list[Target]:
    warm, cold = running["warm"], running["cold"]
    listed = [
        Target(name, warm, urls[name], bare=f"/{name}", inprocess=name) for name in LISTED_PAGES
    ]
    # The front page cold, then `/` with the arranged home front, warm and cold, beside it.
    arranged = {"bare": "/front-arranged", "inprocess": "front-arranged", "arranged": True}
    listed[1:1] = [
        Target("front, cold", cold, urls["front"], bare="/front", inprocess="front"),
        Target(fronts.LABEL, warm, urls["front"], **arranged),
        Target(f"{fronts.LABEL}, cold", cold, urls["front"], **arranged),
    ]
    if args.cold_all:
        listed += [
            Target(f"{name}, cold", cold, urls[name], bare=f"/{name}", inprocess=name)
            for name in LISTED_PAGES
            if name != "front"
        ]
    return [
        Target("story, cold", cold, urls["story"], bare="/story", inprocess="story"),
        Target(
            "story, cold, many",
            warm,
            urls["story"],
            bare="/story",
            scripts=many_scripts(many, args.rounds, args.threads, workdir),
        ),
        Target("story, warm", warm, urls["story"], bare="/story", inprocess="story"),
        Target("story, naive Django", running["naive"], urls["story"], bare="/naive"),
        *listed,
    ]


def warm_up(all_targets: list[Target], bare: servers.Server, workers: int) -> None:
    """Before each round, so every worker has loaded its code and holds the warm pages (each
    process keeps its own copies, and they expire): one more request at once than there are
    workers, so that each worker takes one."""
    with ThreadPoolExecutor(max_workers=workers + 1) as pool:
        for target in all_targets:
            if target.scripts:
                continue  # the cold-many run must find nothing cached
            for server, path in ((target.server, target.path), (bare, target.bare)):
                if path:
                    calls = [pool.submit(servers.fetch, server, path) for _ in range(workers + 1)]
                    for call in calls:
                        call.result()


def run_rounds(args, binary: str, all_targets: list[Target], bare: servers.Server) -> dict:
    """Each target then its bare page, in turn, `rounds` times: noise hits them all alike.
    In each round the arranged targets come last, with the home front in place only then."""
    bare_runs: dict[str, list[wrk.Result]] = {}
    options = {"seconds": args.duration, "connections": args.connections, "threads": args.threads}
    plain = [target for target in all_targets if not target.arranged]
    arranged = [target for target in all_targets if target.arranged]

    def run(targets: list[Target], number: int, measured_bare: set) -> None:
        warm_up(targets, bare, args.workers)
        for target in targets:
            script = {}
            if target.scripts:
                script = {"script": "paths.lua", "script_args": target.scripts[number]}
            target.runs.append(wrk.run(binary, target.server.url(target.path), **options, **script))
            target.server.settle()
            if target.bare and target.bare not in measured_bare:
                result = wrk.run(binary, bare.url(target.bare), **options)
                bare.settle()
                bare_runs.setdefault(target.bare, []).append(result)
                measured_bare.add(target.bare)

    for number in range(args.rounds):
        started = time.monotonic()
        measured_bare = set()
        run(plain, number, measured_bare)
        if arranged:
            with home_front(args):
                run(arranged, number, measured_bare)
        say(f"  round {number + 1}/{args.rounds}: {time.monotonic() - started:.0f} s")
    return bare_runs


def home_front(args):
    """The bench's home front in place for a block (bench/fronts.py); the servers told."""
    return fronts.arranged(args.seed, args.cache_url, args.cache_key_prefix)


def median_of(runs: list[wrk.Result]) -> dict:
    return {
        "rps": statistics.median(run.rps for run in runs),
        "p50_ms": statistics.median(run.p50_ms for run in runs),
        "p99_ms": statistics.median(run.p99_ms for run in runs),
        "requests": sum(run.requests for run in runs),
        "non_2xx_3xx": sum(run.non_2xx_3xx for run in runs),
        "socket_errors": sum(run.errors for run in runs),
        "rounds": [run.as_dict() for run in runs],
    }


def rows(all_targets, bare_runs, inprocess, captured) -> list[dict]:
    table = []
    for target in all_targets:
        page = "naive" if target.server.name == "naive" else target.bare.strip("/")
        row = {"name": target.name, "server": target.server.name, "path": target.path}
        row.update(median_of(target.runs))
        row["bytes"] = len(captured[page][2])
        if target.bare in bare_runs:
            row["bare"] = median_of(bare_runs[target.bare])
        if target.inprocess:
            row["inprocess"] = vars(inprocess[target.inprocess])
        if target.scripts:
            row["urls_per_round"] = len(Path(target.scripts[0][0]).read_text().split())
        table.append(row)
    return table


def arranged_page(running: dict, path: str) -> tuple:
    """`path` from the warm server with the home front in place, checked on both servers:
    the arranged page, every collection on it."""
    for name in ("cold", "warm"):
        page = servers.capture(running[name], {"front": path})["front"]
        body = page[2]
        sections = body.count(b'<section class="front-collection ')
        if b"page-front--arranged" not in body or sections != fronts.COLLECTIONS:
            raise SystemExit(
                f"{path} on the {name} server is not the arranged home front "
                f"({sections} collections, {fronts.COLLECTIONS} wanted)."
            )
    return page


def load_test(args, binary: str, server: servers.Server, urls: dict) -> dict:
    """`--load-connections` clients, half on the story page and half on the front page."""
    half = max(1, args.load_connections // 2)
    say(f"Load test: {half * 2} clients for {args.load_seconds} s…")
    options = {"seconds": args.load_seconds, "connections": half, "threads": 1}
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            name: pool.submit(
                wrk.run, binary, server.url(urls[name]), script="statuses.lua", **options
            )
            for name in ("story", "front")
        }
        results = {name: future.result().as_dict() for name, future in futures.items()}
    passed = all(
        run["statuses"].get("5xx", 0) == 0 and sum(run["socket_errors"].values()) == 0
        for run in results.values()
    )
    return {
        "connections": half * 2,
        "seconds": args.load_seconds,
        "runs": results,
        "passed": passed,
    }


def main(argv=None) -> None:
    args = parse_args(argv)
    binary = wrk.ensure_installed()
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    try:
        results = measure(args, binary, workdir)
    finally:
        if args.keep:
            say(f"Work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    engine = "postgres" if results["settings"]["engine"] == "postgresql" else "sqlite"
    path = report.write(results, args.results_dir, engine)
    say(f"\nResults: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def measure(args, binary: str, workdir: Path) -> dict:
    args.machine = report.machine()
    secret = secrets.token_urlsafe(32)
    requested_url = os.environ.get("DATABASE_URL", "sqlite://")
    base = {**servers.base_environment(), "DJANGO_SECRET_KEY": secret, "CACHE_URL": "locmem://"}
    database_url, built = database.prepare(
        requested_url,
        stories=args.stories,
        seed=args.seed,
        cache=args.cache_dir,
        rebuild=args.rebuild,
        env=base,
    )
    args.cache_url = os.environ.get("CACHE_URL", "locmem://")
    envs = environments(args, database_url, secret, workdir)
    collectstatic(envs["warm"])
    # The code the servers run is the code on disk when they start.
    args.git = report.git()
    args.cache_key_prefix = envs["warm"]["CACHE_KEY_PREFIX"]
    pages.setup_django(database_url, secret, media_environment(workdir))
    fronts.remove_leftovers()  # the time-ordered front page is measured without one
    urls = pages.choose()
    many = pages.story_paths(args.many, exclude=urls["story"], seed=args.seed)
    running = {}
    try:
        for name in ("warm", "cold", "naive"):
            app = "bench.naive.wsgi" if name == "naive" else "newsroom.wsgi"
            running[name] = servers.start(name, app, envs[name], workdir, workers=args.workers)
        return measure_with(args, binary, workdir, running, envs, urls, many, built)
    finally:
        for server in running.values():
            servers.stop(server)


def measure_with(args, binary, workdir, running, envs, urls, many, built) -> dict:
    urls["sitemap"] = servers.sitemap_page(running["warm"])
    captured = servers.capture(running["warm"], urls)
    captured["naive"] = servers.capture(running["naive"], {"naive": urls["story"]})["naive"]
    with home_front(args):
        captured["front-arranged"] = arranged_page(running, urls["front"])
    bare_wsgi.record(
        workdir / "bare", {f"/{name}": page for name, page in captured.items()}, "/story"
    )
    running["bare"] = servers.start(
        "bare", "bench.bare_wsgi", envs["bare"], workdir, workers=args.workers
    )
    rss = {"warm, after start-up": running["warm"].worker_rss_kib()}
    all_targets = targets(args, running, urls, many, workdir)
    say(f"Measuring {len(all_targets)} pages and their bare twins, {args.rounds} rounds…")
    bare_runs = run_rounds(args, binary, all_targets, running["bare"])
    rss["warm, after the rounds"] = running["warm"].worker_rss_kib()
    rss["cold, after the rounds"] = running["cold"].worker_rss_kib()
    inprocess = {
        name: pages.measure(urls[name], args.requests) for name in ("story", *LISTED_PAGES)
    }
    with home_front(args):
        inprocess["front-arranged"] = pages.measure(urls["front"], args.requests)
    load = None
    if args.load:
        load = load_test(args, binary, running["warm"], urls)
        rss["warm, after the load test"] = running["warm"].worker_rss_kib()
    picture = None
    if args.pictures:
        # Last, on idle servers: nothing else is measured with the picture's story in place.
        picture = pictures.measure(running["cold"], rounds=args.picture_rounds, seed=args.seed)
    results = assemble(args, binary, all_targets, bare_runs, inprocess, captured, built)
    results.update(load=load, rss_kib=rss, pictures=picture, front_arranged=fronts.describe())
    results["machine"]["load_average_end"] = list(os.getloadavg())
    after = report.git()
    if (after["commit"], after["diff_sha256"]) != (args.git["commit"], args.git["diff_sha256"]):
        results["git_changed_during_run"] = after
    results["story_bytes"] = servers.story_bytes(running["warm"], captured["story"][2])
    report.print_results(results)
    return results


def assemble(args, binary, all_targets, bare_runs, inprocess, captured, built) -> dict:
    import platform

    import django
    import gunicorn
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[1]
    cache_url = args.cache_url
    return {
        "machine": args.machine,
        "git": args.git,
        "versions": {
            "python": platform.python_version(),
            "django": django.get_version(),
            "database": pages.database_version(),
            "gunicorn": gunicorn.__version__,
            "wrk": wrk.version(binary),
            "redis": report.redis_version(cache_url),
        },
        "settings": {
            "engine": engine,
            "cache": cache_url.split("://", 1)[0],
            "stories": args.stories,
            "live_stories": pages.live_stories(),
            "seed": args.seed,
            "workers": args.workers,
            "worker_class": "sync",
            "connections": args.connections,
            "threads": args.threads,
            "duration": args.duration,
            "rounds": args.rounds,
        },
        "database": built,
        "pages": rows(all_targets, bare_runs, inprocess, captured),
    }


if __name__ == "__main__":
    main()
