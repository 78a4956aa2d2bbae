import pytest
from django.core.management import call_command

from caching import generation, pages
from tests.browser import browser  # noqa: F401 (a fixture: one Chromium per test module)
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory, staff_user
from tests.ninjs_schemas import validators  # noqa: F401 (a fixture: the IPTC ninjs schemas)


@pytest.fixture
def section(db):
    return SectionFactory(name="New York", slug="new-york")


@pytest.fixture
def author(db):
    return AuthorFactory(name="Ana Reyes", slug="ana-reyes")


@pytest.fixture
def editor(db):
    return staff_user("ed", "Editor")


@pytest.fixture
def reporter(db):
    return staff_user("rita", "Reporter")


@pytest.fixture
def story(django_capture_on_commit_callbacks):
    """Make a story the way a request does: its search entry is written on commit. (Modules
    whose `story` is one ready-made story define their own.)"""

    def make(**fields):
        with django_capture_on_commit_callbacks(execute=True):
            return ArticleFactory(**fields)

    return make


@pytest.fixture
def seed(db):
    """The site as `make run` leaves it: the seed fixture loaded."""
    call_command("loaddata", "seed", verbosity=0)


@pytest.fixture(autouse=True)
def fresh_page_cache():
    """Each test starts with no stored pages: a test's data is rolled back without a commit,
    so nothing would tell the cache that the next test's site is another one."""
    pages.local.clear()
    generation.store().bump("")  # "": the next scheduled change is not known yet
    # Read once now: a reconnection, a Redis restart or an outage an earlier test left behind
    # moves the token here, not in the middle of this test (where its bump would cost the
    # next page a query to learn the next scheduled change again).
    generation.current()


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (revisions, cache generations, purges) as a real request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def media(settings, tmp_path):
    """A MEDIA_ROOT of the test's own: the files it stores, and only those, are there."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
