"""Varnish in front of the app, both for real: deploy/varnish/newsroom.vcl under varnishd,
the seeded site under gunicorn with two workers, purges sent by the app to Varnish.

Each test asks for its own address (`?case=…`; the query string is part of the cache key
of both caches), so what one test warms or purges does not decide another. The last tests
drive the VCL with a stand-in backend, whose lifetimes a test can set in seconds.
"""

import time
from http import HTTPStatus

import pytest

from tests import varnish
from tests.servers import request, wait_until
from tests.services import require

SEED_PATH = "/2026/01/09/nyc-mayor-vows-no-ice-cooperation-amid-federal-agency-tensions/"
SEED_HEADLINE = "NYC Mayor Vows No ICE Cooperation Amid Federal Agency Tensions"
NEW_HEADLINE = "NYC Mayor Restates Sanctuary Policy After Varnish Test"
# The shell's purge sender posts before its process exits; failing that, a web worker's poll
# (every CDN_PURGE_POLL_SECONDS, 2) would. Room to spare either way.
PURGE_WAIT_SECONDS = 10


@pytest.fixture(scope="module", autouse=True)
def varnish_installed():
    """Every test here needs varnishd and vmod xkey: skipped without them, saying which is
    missing (failed in CI, NEWSROOM_REQUIRE_SERVICES=1)."""
    reason = varnish.missing_reason()
    require(reason is None, f"Varnish tests: {reason}")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One site behind one varnishd for the module: `site.get` asks Varnish, `site.app` is
    the tests/servers.Site behind it."""
    with varnish.running_site(tmp_path_factory.mktemp("varnish-site")) as running:
        yield running


def page(case: str) -> str:
    return f"{SEED_PATH}?case={case}"


def warm(site, path: str) -> None:
    """Ask twice, so that the page is in Varnish (the second answer says so)."""
    first = site.get(path)
    assert first.status == HTTPStatus.OK, first.text[:500]
    assert first.header("X-Cache") == "MISS"
    second = site.get(path)
    assert second.header("X-Cache") == "HIT", second.headers


def app_saw(site, path: str, times: int) -> bool:
    """gunicorn writes its access line after answering: give it a moment to reach `times`."""
    wait_until(lambda: site.app.requests_for(path) >= times, timeout=3, every=0.05)
    return site.app.requests_for(path) == times


def surrogate_keys(site, path: str) -> list[str]:
    """The keys the app tags `path` with (Varnish keeps them from readers)."""
    return site.app.get(path).header("Surrogate-Key").split()


def test_the_vcl_compiles():
    returncode, output = varnish.compiled()
    assert returncode == 0, output[-3000:]


def test_a_warm_page_is_answered_without_reaching_the_app(site):
    path = page("warm")
    warm(site, path)
    hit = site.get(path)
    assert hit.header("X-Cache") == "HIT"
    assert SEED_HEADLINE in hit.text
    assert app_saw(site, path, 1)


def test_shareable_pages_say_so_and_keep_their_keys_from_readers(site):
    path = page("headers")
    from_app = site.app.get(path)
    control = from_app.header("Cache-Control")
    for directive in ("public", "s-maxage=", "stale-while-revalidate=", "stale-if-error="):
        assert directive in control, control
    assert from_app.header("ETag") and from_app.header("Last-Modified")
    assert "site" in surrogate_keys(site, path)
    through_varnish = site.get(path)
    assert through_varnish.header("Surrogate-Key") == ""
    assert through_varnish.header("xkey") == ""


def test_another_query_string_is_another_page(site):
    warm(site, page("query-a"))
    assert site.get(page("query-b")).header("X-Cache") == "MISS"


def test_reader_cookies_other_than_the_session_do_not_stop_caching(site):
    path = page("cookies")
    warm(site, path)
    answer = site.get(path, headers={"Cookie": "csrftoken=abc123; _ga=GA1.2.3.4; theme=dark"})
    assert answer.header("X-Cache") == "HIT"
    assert app_saw(site, path, 1)


def test_a_change_made_in_another_process_shows_through_varnish_on_the_next_request(site):
    path = page("change")
    warm(site, path)
    # The app's own page cache too, in both workers (the odds of missing one are 1 in 2**7):
    # the purge must not fetch an old copy from there.
    for _ in range(8):
        assert SEED_HEADLINE in site.app.get(path).text
    site.app.shell(
        "from articles.editorial import publishing\n"
        "from articles.models import Article\n"
        f"story = Article.objects.get(slug={SEED_PATH.split('/')[-2]!r})\n"
        f"story.headline = {NEW_HEADLINE!r}\n"
        "publishing.save(story)\n"
    )

    def new_page():
        answer = site.get(path)
        return answer if NEW_HEADLINE in answer.text else None

    answer = wait_until(new_page, timeout=PURGE_WAIT_SECONDS)
    assert answer, f"still the old headline through Varnish after {PURGE_WAIT_SECONDS}s"
    assert answer.status == HTTPStatus.OK
    assert SEED_HEADLINE not in answer.text


def test_a_front_through_varnish_follows_its_layout_and_the_stories_that_backfill_it(site):
    path = "/front/night-desk/?case=front"
    site.app.shell(
        "from fronts.models import Collection, Front\n"
        "front = Front.objects.create(name='Night desk', slug='night-desk')\n"
        "Collection.objects.create(front=front, title='Tonight', style='list', max_stories=3)\n"
    )
    warm(site, path)
    assert "Tonight" in site.get(path).text

    def through_varnish(path, text):
        return wait_until(lambda: text in site.get(path).text, timeout=PURGE_WAIT_SECONDS)

    # The layout changes: its key (front:<pk>) is purged.
    site.app.shell(
        "from fronts.models import Collection\n"
        "collection = Collection.objects.get(front__slug='night-desk')\n"
        "collection.title = 'After midnight'\n"
        "collection.save()\n"
    )
    assert through_varnish(path, "After midnight"), "the old layout still through Varnish"

    # A story published anywhere may backfill it: list:all is purged.
    path += "&again"
    warm(site, path)
    site.app.shell(
        "from articles.editorial import publishing\n"
        "from articles.models import Article, Author, Byline, Section\n"
        "story = Article.objects.create(headline='Polls close upstate', slug='polls-close',\n"
        "    section=Section.objects.first(), body='<p>The count begins.</p>')\n"
        "Byline.objects.create(article=story, author=Author.objects.first(), position=0)\n"
        "publishing.publish(story)\n"
    )
    assert through_varnish(path, "Polls close upstate"), "no backfill through Varnish"


def test_a_picture_is_kept_by_varnish_for_a_year_after_its_first_request(site):
    name = (
        site.app.shell(
            "from images import specs\n"
            "from tests import pictures\n"
            "image = pictures.library_image(pictures.jpeg_bytes(1600, 900))\n"
            "image.refresh_from_db()\n"
            "print(image.renditions(specs.WIDE)[0].name)\n"
        )
        .strip()
        .splitlines()[-1]
    )
    path = f"/media/{name}"

    first = site.get(path)
    second = site.get(path)

    assert first.status == HTTPStatus.OK
    assert first.header("Content-Type") == "image/webp"
    assert first.header("Cache-Control") == "public, max-age=31536000, immutable"
    assert (first.header("X-Cache"), second.header("X-Cache")) == ("MISS", "HIT")
    assert second.text == first.text and first.text
    assert app_saw(site, path, 1)


def test_a_purge_by_an_unknown_key_keeps_the_page_and_one_by_its_key_removes_it(site):
    path = page("purge")
    warm(site, path)
    unknown = site.purge("story:00000000-0000-0000-0000-000000000000 nothing-tagged-so")
    assert unknown.status == HTTPStatus.OK
    assert unknown.header("X-Purged") == "0"
    assert site.get(path).header("X-Cache") == "HIT"

    own_keys = [key for key in surrogate_keys(site, path) if key != "site"]
    assert own_keys, "the story page names no key of its own"
    purged = site.purge(own_keys[0])
    assert purged.status == HTTPStatus.OK
    assert int(purged.header("X-Purged")) >= 1
    assert site.get(path).header("X-Cache") == "MISS"


def test_purges_from_outside_the_allowed_addresses_are_refused(site):
    path = page("refused")
    warm(site, path)
    # 127.0.0.2 is loopback too, but not in the VCL's `purgers` ACL (127.0.0.1, ::1).
    refused = site.purge("site", source="127.0.0.2")
    assert refused.status == HTTPStatus.FORBIDDEN
    assert site.get(path).header("X-Cache") == "HIT"


def test_the_purge_address_takes_only_a_post_with_keys_and_never_reaches_the_app(site):
    assert site.purge("site", method="GET").status == HTTPStatus.METHOD_NOT_ALLOWED
    assert site.purge(None).status == HTTPStatus.BAD_REQUEST
    assert site.app.requests_for(varnish.PURGE_PATH) == 0


def test_a_logged_in_editor_is_never_served_from_the_cache_nor_stored_in_it(site):
    path = page("editor")
    session = site.app.shell(
        "from django.contrib.auth import get_user_model\n"
        "from django.test import Client\n"
        "user, _ = get_user_model().objects.get_or_create(\n"
        "    username='varnish-editor', defaults={'is_staff': True})\n"
        "client = Client()\n"
        "client.force_login(user)\n"
        "print(client.cookies['sessionid'].value)\n"
    ).strip()
    editor = {"Cookie": f"_ga=GA1.2.3.4; sessionid={session}; csrftoken=abc123"}

    first = site.get(path, headers=editor)
    assert first.status == HTTPStatus.OK
    assert first.header("X-Cache") == "PASS"
    control = first.header("Cache-Control")
    assert "private" in control or "no-store" in control, control
    assert site.get(path, headers=editor).header("X-Cache") == "PASS"
    assert app_saw(site, path, 2)
    # Nothing the editor was answered was kept: a reader's first request is a miss.
    assert site.get(path).header("X-Cache") == "MISS"
    assert site.get(path).header("X-Cache") == "HIT"
    # Nor is the editor given the reader's copy now kept.
    assert site.get(path, headers=editor).header("X-Cache") == "PASS"
    assert app_saw(site, path, 4)


@pytest.mark.parametrize("path", ["/admin/login/", "/admin/"])
def test_the_desk_is_never_cached(site, path):
    for _ in range(2):
        answer = site.get(path)
        assert answer.header("X-Cache") == "PASS"


def test_a_cached_page_is_served_while_the_app_is_down(site):
    path = page("app-down")
    warm(site, path)
    site.app.stop()
    try:
        answer = site.get(path)
        assert answer.status == HTTPStatus.OK
        assert answer.header("X-Cache") == "HIT"
        assert site.get(page("app-down-cold")).status == HTTPStatus.SERVICE_UNAVAILABLE
    finally:
        site.app.start()


# The VCL's own rules, against a stand-in backend whose lifetimes are a second or two.

SHORT = "public, max-age=0, s-maxage=1"


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory):
    with varnish.running_stand_in(tmp_path_factory.mktemp("varnish-stand-in")) as running:
        yield running


@pytest.fixture
def backend(stand_in):
    """The stand-in, answering 200 again; and a function asking Varnish for a path."""
    backend, port = stand_in
    if backend.server is None:
        backend.start()
    backend.answer = varnish.Answer()
    return backend, lambda path: request(port, path)


@pytest.mark.parametrize(
    ("name", "headers"),
    [
        ("no-cache-control", {}),
        ("private", {"Cache-Control": "private, no-store"}),
        ("no-cache", {"Cache-Control": "no-cache"}),
        ("set-cookie", {"Cache-Control": "public, s-maxage=60", "Set-Cookie": "csrftoken=abc"}),
    ],
)
def test_answers_not_marked_shareable_are_not_stored(backend, name, headers):
    stand_in, get = backend
    stand_in.answer.headers = headers
    path = f"/not-shared/{name}"
    assert [get(path).header("X-Cache") for _ in range(2)] == ["MISS", "MISS"]
    assert stand_in.hits(path) == 2


def test_errors_are_not_stored(backend):
    stand_in, get = backend
    stand_in.answer = varnish.Answer(500, "broken", {"Cache-Control": "public, s-maxage=60"})
    assert [get("/broken").status for _ in range(2)] == [500, 500]
    assert stand_in.hits("/broken") == 2


def test_within_stale_while_revalidate_the_old_copy_is_served_while_a_new_one_is_fetched(backend):
    stand_in, get = backend
    stand_in.answer.headers = {"Cache-Control": f"{SHORT}, stale-while-revalidate=30"}
    assert get("/swr").text == "v1 /swr"
    time.sleep(1.2)  # past s-maxage=1
    stand_in.answer.body = "v2"
    assert get("/swr").text == "v1 /swr"
    assert wait_until(lambda: get("/swr").text == "v2 /swr", timeout=5)


def test_without_stale_while_revalidate_an_expired_copy_is_never_served(backend):
    # As the app answers before a scheduled change: s-maxage ends there, no grace.
    stand_in, get = backend
    stand_in.answer.headers = {
        "Cache-Control": f"{SHORT}, stale-while-revalidate=0, stale-if-error=600"
    }
    assert get("/on-time").text == "v1 /on-time"
    time.sleep(1.2)  # past s-maxage=1
    stand_in.answer.body = "v2"
    assert get("/on-time").text == "v2 /on-time"


def test_within_stale_if_error_the_old_copy_is_served_when_the_app_fails_or_is_down(backend):
    stand_in, get = backend
    stand_in.answer.headers = {
        "Cache-Control": f"{SHORT}, stale-while-revalidate=0, stale-if-error=600"
    }
    assert get("/sie").text == "v1 /sie"
    time.sleep(1.2)  # past s-maxage=1
    stand_in.answer = varnish.Answer(500, "broken")
    failing = get("/sie")
    assert (failing.status, failing.text) == (200, "v1 /sie")
    assert stand_in.hits("/sie") == 2  # the app was asked first, once
    stand_in.stop()
    down = get("/sie")
    assert (down.status, down.text) == (200, "v1 /sie")
    assert get("/sie-never-cached").status == HTTPStatus.SERVICE_UNAVAILABLE
    stand_in.start()
    stand_in.answer = varnish.Answer(body="v2", headers={"Cache-Control": SHORT})
    # Varnish holds off a refused backend for a moment (backend_remote_error_holddown).
    assert wait_until(lambda: get("/sie").text == "v2 /sie", timeout=5)


def test_past_stale_if_error_the_app_error_is_shown(backend):
    stand_in, get = backend
    stand_in.answer.headers = {"Cache-Control": f"{SHORT}, stale-if-error=1"}
    assert get("/sie-short").text == "v1 /sie-short"
    time.sleep(2.2)  # past s-maxage=1 and stale-if-error=1
    stand_in.answer = varnish.Answer(500, "broken")
    assert get("/sie-short").status == 500
