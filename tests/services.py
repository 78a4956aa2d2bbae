"""Skip tests whose outside service (browser, database, checker) is missing, with the reason.

CI sets NEWSROOM_REQUIRE_SERVICES=1, where a missing service fails the test instead: a green
run there means the browser, PostgreSQL and HTML checker really ran.
"""

import os

import pytest


def require(available: bool, reason: str) -> None:
    """Skip (or, in CI, fail) the calling test when `available` is false."""
    if available:
        return
    if os.environ.get("NEWSROOM_REQUIRE_SERVICES") == "1":
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)
