"""The reader's pages in a real browser: the seed story, accessibility, no-JS, keyboard, phones.

One headless Chromium serves the whole module. Playwright's sync API keeps an asyncio loop
running in this thread, which makes Django refuse ORM calls here (SynchronousOnlyOperation);
the module allows them while its browser is up, since nothing async touches the database.
"""

import re
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article
from tests.browser import DESKTOP, PHONE
from tests.factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory

pytestmark = pytest.mark.browser

SEED_UUID = "6f1e3c1a-2b7d-4e5f-9a10-fac7519b6a4c"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
# Every element the body allow-list permits, so their styles are checked too.
RICH_BODY = (
    "<p>The board voted on Tuesday, <a href='https://example.com/vote'>the record shows</a>.</p>"
    "<h2>What changes</h2><p>Fares drop at night.</p>"
    "<h3>For riders</h3><ul><li>Cheaper rides</li><li>More buses</li></ul>"
    "<blockquote><p>“We did what we said,” the chair said.</p></blockquote>"
    "<figure><img src='/static/img/share-default.png' alt='The Newsroom card'>"
    "<figcaption>The card readers share.</figcaption></figure>"
    "<ol><li>First</li><li>Second</li></ol><p><strong>Bold</strong> and <em>italic</em>.</p>"
)


@pytest.fixture
def open_page(browser):
    """Open pages in fresh browser contexts: `open_page(**context_options)`."""
    contexts = []

    def new_page(**options):
        context = browser.new_context(**{**DESKTOP, **options})
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


@pytest.fixture
def site(transactional_db, live_server):
    """The seed story plus a few more, as a reader finds them; returns each page type's URL."""
    call_command("loaddata", "seed", verbosity=0)
    seed_story = Article.objects.get(uuid=SEED_UUID)
    CorrectionFactory(
        article=seed_story, text="An earlier version misstated the day of the shooting."
    )
    reporter = AuthorFactory(
        name="Ana Reyes",
        slug="ana-reyes",
        title="City Hall reporter",
        bio="Ana Reyes covers City Hall and the five boroughs.",
    )
    politics = SectionFactory(name="Politics", slug="politics")
    opinion = SectionFactory(name="Opinion", slug="opinion")
    now = timezone.now()
    rich = ArticleFactory(
        live=True,
        headline="What the fare cut means for riders",
        kind="explainer",
        body=RICH_BODY,
        authors=[reporter],
        tags=["Transit"],
        publish_at=now - timedelta(minutes=30),
    )
    withdrawn = ArticleFactory(live=True, headline="A story we took down")
    withdrawn.status = Article.Status.UNPUBLISHED
    withdrawn.save()
    for number, (section, kind) in enumerate(
        [(politics, "analysis"), (opinion, "opinion"), (seed_story.section, "explainer")] * 3
    ):
        ArticleFactory(
            live=True,
            headline=f"Council weighs a new transit plan, part {number}",
            slug=f"transit-plan-{number}",
            kicker="" if number % 2 else "Transit",
            dek="" if number % 3 == 0 else "Riders would pay less at night under the proposal.",
            section=section,
            kind=kind,
            publish_at=now - timedelta(hours=number + 1),
            authors=[reporter] if number % 2 else [reporter, seed_story.authors.first()],
            tags=["Immigration", "City Hall"],
        )
    return {
        "front": live_server.url + "/",
        "section": live_server.url + seed_story.section.get_absolute_url(),
        "tag": live_server.url + "/tag/immigration/",
        "author": live_server.url + "/author/newsroom-staff/",
        "article": live_server.url + seed_story.get_absolute_url(),
        "rich article": live_server.url + rich.get_absolute_url(),
        "not found": live_server.url + "/no-such-page/",
        "withdrawn": live_server.url + withdrawn.get_absolute_url(),
    }


def test_reader_follows_the_front_page_to_the_seed_story(site, open_page):
    story = Article.objects.get(uuid=SEED_UUID)
    subheads = re.findall(r"<h2>(.*?)</h2>", story.body)
    tags = sorted(story.tags.values_list("name", flat=True))
    page = open_page()

    page.goto(site["front"])
    page.get_by_role("link", name=story.headline).first.click()

    page.wait_for_url(site["article"])
    assert page.locator("h1").all_inner_texts() == [story.headline]
    byline = page.locator(".article-header .byline")
    assert byline.inner_text() == "By Newsroom Staff"
    assert byline.get_by_role("link").get_attribute("href") == "/author/newsroom-staff/"
    section_link = page.locator(".article-header").get_by_role("link", name="New York")
    assert section_link.get_attribute("href") == "/section/new-york/"
    tag_links = page.locator("a[rel=tag]")
    assert sorted(tag_links.all_inner_texts()) == tags
    assert len(tags) == 11
    assert tag_links.first.get_attribute("href").startswith("/tag/")
    shown_subheads = page.locator(".article-body").get_by_role("heading", level=2)
    assert len(subheads) == 8
    assert shown_subheads.all_inner_texts() == subheads
    assert all(heading.is_visible() for heading in shown_subheads.all())
    published = page.locator(".timestamps time").first.get_attribute("datetime")
    assert datetime.fromisoformat(published) == story.first_published_at


@pytest.mark.parametrize(
    "options",
    [
        {"color_scheme": "light"},
        {"color_scheme": "dark"},
        {"color_scheme": "light", **PHONE},
        {"color_scheme": "dark", **PHONE},
    ],
    ids=["light", "dark", "phone-light", "phone-dark"],
)
def test_pages_have_no_wcag_21_aa_violations(site, open_page, options):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = open_page(**options)
    reports = []
    for name, url in site.items():
        page.goto(url)
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports.append(f"{name} page ({url}):\n{results.generate_report()}")
    assert not reports, "\n\n".join(reports)


def test_pages_read_without_javascript(site, open_page):
    page = open_page(java_script_enabled=False)

    page.goto(site["front"])
    page.get_by_role("link", name=Article.objects.get(uuid=SEED_UUID).headline).first.click()

    page.wait_for_url(site["article"])
    body = page.locator(".article-body")
    assert body.is_visible()
    assert "renewed his commitment to the city’s sanctuary policies" in body.inner_text()
    assert body.get_by_role("heading", level=2).count() == 8


def test_skip_link_appears_on_keyboard_focus_and_moves_focus_to_main(site, open_page):
    page = open_page()
    page.goto(site["article"])
    skip_link = page.get_by_role("link", name="Skip to content")

    def on_screen():
        box = skip_link.bounding_box()
        return box is not None and box["y"] + box["height"] > 0 and box["y"] < 900

    assert not on_screen()
    page.keyboard.press("Tab")
    assert skip_link.evaluate("link => link === document.activeElement")
    assert on_screen()
    assert skip_link.evaluate("link => getComputedStyle(link).outlineStyle") != "none"

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.url.endswith("#main")


def test_no_page_scrolls_sideways_on_a_phone(site, open_page):
    page = open_page(**PHONE)
    too_wide = {}
    for name, url in site.items():
        page.goto(url)
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if widths[0] > widths[1]:
            too_wide[name] = widths
    assert not too_wide, f"pages wider than the 390px screen (scroll, client width): {too_wide}"


LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) total += entry.value;
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(total), 250);
})"""


def test_pages_do_not_shift_while_they_load(site, open_page):
    page = open_page(**PHONE)
    shifts = {}
    for name, url in site.items():
        page.goto(url, wait_until="load")
        shifts[name] = page.evaluate(LAYOUT_SHIFT)
    assert all(score < 0.01 for score in shifts.values()), shifts
