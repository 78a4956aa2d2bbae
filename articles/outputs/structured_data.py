"""What a story page tells search engines and social sites: schema.org JSON-LD (NewsArticle
by kind, and its BreadcrumbList) and the share image its Open Graph and Twitter card tags name.
"""

import json

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article
from articles.outputs.links import absolute_url
from images import delivery

SCHEMA_TYPES = {
    Article.Kind.NEWS: "NewsArticle",
    Article.Kind.ANALYSIS: "AnalysisNewsArticle",
    Article.Kind.OPINION: "OpinionNewsArticle",
    Article.Kind.EXPLAINER: "BackgroundNewsArticle",
}
DEFAULT_SHARE_IMAGE = "img/share-default.png"
DEFAULT_SHARE_IMAGE_SIZE = (1200, 630)
LOGO = "img/logo.png"
LOGO_SIZE = (600, 60)


def share_image(article: Article) -> dict:
    """The story's lead image (its 16:9 crop, about 1200 px wide) if readers may see it, or
    the site's branded default card (the seed story has none)."""
    image = reader_image(article)
    chosen = delivery.share_file(image) if image else None
    if chosen is not None:
        return {
            "url": absolute_url(chosen.url),
            "width": chosen.width,
            "height": chosen.height,
            "alt": image.alt_text,
            "type": chosen.mime_type,
        }
    width, height = DEFAULT_SHARE_IMAGE_SIZE
    return {
        "url": absolute_url(static(DEFAULT_SHARE_IMAGE)),
        "width": width,
        "height": height,
        "alt": f"{settings.SITE_NAME} — independent news",
        "type": "image/png",
    }


def reader_image(article: Article):
    """The story's lead image if readers may see it now, else None."""
    return delivery.for_readers(article.lead_image) if article.lead_image_id else None


def image_objects(article: Article) -> list[dict] | dict:
    """NewsArticle's `image`: the 16:9, 4:3 and 1:1 crops, as Google recommends; the default
    card without a picture."""
    image = reader_image(article)
    files = delivery.structured_files(image) if image else []
    if not files:
        card = share_image(article)
        return {
            "@type": "ImageObject",
            "url": card["url"],
            "width": card["width"],
            "height": card["height"],
        }
    return [
        {
            "@type": "ImageObject",
            "url": absolute_url(file.url),
            "width": file.width,
            "height": file.height,
            **({"caption": image.caption} if image.caption else {}),
            **({"creditText": image.credit} if image.credit else {}),
        }
        for file in files
    ]


def publisher() -> dict:
    width, height = LOGO_SIZE
    return {
        "@type": "NewsMediaOrganization",
        "name": settings.SITE_NAME,
        "url": absolute_url(reverse("articles:front")),
        "logo": {
            "@type": "ImageObject",
            "url": absolute_url(static(LOGO)),
            "width": width,
            "height": height,
        },
    }


def person(author) -> dict:
    return {
        "@type": "Person",
        "name": author.name,
        "url": absolute_url(author.get_absolute_url()),
        **({"jobTitle": author.title} if author.title else {}),
    }


def news_article(article: Article, authors, tags, corrections) -> dict:
    url = absolute_url(article.get_absolute_url())
    # A preview of a draft has no publication time yet.
    published = article.date_published or article.created_at
    modified = article.date_modified or published
    data = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(article.kind, "NewsArticle"),
        "@id": url + "#article",
        "headline": article.display_title[:110],
        "description": article.summary,
        "datePublished": published.isoformat(),
        "dateModified": modified.isoformat(),
        "author": [person(author) for author in authors] or [publisher()],
        "publisher": publisher(),
        "image": image_objects(article),
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "articleSection": article.section.name,
        "keywords": [tag.name for tag in tags],
        "isAccessibleForFree": True,
        "inLanguage": settings.SITE_LANGUAGE,
        "wordCount": article.word_count,
    }
    if article.dateline:
        data["locationCreated"] = {"@type": "Place", "name": article.dateline}
    if corrections:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": correction.text,
                "datePublished": correction.created_at.isoformat(),
            }
            for correction in corrections
        ]
    return data


def breadcrumbs(article: Article) -> dict:
    trail = [
        (settings.SITE_NAME, absolute_url(reverse("articles:front"))),
        (article.section.name, absolute_url(article.section.get_absolute_url())),
        (article.headline, absolute_url(article.get_absolute_url())),
    ]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": url}
            for position, (name, url) in enumerate(trail, start=1)
        ],
    }


def to_script_json(data) -> SafeString:
    """JSON safe inside <script>: <, > and & are escaped, so no text can close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    # U+2028/2029 are valid JSON but end lines in older JavaScript parsers.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return mark_safe(text)
