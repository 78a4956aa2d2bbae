"""The story body keeps only the allow-list, whichever door it comes through."""

import html
import json
from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from articles.models import Article
from tests.factories import ArticleFactory
from tests.test_admin import ADD, article_form

# Vectors from OWASP's XSS filter evasion cheat sheet and html5sec.org, in body context.
XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>",
    '<img src="x" onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><script>alert(1)</script></mtext></math>",
    '<body onload="alert(1)">',
    '<p onmouseover="alert(1)">hover</p>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="x:expression(alert(1))">x</p>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<input onfocus="alert(1)" autofocus>',
    '<details open ontoggle="alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<style>@import "javascript:alert(1)";</style>',
    "<!--<img src=x onerror=alert(1)>-->",
    '<img src="javascript:alert(1)" alt="x">',
    '<a href="https://ok.example" onclick="alert(1)" target="_blank">x</a>',
    '<video><source onerror="alert(1)"></video>',
    '<marquee onstart="alert(1)">x</marquee>',
    "<template><script>alert(1)</script></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
]
DANGEROUS = [
    "<script",
    "onerror",
    "onload",
    "onclick",
    "onmouseover",
    "javascript:",
    "vbscript:",
    "data:text",
    "<iframe",
    "<svg",
    "<math",
    "style=",
    "<object",
    "<embed",
    "<form",
    "<input",
    "ontoggle",
    "<meta",
    "<link",
    "<base",
    "<style",
    "<video",
    "onfocus",
    "expression(",
    "srcdoc",
    "<template",
    "onstart",
    "<!--",
    "target=",
]


def elements_in(body):
    """The names of the HTML elements in `body`."""
    found = set()

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.add(tag)

    Collector().feed(body)
    return found


def assert_clean(body):
    lowered = body.lower()
    for marker in DANGEROUS:
        assert marker not in lowered, (marker, body)


def test_there_are_at_least_twenty_vectors():
    assert len(XSS_VECTORS) >= 20


@pytest.mark.django_db
@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_model_save_removes_the_vector(section, vector):
    article = ArticleFactory(body=f"<p>Before</p>{vector}<p>After</p>")
    article.refresh_from_db()
    assert_clean(article.body)
    assert "<p>Before</p>" in article.body


@pytest.mark.django_db
@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_admin_form_removes_the_vector(admin_client, section, vector):
    admin_client.post(ADD, article_form(section, body=f"<p>Safe</p>{vector}"))
    assert_clean(Article.objects.get().body)


@pytest.mark.django_db
def test_fixture_load_removes_every_vector(section, tmp_path):
    fixture = [
        {
            "model": "articles.article",
            "fields": {
                "uuid": f"00000000-0000-4000-8000-{index:012d}",
                "headline": f"Fixture story {index}",
                "slug": f"fixture-story-{index}",
                "body": f"<p>ok</p>{vector}",
                "section": section.pk,
            },
        }
        for index, vector in enumerate(XSS_VECTORS)
    ]
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(fixture))
    call_command("loaddata", str(path), verbosity=0)
    assert Article.objects.count() == len(XSS_VECTORS)
    for article in Article.objects.all():
        assert_clean(article.body)


@pytest.mark.django_db
def test_allowed_markup_survives(section):
    body = (
        "<h2>Sub</h2><h3>Minor</h3><p><strong>Bold</strong> <em>it</em> "
        '<a href="https://example.org/x">link</a></p><blockquote><p>Quote</p></blockquote>'
        "<ul><li>one</li></ul><ol><li>two</li></ol>"
        '<figure><img src="https://example.org/a.jpg" alt="A photo"><figcaption>Cap</figcaption>'
        "</figure>"
    )
    article = ArticleFactory(body=body)
    article.refresh_from_db()
    assert article.body == body


@pytest.mark.django_db
def test_wire_text_import_keeps_every_vector_as_harmless_text(section, tmp_path, capsys):
    lines = ["Council hears strange testimony"]
    lines += [f"The witness wrote {vector} on the form, the clerk said." for vector in XSS_VECTORS]
    story = tmp_path / "story.txt"
    story.write_text("\n".join(lines), encoding="utf-8")
    call_command("import_story", str(story), "--section", section.slug, verbosity=0)
    body = Article.objects.get().body
    # Wire copy is text: every vector is kept word for word, as text, and no markup gets in.
    assert elements_in(body) == {"p"}
    for vector in XSS_VECTORS:
        assert f"The witness wrote {vector} on the form" in html.unescape(body)


@pytest.mark.django_db
def test_wordpress_import_removes_every_vector(section, tmp_path):
    from xml.sax.saxutils import escape

    items = "".join(
        f"""<item><title>Story {index}</title><link>https://old.example/?p={index + 1}</link>
        <dc:creator>editor</dc:creator><content:encoded>{escape(f"<p>ok</p>{vector}")}</content:encoded>
        <wp:post_id>{index + 1}</wp:post_id><wp:post_date_gmt>2020-01-01 10:00:00</wp:post_date_gmt>
        <wp:post_name>story-{index}</wp:post_name><wp:status>publish</wp:status>
        <wp:post_type>post</wp:post_type></item>"""
        for index, vector in enumerate(XSS_VECTORS)
    )
    export = tmp_path / "export.xml"
    export.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Old</title>'
        "<link>https://old.example</link><wp:wxr_version>1.2</wp:wxr_version>"
        "<wp:author><wp:author_login>editor</wp:author_login>"
        "<wp:author_display_name>Ed Itor</wp:author_display_name></wp:author>"
        f"{items}</channel></rss>",
        encoding="utf-8",
    )
    call_command("import_wordpress", str(export), verbosity=0)
    assert Article.objects.count() == len(XSS_VECTORS)
    for article in Article.objects.all():
        assert_clean(article.body)
