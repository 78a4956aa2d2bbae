"""Migration articles 0013: every picture stored on a story moves into the library with its
alt text, caption and credit, and the story points at it, losing nothing; then it can be
shown (render_images) and the migration can be undone."""

import hashlib
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from images import specs
from tests import pictures

BEFORE = [("articles", "0012_live_index_covers_listings"), ("images", "0002_roles_use_the_library")]

# The whole database is migrated back and forth, outside a test transaction (pytest-django
# runs such tests after the others, and empties the tables after each).
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("media"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def old_story(apps, n, *, image="", alt="", caption="", credit="", size=(None, None)):
    Section = apps.get_model("articles", "Section")
    Article = apps.get_model("articles", "Article")
    section, _ = Section.objects.get_or_create(slug="metro", defaults={"name": "Metro"})
    return Article.objects.create(
        uuid=uuid.uuid4(),
        headline=f"Story {n}",
        slug=f"story-{n}",
        section=section,
        body="<p>Text.</p>",
        image=image,
        image_width=size[0],
        image_height=size[1],
        image_alt=alt,
        image_caption=caption,
        image_credit=credit,
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )


def stored(name, data):
    return default_storage.save(name, ContentFile(data))


def test_every_stories_picture_moves_to_the_library_with_its_texts(old_apps):
    photo = pictures.jpeg_bytes(2400, 1600, colour="navy")
    chart = pictures.png_bytes(900, 600, colour="teal")
    told = [
        ("The mayor at the lectern", "The mayor speaks", "Jane Doe / Staff"),
        ("A chart of the budget", "Where the money goes", "Graphics desk"),
        # The same file as the first story, told differently: a picture of its own.
        ("The mayor again", "The mayor, later that day", "Jane Doe / Staff"),
        # The same file, told alike: shares the first story's picture.
        ("The mayor at the lectern", "The mayor speaks", "Jane Doe / Staff"),
    ]
    files = [
        stored("lead/2024/05/mayor.jpg", photo),
        stored("lead/2024/05/chart.png", chart),
        stored("lead/2024/06/mayor-copy.jpg", photo),
        stored("lead/2024/06/mayor-again.jpg", photo),
    ]
    for n, (name, (alt, caption, credit)) in enumerate(zip(files, told, strict=True)):
        old_story(old_apps, n, image=name, alt=alt, caption=caption, credit=credit)
    old_story(old_apps, 9)  # no picture

    from articles.models import Article
    from images.models import Image

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    stories = {a.slug: a for a in Article.objects.select_related("lead_image")}
    for n, (alt, caption, credit) in enumerate(told):
        picture = stories[f"story-{n}"].lead_image
        assert (picture.alt_text, picture.caption, picture.credit) == (alt, caption, credit)
    assert stories["story-9"].lead_image is None
    mayor = stories["story-0"].lead_image
    assert stories["story-3"].lead_image == mayor
    assert stories["story-2"].lead_image != mayor
    assert Image.objects.count() == 3
    assert (mayor.width, mayor.height, mayor.mime_type) == (2400, 1600, "image/jpeg")
    assert mayor.sha256 == hashlib.sha256(photo).hexdigest()
    assert stories["story-1"].lead_image.mime_type == "image/png"
    with default_storage.open(mayor.file.name, "rb") as file:
        assert file.read() == photo
    # One file, two pictures: stored once.
    assert stories["story-2"].lead_image.file.name == mayor.file.name
    assert default_storage.exists(files[0])  # the old file is left where it was

    call_command("render_images", verbosity=0)
    for picture in Image.objects.all():
        picture.refresh_from_db()
        assert picture.rendered == picture.render_key

    # Deleting one of two pictures of a file keeps the other's file and renditions.
    twin = stories["story-2"].lead_image
    Article.objects.filter(lead_image=twin).update(lead_image=None)
    Image.objects.get(pk=twin.pk).delete()
    assert default_storage.exists(mayor.file.name)
    assert all(default_storage.exists(r.file.name) for r in mayor.rendition_files.all())
    assert mayor.rendition_files.exists()


def test_a_story_whose_file_is_gone_keeps_its_texts(old_apps):
    old_story(
        old_apps,
        1,
        image="lead/2020/01/lost.jpg",
        alt="A lost picture",
        caption="Lost",
        credit="Archive",
        size=(800, 600),
    )

    from articles.models import Article

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    picture = Article.objects.get(slug="story-1").lead_image
    assert (picture.alt_text, picture.caption, picture.credit) == (
        "A lost picture",
        "Lost",
        "Archive",
    )
    assert (picture.width, picture.height) == (800, 600)
    assert picture.renditions(specs.FREE) == []  # readers see none, as before


def test_undoing_the_migration_puts_the_pictures_back_on_the_stories(old_apps):
    name = stored("lead/2024/05/mayor.jpg", pictures.jpeg_bytes(1600, 900))
    old_story(old_apps, 1, image=name, alt="Alt", caption="Caption", credit="Credit")
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    apps = migrate(BEFORE)

    story = apps.get_model("articles", "Article").objects.get(slug="story-1")
    assert (story.image_alt, story.image_caption, story.image_credit) == (
        "Alt",
        "Caption",
        "Credit",
    )
    assert (story.image_width, story.image_height) == (1600, 900)
    with default_storage.open(story.image.name, "rb") as file:
        assert hashlib.sha256(file.read()).hexdigest() == story_hash(apps)


def story_hash(apps):
    return apps.get_model("images", "Image").objects.get().sha256
