"""Faults: Redis or the database going away for real, and the site coming back by itself.

Each test starts servers of its own (a private redis-server, a private PostgreSQL cluster,
gunicorn over an SQLite file it can take away) and stops them mid-test; nothing is mocked.

- Redis out of reach costs readers the cache, never a page: every request is rendered from
  the database, nothing is served from or stored in the cache (its generation cannot be read),
  a save still succeeds, and once Redis is back the change shows and pages are cached again,
  whether Redis comes back empty or with the data (and the pages) it had.
- The database out of reach: a short 503 (the site's page; JSON for the API; Retry-After;
  no-store), pages the cache holds still served, each outage logged once, and the site back
  without restarting anything.
"""

import json
import shutil
import tempfile
from http import HTTPStatus
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from articles.models import Article
from tests.servers import (
    PostgresCluster,
    RedisServer,
    Site,
    collected_static,
    free_port,
    postgres_cluster_available,
    seed_database,
    seeded_database,
    suite_uses_postgres,
    wait_until,
)
from tests.services import require
from tests.test_admin import ADD, article_form

STORY = "/2026/01/09/nyc-mayor-vows-no-ice-cooperation-amid-federal-agency-tensions/"
NOT_YET_CACHED = "/section/new-york/"
API = "/api/v1/articles/"
EDIT = (
    "from articles.models import Article; from articles.editorial import publishing; "
    "story = Article.objects.get(); story.headline = {!r}; publishing.save(story)"
)
REDIS_DOWN = "Redis (the page cache) is unreachable"
DATABASE_DOWN = "The database is unreachable"
PURGE_QUEUE_DOWN = "The database (the CDN purge queue) is unreachable"
UNAVAILABLE = "We’ll be back in a moment"


@pytest.fixture(scope="module")
def sqlite_seed(tmp_path_factory) -> Path:
    """A seeded SQLite file to copy: the suite's own on SQLite; on PostgreSQL one made here
    (the suite's sites would be databases on the shared server)."""
    if not suite_uses_postgres():
        return Path(seeded_database())
    collected_static()
    path = tmp_path_factory.mktemp("seed") / "seed.sqlite3"
    seed_database(f"sqlite:///{path}")
    return path


def sqlite_site(directory: Path, seed: Path, **settings: str) -> Site:
    """A site over a copy of `seed` in a folder of its own, which a test may take away."""
    folder = directory / "database"
    folder.mkdir(parents=True)
    shutil.copyfile(seed, folder / "site.sqlite3")
    site = Site(directory, **settings)
    site.database_url = site.env["DATABASE_URL"] = f"sqlite:///{folder / 'site.sqlite3'}"
    return site


def warm(site: Site, path: str) -> None:
    """Fetch `path` a few times. Each worker keeps its own copies in memory, and which one
    answers is not ours to choose: a test that needs a copy in every worker's memory runs
    one worker."""
    for _ in range(8):
        assert site.get(path).status == HTTPStatus.OK


def stored_pages(server: RedisServer) -> list[bytes]:
    return server.client().keys("faults:*page:*")


def log_of(site: Site) -> str:
    return (site.directory / "gunicorn.log").read_text(errors="replace")


# Redis stopped, under gunicorn.


@pytest.mark.parametrize("comes_back", ["empty", "with its data"])
def test_with_redis_stopped_pages_come_from_the_database_and_the_cache_resumes(
    tmp_path, sqlite_seed, comes_back
):
    with (
        RedisServer(tmp_path / "redis") as redis_server,
        sqlite_site(
            tmp_path / "site",
            sqlite_seed,
            CACHE_URL=redis_server.url,
            CACHE_KEY_PREFIX="faults",
        ) as site,
    ):
        first, second = site.get(STORY), site.get(STORY)
        assert first.status == second.status == HTTPStatus.OK
        assert "Age" not in first.headers and "Age" in second.headers  # stored, then served
        assert stored_pages(redis_server)

        # "With its data": dumped to disk and loaded again, as a Redis with persistence comes
        # back, with the token and the pages of before the change below.
        redis_server.stop(save=comes_back == "with its data")
        for _ in range(6):  # whichever worker answers, with its copy of the page in memory
            answer = site.get(STORY)
            assert answer.status == HTTPStatus.OK
            assert "Age" not in answer.headers
            assert "public" not in answer.header("Cache-Control")  # nor kept by the CDN
            assert "Redis" not in answer.text
        site.shell(EDIT.format("Mayor holds the line"))  # a save with Redis down: it succeeds
        for _ in range(4):
            assert "Mayor holds the line" in site.get(STORY).text

        redis_server.start()
        answers = [site.get(STORY) for _ in range(6)]
        assert all("Mayor holds the line" in answer.text for answer in answers)
        assert any("Age" in answer.headers for answer in answers)  # cached again...
        assert stored_pages(redis_server)  # ...and shared through Redis again
        log = log_of(site)
    # Once per worker that met the outage at most, however many requests it answered.
    assert 1 <= log.count(REDIS_DOWN) <= site.workers
    assert "Traceback" not in log


def test_a_redis_emptied_under_the_site_never_brings_back_an_older_page(tmp_path, sqlite_seed):
    with (
        RedisServer(tmp_path / "redis") as redis_server,
        sqlite_site(
            tmp_path / "site", sqlite_seed, CACHE_URL=redis_server.url, CACHE_KEY_PREFIX="faults"
        ) as site,
    ):
        warm(site, STORY)  # both workers keep it in memory, under the first token
        site.shell(EDIT.format("Mayor holds the line"))
        warm(site, STORY)
        # Emptied (an operator's FLUSHALL, a restart without persistence, an eviction): the
        # token starts again, and must not start where the workers' older copies were kept.
        redis_server.client().flushall()
        for _ in range(4):
            assert "Mayor holds the line" in site.get(STORY).text


# Redis stopped, in this process: an editor's save in the admin.


@pytest.fixture
def private_redis(tmp_path):
    with RedisServer(tmp_path / "redis") as server:
        cache = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "faults",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        with override_settings(CACHES={"default": cache}, PAGE_CACHE_ENABLED=True):
            yield server


@pytest.mark.django_db
@pytest.mark.parametrize("comes_back", ["empty", "with its data"])
def test_an_editor_saves_with_redis_stopped_and_readers_see_it_once_redis_is_back(
    admin_client, client, private_redis, section, author, commits, caplog, comes_back
):
    published = {
        "status": "published",
        "publish_at_0": "2026-01-05",
        "publish_at_1": "09:00:00",
    }
    with commits():
        admin_client.post(ADD, article_form(section, [author], **published))
    story = Article.objects.get()
    assert client.get(story.get_absolute_url()).status_code == HTTPStatus.OK
    assert "Age" in client.get(story.get_absolute_url())  # served from the cache
    caplog.clear()

    private_redis.stop(save=comes_back == "with its data")
    change = reverse("admin:articles_article_change", args=[story.pk])
    form = article_form(section, article=story, headline="Council passes a leaner budget")
    with commits():
        response = admin_client.post(change, {**form, **published})
    assert response.status_code == HTTPStatus.FOUND, response.context and response.context["errors"]
    during = client.get(story.get_absolute_url())
    assert "Council passes a leaner budget" in during.content.decode()
    assert "Age" not in during

    private_redis.start()
    after = [client.get(story.get_absolute_url()) for _ in range(2)]
    assert all("Council passes a leaner budget" in page.content.decode() for page in after)
    assert "Age" in after[1]
    unreachable = [record for record in caplog.records if REDIS_DOWN in record.getMessage()]
    assert len(unreachable) == 1 and unreachable[0].levelname == "ERROR"


# The database out of reach, under gunicorn.


def assert_unavailable_but_cached_pages_served(site: Site) -> None:
    for _ in range(3):  # whichever worker answers
        page = site.get(NOT_YET_CACHED)
        assert page.status == HTTPStatus.SERVICE_UNAVAILABLE
        assert UNAVAILABLE in page.text and "Traceback" not in page.text
        assert page.header("Retry-After") == "30"
        assert page.header("Cache-Control") == "no-store"
        api = site.get(API)
        assert api.status == HTTPStatus.SERVICE_UNAVAILABLE
        assert api.header("Content-Type") == "application/json"
        assert "try again" in json.loads(api.text)["detail"]
        assert api.header("Retry-After") == "30"
        cached = site.get(STORY)
        assert cached.status == HTTPStatus.OK and "Age" in cached.headers


def assert_back_without_a_restart(site: Site, gunicorn_pid: int) -> None:
    for _ in range(4):
        assert site.get(NOT_YET_CACHED).status == HTTPStatus.OK
        assert site.get(API).status == HTTPStatus.OK
    assert site.gunicorn.popen.pid == gunicorn_pid
    # No worker was replaced either: each wrote its pid once, as it loaded the app.
    assert len((site.directory / "workers-ready").read_text().split()) == site.workers


def assert_logged_once_per_worker(site: Site) -> None:
    # The purge sender polls the queue in each worker: its failures are logged once too.
    assert wait_until(lambda: PURGE_QUEUE_DOWN in log_of(site), timeout=20)
    log = log_of(site)
    assert 1 <= log.count(DATABASE_DOWN) <= site.workers
    assert log.count(PURGE_QUEUE_DOWN) <= site.workers
    assert "Traceback" not in log


# A purge endpoint that refuses connections: only the sender's polls of the queue matter here.
def purging() -> dict[str, str]:
    return {"CDN_PURGE_URL": f"http://127.0.0.1:{free_port()}/", "CDN_PURGE_POLL_SECONDS": "0.2"}


def test_with_the_sqlite_file_gone_readers_get_a_short_503_and_the_site_comes_back(
    tmp_path, sqlite_seed
):
    # No persistent connections: an open SQLite connection keeps reading a file moved away
    # (it holds the inode), so only a new connection meets the loss. One worker: pages are
    # kept in each worker's memory here, and warming cannot choose which worker answers.
    site = sqlite_site(
        tmp_path / "site", sqlite_seed, workers=1, DATABASE_CONN_MAX_AGE="0", **purging()
    )
    with site:
        warm(site, STORY)
        pid = site.gunicorn.popen.pid
        folder = Path(site.database_url.removeprefix("sqlite:///")).parent
        away = folder.with_name("database-away")
        folder.rename(away)
        folder.write_text("")  # a file where the folder was: nothing can open or create it

        assert_unavailable_but_cached_pages_served(site)
        assert_logged_once_per_worker(site)

        folder.unlink()
        away.rename(folder)
        assert_back_without_a_restart(site, pid)
        assert "The database answers again" in log_of(site)


@pytest.mark.postgres
def test_with_postgresql_stopped_readers_get_a_short_503_and_the_site_comes_back(tmp_path):
    require(postgres_cluster_available(), "no PostgreSQL 15 binaries to start a cluster with")
    import psycopg

    collected_static()
    # Outside pytest's temporary folder, which only root may enter (the cluster runs as the
    # postgres user when the tests run as root).
    directory = Path(tempfile.mkdtemp(prefix="newsroom-faults-pg-"))
    try:
        with PostgresCluster(directory) as cluster:
            with psycopg.connect(cluster.url(), autocommit=True) as admin:
                admin.execute("CREATE DATABASE newsroom")
            seed_database(cluster.url("newsroom"))
            # conn_health_checks and CONN_MAX_AGE=60, as in production.
            # One worker: its memory holds the cached page (warming cannot choose a worker).
            site = Site(tmp_path / "site", workers=1, **purging())
            site.database_url = site.env["DATABASE_URL"] = cluster.url("newsroom")
            with site:
                warm(site, STORY)
                warm(site, NOT_YET_CACHED.replace("new-york", "politics"))  # connections held
                pid = site.gunicorn.popen.pid
                cluster.stop()  # -m fast: every session is cut

                assert_unavailable_but_cached_pages_served(site)
                assert_logged_once_per_worker(site)

                cluster.start()  # same port, same data
                assert_back_without_a_restart(site, pid)
                assert "The database answers again" in log_of(site)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def test_a_change_saved_while_redis_was_away_shows_though_no_reader_met_the_outage(
    tmp_path, sqlite_seed
):
    # Two workers: one may have met Redis before the outage, the other may connect only after
    # it (nothing cut its connection): both learn of the restart, by Redis's run id.
    with (
        RedisServer(tmp_path / "redis") as redis_server,
        sqlite_site(
            tmp_path / "site", sqlite_seed, CACHE_URL=redis_server.url, CACHE_KEY_PREFIX="faults"
        ) as site,
    ):
        warm(site, STORY)
        # Away and back with its data, and only a command saw it go.
        redis_server.stop(save=True)
        site.shell(EDIT.format("Mayor holds the line"))
        redis_server.start()
        for _ in range(4):
            assert "Mayor holds the line" in site.get(STORY).text


def test_a_server_started_after_redis_came_back_with_old_pages_does_not_serve_them(
    tmp_path, sqlite_seed
):
    # Its workers' first connection is to the restarted Redis: nothing was cut, nothing
    # failed; only the run id stored with the token says Redis is not the one that had it.
    with RedisServer(tmp_path / "redis") as redis_server:
        settings = {"CACHE_URL": redis_server.url, "CACHE_KEY_PREFIX": "faults"}
        with sqlite_site(tmp_path / "first", sqlite_seed, **settings) as first:
            warm(first, STORY)
            database_url = first.database_url
            redis_server.stop(save=True)
            first.shell(EDIT.format("Mayor holds the line"))
        redis_server.start()
        assert stored_pages(redis_server), "Redis came back with the pages it had"
        second = Site(tmp_path / "second", **settings)
        second.database_url = second.env["DATABASE_URL"] = database_url
        with second:
            for _ in range(4):
                assert "Mayor holds the line" in second.get(STORY).text
