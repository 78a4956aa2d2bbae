"""The fronts desk in Chromium: an editor adds a collection row, searches for a story to pin
and saves, under the admin's strict Content-Security-Policy, with no violation and no script
error (the watch of tests/test_security_headers.py)."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from fronts.models import Collection, Front
from tests.browser import DESKTOP
from tests.factories import ArticleFactory
from tests.test_security_headers import PASSWORD, TIMEOUT_MS, Watch, visit

pytestmark = pytest.mark.browser


@pytest.fixture
def arranged(transactional_db, live_server):
    User.objects.create_superuser("ed", password=PASSWORD)
    front = Front.objects.create(name="Home", slug="home")
    collection = Collection.objects.create(front=front, title="Top stories", max_stories=3)
    ArticleFactory(live=True, headline="Council cuts night fares")
    ArticleFactory(
        headline="Night fares: the vote",
        status=Article.Status.PUBLISHED,
        publish_at=timezone.now() + timedelta(hours=3),
    )
    ArticleFactory(headline="Night fares, a draft")
    return {"url": live_server.url, "front": front, "collection": collection}


@pytest.fixture
def desk(browser):
    context = browser.new_context(**DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    yield Watch(context)
    context.close()


def log_in(watch, page, url):
    visit(watch, page, f"{url}/admin/")
    page.get_by_label("Username").fill("ed")
    page.get_by_label("Password").fill(PASSWORD)
    watch.collect(page)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}/admin/")


def test_editor_arranges_a_front_and_pins_a_story_with_no_csp_violation(arranged, desk):
    from playwright.sync_api import expect

    watch = desk
    url, collection = arranged["url"], arranged["collection"]
    page = watch.context.new_page()
    log_in(watch, page, url)

    visit(watch, page, url + reverse("admin:fronts_front_change", args=[arranged["front"].pk]))
    rows = page.locator("#collections-group .dynamic-collections")
    before = rows.count()
    page.locator("#collections-group .add-row a").click()
    expect(rows).to_have_count(before + 1)
    rows.last.locator(".inline-deletelink").click()
    expect(rows).to_have_count(before)

    visit(watch, page, url + reverse("admin:fronts_collection_change", args=[collection.pk]))
    page.locator("#slots-group .select2-selection").first.click()
    page.locator(".select2-search__field").fill("fares")
    options = page.locator(".select2-results__option")
    expect(options).to_have_count(2)
    expect(options.first).to_contain_text("scheduled for")
    options.last.click()
    watch.collect(page)
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator("ol.now-showing li").first).to_contain_text("Council cuts night fares")
    expect(page.locator("ol.now-showing li").first).to_contain_text("Pinned")
    watch.collect(page)

    violations, errors = watch.problems()
    assert violations == [], json.dumps(violations, indent=1)
    assert errors == []
    assert collection.slots.get().article.headline == "Council cuts night fares"
