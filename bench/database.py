"""The benchmark's database: built once with `generate_articles`, then reused while it matches.

SQLite: a file under bench/.cache/. PostgreSQL (DATABASE_URL=postgres://…): a database named
`newsroom_bench_<stories>` on that server, created when missing, its build recorded in the
database's comment. Either is rebuilt when the story count, the seed, the migrations, the
generator or the pinned dependencies change (the `key`).
"""

import hashlib
import json
import re
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.report import say

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GENERATOR_FILES = [
    "articles/ingest/demo.py",
    "articles/ingest/demo_text.py",
    "articles/management/commands/generate_articles.py",
    "fixtures/seed.json",
    "constraints.txt",
]


def key(stories: int, seed: int) -> str:
    """What the database depends on: counts, the migration files of every app, the generator."""
    digest = hashlib.sha256(f"{stories}:{seed}".encode())
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
    for name in GENERATOR_FILES:
        path = ROOT / name
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:16]


def generator_commit() -> str:
    found = subprocess.run(
        ["git", "log", "-1", "--format=%H", "--", *GENERATOR_FILES[:3]],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return found.stdout.strip()


def prepare(url: str, *, stories: int, seed: int, cache: Path, rebuild: bool, env: dict) -> tuple:
    """(DATABASE_URL to benchmark, what is known of its build) for `url`'s engine."""
    wanted = key(stories, seed)
    if url.startswith(("postgres://", "postgresql://")):
        return prepare_postgres(url, stories, seed, wanted, rebuild, env)
    return prepare_sqlite(cache, stories, seed, wanted, rebuild, env)


def prepare_sqlite(cache: Path, stories, seed, wanted, rebuild, env) -> tuple:
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"sqlite-{stories}-seed{seed}-{wanted}.sqlite3"
    meta_path = path.with_suffix(".json")
    url = f"sqlite:///{path}"
    if path.exists() and meta_path.exists() and not rebuild:
        return url, {**json.loads(meta_path.read_text()), "reused": True}
    for stale in cache.glob(f"sqlite-{stories}-*"):
        stale.unlink()
    building = path.with_suffix(".building")
    building.unlink(missing_ok=True)
    meta = build(f"sqlite:///{building}", stories, seed, wanted, env)
    meta["bytes"] = building.stat().st_size
    building.rename(path)
    meta_path.write_text(json.dumps(meta, indent=1))
    return url, {**meta, "reused": False}


def prepare_postgres(url, stories, seed, wanted, rebuild, env) -> tuple:
    import psycopg

    name = f"newsroom_bench_{stories}"
    parts = urlsplit(url)
    bench_url = urlunsplit(parts._replace(path=f"/{name}"))
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
        meta = json.loads(row[0]) if row and row[0] else {}
        if row and meta.get("key") == wanted and not rebuild and live_count(bench_url) >= stories:
            return bench_url, {**meta, "reused": True}
        if row:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    meta = build(bench_url, stories, seed, wanted, env)
    # As autovacuum would in production (it may be off on a test server): without statistics
    # the planner takes 100,000 stories for a few dozen and picks plans to match.
    with psycopg.connect(bench_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        meta["bytes"] = admin.execute("SELECT pg_database_size(%s)", [name]).fetchone()[0]
        comment = json.dumps(meta).replace("'", "''")
        admin.execute(f"COMMENT ON DATABASE \"{name}\" IS '{comment}'")
    return bench_url, {**meta, "reused": False}


def live_count(url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url) as connection:
            query = "SELECT count(*) FROM articles_article WHERE status = 'published'"
            return connection.execute(query).fetchone()[0]
    except psycopg.Error:
        return -1


def build(url: str, stories: int, seed: int, wanted: str, env: dict) -> dict:
    """migrate, the seed fixture, then `generate_articles N --seed S`, timed."""
    environment = {**env, "DATABASE_URL": url}
    say(f"Building the benchmark database ({stories:,} stories, seed {seed})…")
    manage(["migrate", "--no-input", "--verbosity=0"], environment)
    manage(["loaddata", "seed", "--verbosity=0"], environment)
    started = time.perf_counter()
    output = manage(["generate_articles", str(stories), f"--seed={seed}"], environment)
    wall = time.perf_counter() - started
    reported = re.search(r" in ([\d.]+)s", output)
    say(f"  generate_articles {stories:,}: {wall:.1f} s")
    return {
        "key": wanted,
        "stories": stories,
        "seed": seed,
        "generate_seconds": round(wall, 2),
        "generate_seconds_reported": float(reported[1]) if reported else None,
        "generator_commit": generator_commit(),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def manage(arguments: list[str], env: dict) -> str:
    finished = subprocess.run(
        [str(PYTHON), "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if finished.returncode:
        raise SystemExit(f"manage.py {' '.join(arguments)} failed:\n{finished.stderr[-3000:]}")
    return finished.stdout
