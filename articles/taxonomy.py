"""Where stories go (sections) and who writes them (authors): the story's reference lists.

Kept beside articles/models.py, which imports them from here (as it does articles/records.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.addresses import slug_path
from articles.querysets import SlugKeyedManager


class Section(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("One or two sentences shown on the section front."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order in the site navigation; lower comes first.")
    )

    objects = SlugKeyedManager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_path("articles:section", self.slug)

    def natural_key(self):
        return (self.slug,)


class Author(models.Model):
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    title = models.CharField(
        _("title"), max_length=150, blank=True, help_text=_("Job title, e.g. “City Hall reporter”.")
    )
    bio = models.TextField(_("bio"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
        help_text=_("The admin login of this author, if they write in the CMS."),
    )

    objects = SlugKeyedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_path("articles:author", self.slug)

    def natural_key(self):
        return (self.slug,)
