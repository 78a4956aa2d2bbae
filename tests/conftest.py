import pytest
from django.core.management import call_command

from tests.browser import browser  # noqa: F401 (a fixture: one Chromium per test module)
from tests.factories import AuthorFactory, SectionFactory
from tests.ninjs_schemas import validators  # noqa: F401 (a fixture: the IPTC ninjs schemas)


@pytest.fixture
def section(db):
    return SectionFactory(name="New York", slug="new-york")


@pytest.fixture
def author(db):
    return AuthorFactory(name="Ana Reyes", slug="ana-reyes")


@pytest.fixture
def seed(db):
    """The site as `make run` leaves it: the seed fixture loaded."""
    call_command("loaddata", "seed", verbosity=0)
