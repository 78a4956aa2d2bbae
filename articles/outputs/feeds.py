"""RSS and Atom feeds of live stories: the whole site, and each section, tag and author.

Links are built on SITE_URL rather than the request's host (there is no django.contrib.sites,
and behind a CDN the host an app server sees is not the public one): every URL handed to
Django's syndication framework is already absolute (`articles.outputs.links`).
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from articles.models import Article, Author, Correction, Section
from articles.outputs.links import absolute_url
from articles.outputs.xmltext import xml_safe
from images import delivery as images_delivery
from images.models import Rendition

FEED_LENGTH = 50
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"
MEDIA_RSS = "http://search.yahoo.com/mrss/"


class XmlSafe:
    """A feed generator that leaves out of every value the characters XML cannot carry: a
    story's text may hold one (see articles/outputs/xmltext.py), and Django's writer would
    then fail the whole feed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*xml_safe(args), **{key: xml_safe(v) for key, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*xml_safe(args), **{key: xml_safe(v) for key, v in kwargs.items()})


class SafeRss(XmlSafe, Rss201rev2Feed):
    pass


class RssWithCreators(SafeRss):
    """RSS 2.0 naming every author in byline order with `dc:creator`, one element each, and
    the lead picture as Media RSS `media:content` (with its size, caption and credit) besides
    the enclosure.

    RSS's own `<author>` must be an e-mail address; Dublin Core is how feeds name people.
    """

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:dc": DUBLIN_CORE, "xmlns:media": MEDIA_RSS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _link in item["authors"]:
            handler.addQuickElement("dc:creator", name)
        if media := item.get("media"):
            handler.startElement(
                "media:content",
                {
                    "url": media["url"],
                    "type": media["type"],
                    "medium": "image",
                    "width": str(media["width"]),
                    "height": str(media["height"]),
                    **({"fileSize": str(media["length"])} if media["length"] else {}),
                },
            )
            if media["caption"]:
                # As HTML, escaped, as the item's description: readers render either.
                handler.addQuickElement(
                    "media:description", escape(media["caption"]), {"type": "html"}
                )
            if media["credit"]:
                handler.addQuickElement("media:credit", media["credit"])
            handler.endElement("media:content")


class AtomWithAuthors(XmlSafe, Atom1Feed):
    """Atom with one `<author>` (name and page) per byline author."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, link in item["authors"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", link)
            handler.endElement("author")


class LatestStoriesFeed(Feed):
    """`/feed/`: the latest live stories across the site."""

    feed_type = RssWithCreators

    @property
    def language(self):
        return settings.SITE_LANGUAGE

    def title(self, obj):
        return settings.SITE_NAME

    # Atom entries need an author: a story without a byline is the newsroom's own.
    def author_name(self, obj):
        return settings.SITE_NAME

    def author_link(self, obj):
        return absolute_url(reverse("articles:front"))

    def about(self, obj) -> str:
        """What the feed is, in plain text."""
        return _("The latest stories from %(site)s.") % {"site": settings.SITE_NAME}

    def description(self, obj):
        # Feed readers treat the channel's description as HTML, like an item's; a section's
        # description and a tag's or an author's name are plain text.
        return escape(self.about(obj))

    def link(self, obj):
        return absolute_url(reverse("articles:front"))

    def feed_url(self, obj):
        return absolute_url(reverse("articles:feed"))

    def stories(self, obj):
        return Article.objects.published()

    def items(self, obj):
        stories = self.stories(obj).for_listing().prefetch_related("tags")
        found = list(stories.order_by("-publish_at", "-pk")[:FEED_LENGTH])
        images_delivery.attach(found)
        # The pictures' byte sizes (RSS enclosures give one), for the whole feed at once.
        shares = {story.pk: self._share(story) for story in found}
        sizes = dict(
            Rendition.objects.filter(
                file__in=[share[1].name for share in shares.values() if share]
            ).values_list("file", "file_size")
        )
        for story in found:
            story.feed_picture = None
            if share := shares[story.pk]:
                image, rendition = share
                story.feed_picture = {
                    "url": absolute_url(images_delivery.url(rendition.name)),
                    "type": rendition.mime_type,
                    "width": rendition.width,
                    "height": rendition.height,
                    "length": sizes.get(rendition.name, 0),
                    # As every other text of the feed: no character XML cannot hold.
                    "caption": xml_safe(image.caption),
                    "credit": xml_safe(image.credit),
                }
        return found

    @staticmethod
    def _share(story):
        image = images_delivery.for_readers(story.lead_image) if story.lead_image_id else None
        if image is None:
            return None
        chosen = images_delivery.share_rendition(image)
        return (image, chosen) if chosen else None

    def item_title(self, story):
        return story.headline

    def item_description(self, story):
        # Feed readers treat the description as HTML; the dek is plain text.
        return escape(story.dek or story.summary)

    def item_link(self, story):
        return absolute_url(story.get_absolute_url())

    def item_guid(self, story):
        # The URL changes with the slug or the publication date; the story's uuid never does.
        return f"urn:uuid:{story.uuid}"

    item_guid_is_permalink = False

    def item_pubdate(self, story):
        return story.date_published

    def item_updateddate(self, story):
        # The public "Updated" time: a typo fix should not resurface a story in readers.
        return story.date_modified

    def item_categories(self, story):
        return [story.section.name, *sorted(tag.name for tag in story.tags.all())]

    def item_enclosures(self, story):
        media = story.feed_picture
        if not media:
            return []
        return [Enclosure(media["url"], str(media["length"]), media["type"])]

    def item_extra_kwargs(self, story):
        return {
            "media": story.feed_picture,
            "authors": [
                (author.name, absolute_url(author.get_absolute_url()))
                for author in story.byline_authors
            ],
        }


class LatestStoriesAtomFeed(LatestStoriesFeed):
    """`/feed/atom/`: the same stories as Atom."""

    feed_type = AtomWithAuthors

    def subtitle(self, obj):
        return self.about(obj)  # Atom's subtitle is text (no type="html")

    def feed_url(self, obj):
        return absolute_url(reverse("articles:feed-atom"))


class ListingFeed(LatestStoriesFeed):
    """The latest live stories of one listing page, found by its slug: see the subclasses."""

    model: type[Section | Tag | Author]
    feed_url_name: str

    # A tag or an author exists publicly only through a live story: until then their feed,
    # like their page, answers 404 (a draft's subject or byline must not leak through it).
    public_without_stories = False

    def get_object(self, request, slug):
        return get_object_or_404(self.model, slug=slug)

    def items(self, owner):
        items = list(super().items(owner))
        if not items and not self.public_without_stories:
            raise Http404("No live story carries this yet.")
        return items

    def title(self, owner):
        return f"{owner.name} | {settings.SITE_NAME}"

    def feed_url(self, owner):
        return absolute_url(reverse(self.feed_url_name, kwargs={"slug": owner.slug}))


class SectionFeed(ListingFeed):
    """`/section/<slug>/feed/`: the latest live stories in one section."""

    model = Section
    feed_url_name = "articles:section-feed"
    public_without_stories = True  # a section the desk made is public from the start

    def about(self, section):
        return section.description or _("The latest %(section)s stories from %(site)s.") % {
            "section": section.name,
            "site": settings.SITE_NAME,
        }

    def link(self, section):
        return absolute_url(section.get_absolute_url())

    def stories(self, section):
        return Article.objects.published().in_section(section)


class TagFeed(ListingFeed):
    """`/tag/<slug>/feed/`: the latest live stories with one tag."""

    model = Tag
    feed_url_name = "articles:tag-feed"

    def about(self, tag):
        return _("The latest stories about %(tag)s from %(site)s.") % {
            "tag": tag.name,
            "site": settings.SITE_NAME,
        }

    def link(self, tag):
        return absolute_url(reverse("articles:tag", kwargs={"slug": tag.slug}))

    def stories(self, tag):
        return Article.objects.published().tagged_with(tag)


class AuthorFeed(ListingFeed):
    """`/author/<slug>/feed/`: the latest live stories by one author."""

    model = Author
    feed_url_name = "articles:author-feed"

    def about(self, author):
        return _("The latest stories by %(author)s from %(site)s.") % {
            "author": author.name,
            "site": settings.SITE_NAME,
        }

    def link(self, author):
        return absolute_url(author.get_absolute_url())

    def stories(self, author):
        return Article.objects.published().written_by(author)


class CorrectionsFeed(Feed):
    """`/corrections/feed/`: every correction, clarification and update, newest first."""

    feed_type = SafeRss

    @property
    def language(self):
        return settings.SITE_LANGUAGE

    def title(self):
        return _("Corrections | %(site)s") % {"site": settings.SITE_NAME}

    def description(self):
        about = _("Corrections, clarifications and updates to stories from %(site)s.")
        return escape(about % {"site": settings.SITE_NAME})

    def link(self):
        return absolute_url(reverse("articles:corrections"))

    def feed_url(self):
        return absolute_url(reverse("articles:corrections-feed"))

    def items(self):
        return (
            Correction.objects.filter(article__in=Article.objects.published())
            .select_related("article")
            .order_by("-created_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, correction):
        return f"{correction.get_kind_display()}: {correction.article.headline}"

    def item_description(self, correction):
        return escape(correction.text)

    def item_link(self, correction):
        return absolute_url(correction.article.get_absolute_url()) + "#corrections"

    def item_guid(self, correction):
        return f"urn:newsroom:correction:{correction.article.uuid}:{correction.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, correction):
        return correction.created_at
