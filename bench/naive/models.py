"""Read-only views of the site's tables (unmanaged: this project never migrates them)."""

from django.db import models


class Section(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)

    class Meta:
        managed = False
        db_table = "articles_section"

    def __str__(self):
        return self.name


class Author(models.Model):
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150)

    class Meta:
        managed = False
        db_table = "articles_author"

    def __str__(self):
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)

    class Meta:
        managed = False
        db_table = "taggit_tag"

    def __str__(self):
        return self.name


class Article(models.Model):
    headline = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    dek = models.TextField()
    body = models.TextField()
    section = models.ForeignKey(Section, on_delete=models.DO_NOTHING)
    status = models.CharField(max_length=20)
    publish_at = models.DateTimeField(null=True)

    class Meta:
        managed = False
        db_table = "articles_article"

    def __str__(self):
        return self.headline


class Byline(models.Model):
    article = models.ForeignKey(Article, on_delete=models.DO_NOTHING, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.DO_NOTHING, related_name="bylines")
    position = models.PositiveSmallIntegerField()

    class Meta:
        managed = False
        db_table = "articles_byline"

    def __str__(self):
        return f"{self.author_id} on {self.article_id}"


class TaggedArticle(models.Model):
    content_object = models.ForeignKey(Article, on_delete=models.DO_NOTHING, related_name="+")
    tag = models.ForeignKey(Tag, on_delete=models.DO_NOTHING, related_name="tagged")

    class Meta:
        managed = False
        db_table = "articles_taggedarticle"

    def __str__(self):
        return f"{self.tag_id} on {self.content_object_id}"
