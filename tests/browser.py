"""Driving the machine's Chromium from tests: where it is, how to start it, when to skip."""

import importlib.util
from pathlib import Path

import pytest

from tests.services import require

# Debian's Chromium. Playwright cannot download its own browser builds on these machines, so
# the tests drive the system one; `.ci/run` installs it.
CHROMIUM = Path("/usr/bin/chromium")

LAUNCH_ARGS = [
    # The suite runs as root, where Chromium's sandbox refuses to start.
    "--no-sandbox",
    "--disable-gpu",
    # No phoning home: update checks and sync only slow a test run down.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The widths readers use most: a laptop and a phone (iPhones 12 to 16 are 390 CSS pixels wide).
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def missing_reason() -> str | None:
    """Why browser tests cannot run on this machine, or None when they can."""
    if not CHROMIUM.exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    for module in ("playwright", "axe_playwright_python"):
        if importlib.util.find_spec(module) is None:
            return f"the Python package {module} is not installed (pip install -e '.[test]')"
    return None


def launch(playwright):
    """Start the system Chromium, headless."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module; skipped (failed in CI) where it cannot run."""
    reason = missing_reason()
    require(reason is None, f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop, and Django refuses ORM calls while one runs
    # in the thread unless told that this test code is not async.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = launch(playwright)
            yield chromium
            chromium.close()
