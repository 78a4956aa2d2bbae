from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from bench.naive.models import Article, Author, Tag


def story(request, year, month, day, slug):
    article = get_object_or_404(
        Article.objects.select_related("section"),
        slug=slug,
        status="published",
        publish_at__lte=timezone.now(),
    )
    authors = Author.objects.filter(bylines__article=article).order_by("bylines__position")
    tags = Tag.objects.filter(tagged__content_object=article).order_by("name")
    return render(
        request, "naive/story.html", {"article": article, "authors": authors, "tags": tags}
    )
