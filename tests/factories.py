from datetime import timedelta

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone
from factory.django import DjangoModelFactory

from articles.models import Article, Author, Byline, Correction, Section


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-").replace(".", ""))
    position = factory.Sequence(int)


class AuthorFactory(DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Faker("name")
    slug = factory.Sequence(lambda n: f"author-{n}")
    title = "Reporter"


class ArticleFactory(DjangoModelFactory):
    """A draft by default; `live=True` publishes it an hour ago."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    class Params:
        live = factory.Trait(
            status=Article.Status.PUBLISHED,
            publish_at=factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1)),
        )
        scheduled = factory.Trait(
            status=Article.Status.PUBLISHED,
            publish_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=1)),
        )

    headline = factory.Sequence(lambda n: f"Council approves budget number {n}")
    slug = factory.Sequence(lambda n: f"council-approves-budget-{n}")
    kicker = "City Hall"
    dek = "The vote ends weeks of negotiation."
    body = "<h2>The vote</h2><p>The council voted late on Tuesday.</p>"
    section = factory.SubFactory(SectionFactory, name="New York", slug="new-york")
    kind = Article.Kind.NEWS
    dateline = "NEW YORK"

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        for position, author in enumerate(extracted):
            Byline.objects.create(article=self, author=author, position=position)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class CorrectionFactory(DjangoModelFactory):
    class Meta:
        model = Correction

    article = factory.SubFactory(ArticleFactory, live=True)
    kind = Correction.Kind.CORRECTION
    text = "An earlier version misstated the vote count."


def staff_user(username, role, password="pw"):
    """A desk login in one of the roles migration 0003 made ("Reporter", "Editor")."""
    user = User.objects.create_user(username, password=password, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def front_pins_form(front, added=(), edits=None) -> dict:
    """The pins part of a front's change page as posted: every pin of the front as it is
    (but for `edits`: {slot pk: fields}), then `added` pins (dicts: collection, article...)."""
    from fronts.models import Slot

    current = (
        list(
            Slot.objects.filter(collection__front=front).order_by(
                "collection__position", "position", "pk"
            )
        )
        if front.pk
        else []
    )
    edits = edits or {}
    data = {
        "pins-TOTAL_FORMS": str(len(current) + len(added)),
        "pins-INITIAL_FORMS": str(len(current)),
        "pins-MIN_NUM_FORMS": "0",
        "pins-MAX_NUM_FORMS": "1000",
    }
    rows = [
        {
            "id": slot.pk,
            "collection": slot.collection_id,
            "article": slot.article_id,
            "position": slot.position,
            "headline": slot.headline,
            "dek": slot.dek,
            **edits.get(slot.pk, {}),
        }
        for slot in current
    ]
    rows += [{"position": "", **row} for row in added]
    for index, row in enumerate(rows):
        row = {"expires_at_0": "", "expires_at_1": "", "headline": "", "dek": "", **row}
        for key, value in row.items():
            if key == "expires_at" and value is not None:
                local = timezone.localtime(value)
                data[f"pins-{index}-expires_at_0"] = local.strftime("%Y-%m-%d")
                data[f"pins-{index}-expires_at_1"] = local.strftime("%H:%M:%S")
            elif key != "expires_at":
                data[f"pins-{index}-{key}"] = value
    return data
