"""The fronts desk in Chromium: an editor arranges a front on its one screen, by dragging and
from the keyboard, watches the preview follow and saves; pins a story from the collection's
page with the autocomplete; all under the admin's strict Content-Security-Policy, with no
violation and no script error (the watch of tests/test_security_headers.py). And the arranged
front, as readers get it, has no WCAG 2.1 AA violation on a desktop or a phone."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from fronts.models import Collection, Front, FrontRevision, Slot
from tests.browser import DESKTOP, PHONE
from tests.factories import ArticleFactory
from tests.test_browser import AXE_OPTIONS
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


def test_editor_pins_a_story_with_the_autocomplete_with_no_csp_violation(arranged, desk):
    from playwright.sync_api import expect

    watch = desk
    url, collection = arranged["url"], arranged["collection"]
    page = watch.context.new_page()
    log_in(watch, page, url)

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


@pytest.fixture
def three_collections(transactional_db, live_server):
    """Home: "Top stories" pins Alpha then Bravo, "More news" pins Charlie, "Opinion" has
    none; Delta to Hotel are live, newest first, for the backfill."""
    User.objects.create_superuser("ed", password=PASSWORD)
    front = Front.objects.create(name="Home", slug="home")
    titles = [("Top stories", "lead"), ("More news", "grid"), ("Opinion", "list")]
    top, more, opinion = (
        Collection.objects.create(front=front, title=t, style=s, position=i, max_stories=3)
        for i, (t, s) in enumerate(titles)
    )
    hours = iter(range(1, 10))
    stories = {
        name: ArticleFactory(
            headline=f"{name} story",
            status=Article.Status.PUBLISHED,
            publish_at=timezone.now() - timedelta(hours=next(hours)),
        )  # fmt: skip
        for name in ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel"]
    }
    Slot.objects.create(collection=top, article=stories["Alpha"], position=0)
    Slot.objects.create(collection=top, article=stories["Bravo"], position=1)
    Slot.objects.create(collection=more, article=stories["Charlie"], position=0)
    return {"url": live_server.url, "front": front, "top": top, "more": more, "opinion": opinion}


def test_editor_arranges_by_dragging_and_keyboard_previews_and_saves(three_collections, desk):
    from playwright.sync_api import expect

    watch, data = desk, three_collections
    front = data["front"]
    page = watch.context.new_page()
    log_in(watch, page, data["url"])
    visit(watch, page, data["url"] + reverse("admin:fronts_front_change", args=[front.pk]))
    preview = page.frame_locator("iframe[name=front-preview]")
    sections = preview.locator("main section.front-collection h2")
    expect(sections).to_have_text(["Top stories", "More news", "Opinion"])

    # Drag Bravo by its handle into "More news", above Charlie.
    bravo = page.locator("[data-pin]", has_text="Bravo story")
    more_pins = page.locator(f"[data-pins='{data['more'].pk}']")
    bravo.locator(".arrange-handle").drag_to(
        more_pins.locator("[data-pin]").first, target_position={"x": 20, "y": 4}
    )
    expect(more_pins.locator("[data-pin]")).to_have_count(2)
    expect(more_pins.locator("[data-pin]").first).to_contain_text("Bravo story")

    # From the keyboard: "Opinion" up twice, to the top; Charlie up, above Bravo; Alpha up,
    # past the top of "Top stories", into the collection above it, "Opinion".
    status = page.locator("[data-arrange-status]")
    opinion = page.get_by_role("button", name="Move “Opinion”")
    opinion.focus()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(opinion).to_be_focused()
    expect(status).to_have_text("Opinion: collection 1 of 3.")
    handle = page.get_by_role("button", name="Move “Charlie story”")
    handle.focus()
    page.keyboard.press("ArrowUp")
    expect(status).to_have_text("Charlie story: story 1 of 2 in More news.")
    handle = page.get_by_role("button", name="Move “Alpha story”")
    handle.focus()
    page.keyboard.press("ArrowUp")
    expect(handle).to_be_focused()
    expect(status).to_have_text("Alpha story: story 1 of 1 in Opinion.")

    # Pin a story with the autocomplete, in the collection the button names.
    page.get_by_role("button", name="Pin a story in “Top stories”").click()
    page.locator(".select2-search__field").fill("Hotel")
    page.locator(".select2-results__option", has_text="Hotel story").click()
    top_pins = page.locator(f"[data-pins='{data['top'].pk}'] [data-pin]")
    expect(top_pins).to_have_count(1)
    expect(top_pins.first).to_contain_text("Hotel story")

    # The preview follows, backfill included, each story once: the newest live stories no
    # pin takes fill the slots left, top collection first.
    expect(sections).to_have_text(["Opinion", "Top stories", "More news"])
    shown = preview.locator("main section.front-collection")
    expect(shown.nth(0)).to_contain_text("Alpha story")
    expect(shown.nth(0)).to_contain_text("Delta story")
    expect(shown.nth(1).locator("h3")).to_have_text(["Hotel story", "Foxtrot story", "Golf story"])
    expect(shown.nth(2).locator("h3")).to_have_text(["Charlie story", "Bravo story"])
    assert FrontRevision.objects.filter(front=front).count() == 0  # a preview writes nothing

    watch.collect(page)
    with page.expect_response(
        lambda response: response.request.method == "POST" and "change" in response.url
    ):
        page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    expect(page.locator(".messagelist .success")).to_be_visible()
    watch.collect(page)

    violations, errors = watch.problems()
    assert violations == [], json.dumps(violations, indent=1)
    assert errors == []
    order = list(front.collections.order_by("position").values_list("title", flat=True))
    assert order == ["Opinion", "Top stories", "More news"]
    pins = Slot.objects.filter(collection__front=front).order_by("collection__position", "position")
    assert [(p.collection.title, p.article.headline, p.position) for p in pins] == [
        ("Opinion", "Alpha story", 0),
        ("Top stories", "Hotel story", 0),
        ("More news", "Charlie story", 0),
        ("More news", "Bravo story", 1),
    ]
    saved = FrontRevision.objects.filter(front=front).latest()
    assert saved.created_by.username == "ed"
    assert "Opinion" in saved.summary and "Alpha story" in saved.summary


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_arranged_front_has_no_wcag_21_aa_violation(
    three_collections, browser, viewport, scheme
):
    from axe_playwright_python.sync_playwright import Axe

    data = three_collections
    Collection.objects.create(front=data["front"], title="Most read", style="rail", position=3)
    for hours in (20, 21, 22):
        ArticleFactory(live=True, publish_at=timezone.now() - timedelta(hours=hours))
    Slot.objects.filter(article__headline="Charlie story").update(
        headline="Charlie, as the front tells it", dek="A front-only dek."
    )
    context = browser.new_context(**viewport, color_scheme=scheme)
    page = context.new_page()
    page.goto(data["url"] + "/")
    assert page.locator("main section.front-collection").count() == 4
    results = Axe().run(page, options=AXE_OPTIONS)
    context.close()
    assert not results.violations_count, results.generate_report()
