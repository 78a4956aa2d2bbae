"""Pictures in a real browser: the focal point set by clicking (and with the keys) under the
admin's CSP, a story's lead image picked from the library by caption, credit or tag, and what
readers' phones fetch and see: a lead rendition within budget, and pages that do not move.

One headless Chromium serves the whole module, as in test_browser.py (and for the same reason
the module allows synchronous ORM calls while it is up). The live server and the tests share
the database through real commits, so the tests are transactional: their flush also empties
the roles' groups the migrations made, and the `desk` fixture makes them again.
"""

from datetime import timedelta
from importlib import import_module

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests import pictures
from tests.browser import DESKTOP, PHONE
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("media")]

PASSWORD = "correct horse battery staple"
TIMEOUT_MS = 10_000
# What a story page's lead picture may weigh on a phone, headers and body: the budget the
# performance review set for a typical photo (Lighthouse flags pages whose images cost more).
LEAD_IMAGE_BUDGET = 120 * 1024

# Every role's permissions: the articles' (migration 0003) and the library's (images 0002).
ROLES = [
    import_module("articles.migrations.0003_create_roles").ROLES,
    {
        name: [f"images.{codename}" for codename in codenames]
        for name, codenames in import_module(
            "images.migrations.0002_roles_use_the_library"
        ).ROLES.items()
    },
]

# Each page reports its CSP violations to the test as they happen, so none is lost when the
# page goes on to the next (Save leaves the page).
RECORD_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(`${event.violatedDirective}: ${event.blockedURI} ${event.sample}`);
});
"""

# The page's layout shifts so far, buffered from the first paint. Every one counts: the test
# gives no input, and under mobile emulation Chromium marks every shift "hadRecentInput", so
# leaving those out (as CLS does for a reader's taps) would hide them all.
LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  const shifts = [];
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) {
      total += entry.value;
      shifts.push(entry.sources.map(s => s.node ? s.node.outerHTML.slice(0, 120) : "?"));
    }
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve({total, shifts}), 300);
})"""

# Scroll down the whole page a screen at a time, so every lazy picture loads and decodes
# where a reader would see it (that is when an unsized picture would push text down).
SCROLL_THROUGH = """async () => {
  const pause = ms => new Promise(resolve => setTimeout(resolve, ms));
  for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight / 2) {
    scrollTo(0, y);
    await pause(60);
  }
  await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
  scrollTo(0, 0);
  await pause(100);
  return [...document.images].map(img => ({
    src: img.currentSrc, complete: img.complete && img.naturalWidth > 0,
    width: img.getAttribute("width"), height: img.getAttribute("height"),
  }));
}"""


@pytest.fixture(scope="module")
def typical_photo():
    """A 12-megapixel camera photo's bytes (built once: it takes a couple of seconds)."""
    return pictures.photo_jpeg(4000, 3000)


@pytest.fixture
def desk(transactional_db, live_server):
    """An editor (the Editor role, made again after the last test's flush) and a section."""
    for roles in ROLES:
        for name, dotted_names in roles.items():
            group, _ = Group.objects.get_or_create(name=name)
            group.permissions.add(
                *(
                    Permission.objects.get(content_type__app_label=app, codename=codename)
                    for app, codename in (dotted.split(".") for dotted in dotted_names)
                )
            )
    editor = User.objects.create_user("ed", password=PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    return {
        "url": live_server.url,
        "editor": editor,
        "section": SectionFactory(name="New York", slug="new-york"),
    }


@pytest.fixture
def new_context(browser):
    """Fresh browser contexts that record every CSP violation and console error."""
    contexts = []

    def open_context(**options):
        context = browser.new_context(**{**DESKTOP, **options})
        context.set_default_timeout(TIMEOUT_MS)
        context.csp_violations, context.errors = [], []
        context.expose_function("reportViolation", lambda text: context.csp_violations.append(text))
        context.add_init_script(RECORD_VIOLATIONS)
        context.on("console", lambda message: record_console(context, message))
        context.on("weberror", lambda error: context.errors.append(str(error.error)))
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


def problems(context):
    """The CSP violations and the script errors every page of `context` has had."""
    return {"csp": context.csp_violations, "errors": context.errors}


def record_console(context, message):
    # The admin's pages name no icon, so Chromium asks for /favicon.ico and logs its 404.
    if message.type == "error" and not message.location.get("url", "").endswith("favicon.ico"):
        context.errors.append(message.text)


def expect(target):
    """Playwright's retrying assertions, imported late: the module must load without it."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def logged_in_page(context, desk):
    page = context.new_page()
    page.goto(f"{desk['url']}/admin/")
    page.get_by_label("Username").fill("ed")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{desk['url']}/admin/")
    return page


def save(page):
    """Press Save, wait for the answer (the save has committed), and see that it succeeded."""
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.locator("input[name=_save]").last.click()
    page.wait_for_load_state()
    expect(page.locator(".messagelist .success")).to_be_visible()


def image_change_page(context, desk, image):
    page = logged_in_page(context, desk)
    page.goto(desk["url"] + reverse("admin:images_image_change", args=[image.pk]))
    picture = page.locator(".focal-point__picture")
    expect(picture).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=picture.element_handle()
    )
    return page


def test_editor_sets_the_focal_point_by_clicking_on_the_picture(desk, new_context):
    image = pictures.library_image(pictures.photo_jpeg(1600, 1200), caption="Riders at dawn")
    context = new_context()
    page = image_change_page(context, desk, image)
    frame = page.locator(".focal-point__frame")
    marker = page.locator("[data-focal-marker]")
    box = frame.bounding_box()

    frame.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.75})

    assert page.locator("input[name=focal_x]").input_value() == "0.250"
    assert page.locator("input[name=focal_y]").input_value() == "0.750"
    assert page.get_by_label("Across", exact=True).input_value() == "0.250"
    assert marker.get_attribute("aria-valuetext") == "25% across, 75% down"
    shown = marker.bounding_box()  # the marker's middle is where the editor clicked
    assert abs(shown["x"] + shown["width"] / 2 - (box["x"] + box["width"] * 0.25)) <= 1.5
    assert abs(shown["y"] + shown["height"] / 2 - (box["y"] + box["height"] * 0.75)) <= 1.5
    assert marker.evaluate("marker => marker === document.activeElement")
    save(page)

    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == pytest.approx((0.25, 0.75), abs=0.002)
    assert problems(context) == {"csp": [], "errors": []}


def test_editor_moves_the_focal_point_with_the_arrow_keys(desk, new_context):
    image = pictures.library_image(
        pictures.photo_jpeg(1600, 1200), caption="Riders at dawn", focal_x=0.5, focal_y=0.5
    )
    context = new_context()
    page = image_change_page(context, desk, image)
    marker = page.get_by_role("slider", name="Focal point")

    # The point is in the tab order, just before the numbers it sets.
    page.get_by_label("Across", exact=True).focus()
    page.keyboard.press("Shift+Tab")
    expect(marker).to_be_focused()
    assert marker.get_attribute("aria-valuetext") == "50% across, 50% down"
    for key in ["ArrowRight", "ArrowRight", "ArrowDown", "Shift+ArrowLeft", "Shift+ArrowUp"]:
        page.keyboard.press(key)

    assert page.locator("input[name=focal_x]").input_value() == "0.420"
    assert page.locator("input[name=focal_y]").input_value() == "0.410"
    assert marker.get_attribute("aria-valuetext") == "42% across, 41% down"
    save(page)

    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == pytest.approx((0.42, 0.41), abs=0.0005)
    assert problems(context) == {"csp": [], "errors": []}


def choose(page, select_id, search, choice):
    """Type `search` into one of the admin's select2 autocompletes; `choice` must be its only
    result. Pick it."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").press_sequentially(search)
    results = page.locator(
        ".select2-container--open .select2-results__option:not(.loading-results)"
    )
    expect(results).to_have_text([choice])
    results.first.click()
    assert page.locator(f"#{select_id} + .select2").inner_text().strip().endswith(choice)


@pytest.fixture
def library(desk):
    """Pictures an editor could look for, each findable by one word of its caption, credit
    or tags; and one the chooser must never offer, whose rights ran out."""
    shots = [
        ("Firefighters at the Bronx blaze", "Jane Doe / Staff", ["Fire"]),
        ("The mayor at City Hall", "Omar Haddad / Reuters", ["Politics"]),
        ("Subway riders at dawn", "Li Wei / AP", ["Transit", "Morning commute"]),
    ]
    found = {
        caption: pictures.library_image(
            pictures.jpeg_bytes(1200 + number * 8, 800, colour),
            caption=caption,
            credit=credit,
            tags=tags,
        )
        for number, ((caption, credit, tags), colour) in enumerate(
            zip(shots, ["firebrick", "navy", "teal"], strict=True)
        )
    }
    pictures.library_image(
        pictures.jpeg_bytes(900, 600, "olive"),
        caption="Bronx blaze, an agency picture",
        credit="Omar Haddad / Reuters",
        tags=["Transit"],
        rights_expire_at=timezone.now() - timedelta(days=1),
    )
    return found


def test_editor_picks_a_new_storys_lead_image_by_its_caption(desk, library, new_context):
    context = new_context()
    page = logged_in_page(context, desk)
    page.goto(desk["url"] + reverse("admin:articles_article_add"))
    page.get_by_label("Headline:", exact=True).fill("Fire in the Bronx")
    choose(page, "id_section", "New", "New York")

    # Listed by caption and credit: "Firefighters at the Bronx blaze (Jane Doe / Staff)".
    choose(page, "id_lead_image", "bronx bla", str(library["Firefighters at the Bronx blaze"]))
    save(page)

    story = Article.objects.get(headline="Fire in the Bronx")
    assert story.lead_image == library["Firefighters at the Bronx blaze"]
    assert problems(context) == {"csp": [], "errors": []}


@pytest.mark.parametrize(
    ("search", "caption"),
    [("Haddad", "The mayor at City Hall"), ("morning commute", "Subway riders at dawn")],
    ids=["credit", "tag"],
)
def test_editor_picks_a_lead_image_by_its_credit_or_a_tag(
    desk, library, new_context, search, caption
):
    story = ArticleFactory(headline="The day in the city", section=desk["section"])
    context = new_context()
    page = logged_in_page(context, desk)
    page.goto(desk["url"] + reverse("admin:articles_article_change", args=[story.pk]))

    choose(page, "id_lead_image", search, str(library[caption]))
    save(page)

    story.refresh_from_db()
    assert story.lead_image == library[caption]
    assert problems(context) == {"csp": [], "errors": []}


def live_story_with(image, section, **fields):
    return ArticleFactory(
        live=True, lead_image=image, section=section, authors=[AuthorFactory()], **fields
    )


@pytest.mark.parametrize(("scale", "width"), [(1, 480), (3, 960)], ids=["1x", "3x"])
def test_a_phone_fetches_one_lead_rendition_within_the_budget(
    desk, new_context, typical_photo, scale, width
):
    """A 390 px phone opens a story whose lead is a typical 12-megapixel photo: it fetches one
    rendition of the picture's own shape (never the 2.5 MB original), and that costs less
    than 120 KB, headers and body, as Playwright counts the bytes that came over the wire.

    Two screens. 1x: the smallest fetch (the 358 CSS px column takes the 480 px WebP, about
    40 KB). 3x, an iPhone's real density and the check that matters: the column is 1,074
    device pixels, which would take the 1,280 px WebP (about 140 KB of this photo, over
    budget); `sizes` fetches for at most 2x on such screens (images/delivery.py), so it takes
    the 960 px one (about 100 KB). No throttling: the budget is bytes, not time.
    """
    image = pictures.library_image(typical_photo, caption="Riders at dawn", credit="Li Wei")
    story = live_story_with(image, desk["section"])
    page = new_context(**PHONE, device_scale_factor=scale).new_page()
    fetched = []
    page.on("requestfinished", lambda request: fetched.append(request))

    page.goto(desk["url"] + story.get_absolute_url(), wait_until="load")
    lead = page.locator(".lead-image img")
    lead.evaluate("img => img.decode()")

    shown = lead.evaluate("img => img.currentSrc")
    pictures_fetched = [r for r in fetched if f"/{image.sha256[:20]}/" in r.url]
    assert [r.url for r in pictures_fetched] == [shown]
    assert "/media/images/renditions/" in shown and shown.endswith(f"-free-{width}.webp")
    assert image.file.url not in shown
    sizes = pictures_fetched[0].sizes()
    weight = sizes["responseHeadersSize"] + sizes["responseBodySize"]
    assert 0 < weight < LEAD_IMAGE_BUDGET, (shown, weight)


@pytest.fixture
def pages_with_pictures(desk):
    """A story, the front page and a section page, each showing several pictures."""
    photos = [pictures.photo_jpeg(1600, 1200, seed=seed) for seed in range(3)]
    portrait = pictures.camera_jpeg(1200, 1600)
    images = [
        pictures.library_image(data, caption=f"Picture {number}", credit="Staff")
        for number, data in enumerate([*photos, portrait])
    ]
    now = timezone.now()
    stories = [
        live_story_with(
            images[number % len(images)],
            desk["section"],
            headline=f"Council weighs a new transit plan, part {number}",
            dek="Riders would pay less at night under the proposal.",
            publish_at=now - timedelta(hours=number + 1),
        )
        for number in range(12)
    ]
    base = desk["url"]
    return {
        "story": base + stories[0].get_absolute_url(),
        "portrait story": base + stories[3].get_absolute_url(),
        "front": base + "/",
        "section": base + desk["section"].get_absolute_url(),
    }


class HeldPictures:
    """Hold back every picture until the page has painted its text, as a phone's network
    would: on localhost they arrive before the first paint, where no shift counts."""

    def __init__(self, page):
        self.page = page
        self.held = []
        self.holding = False
        page.route("**/media/images/**", self.hold)

    def hold(self, route):
        if self.holding:
            self.held.append(route)
        else:
            route.continue_()

    def open(self, url):
        """Go to `url`; let the pictures come once its first contentful paint is done."""
        self.holding = True
        self.page.goto(url, wait_until="domcontentloaded")
        self.page.wait_for_function(
            "() => performance.getEntriesByName('first-contentful-paint').length"
        )
        self.holding = False
        for route in self.held:
            route.continue_()
        self.held.clear()
        self.page.wait_for_load_state("load")


@pytest.mark.parametrize("options", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_pages_with_pictures_do_not_shift_as_they_load(pages_with_pictures, new_context, options):
    """Cumulative Layout Shift is 0 on every page with pictures: each picture's space is kept
    before it arrives, though it arrives only after the text has painted."""
    page = new_context(**options).new_page()
    pictures_held = HeldPictures(page)
    shifts, unsized = {}, {}
    for name, url in pages_with_pictures.items():
        pictures_held.open(url)
        images = page.evaluate(SCROLL_THROUGH)
        assert images and all(image["complete"] for image in images), (name, images)
        unsized[name] = [i["src"] for i in images if not (i["width"] and i["height"])]
        shifts[name] = page.evaluate(LAYOUT_SHIFT)
    assert all(shift["total"] == 0 for shift in shifts.values()), shifts
    assert not any(unsized.values()), unsized
