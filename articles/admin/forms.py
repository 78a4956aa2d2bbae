"""The article change form: rich text, role-limited choices, no lost updates, publish checks."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import get_script_prefix
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from articles.editorial import publishing, revisions
from articles.models import Article, ArticleRedirect, Revision

# The editor offers exactly the body allow-list of articles/sanitize.py (img and figure come
# only from imports); the model sanitizes again on every save path whatever the editor sends.
BODY_EDITOR = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "Heading": {"levels": [2, 3]},
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
        "History": True,
    }
}

# A story address, as articles/addresses.py writes it: yyyy/mm/dd/slug/ after the prefix.
STORY_PATH = re.compile(r"\d{4}/\d{2}/\d{2}/[-\w]+/")

REPORTER_STATUSES = {Article.Status.DRAFT, Article.Status.REVIEW}


def can_publish(user) -> bool:
    return user.has_perm("articles.publish_article")


class ArticleAdminForm(forms.ModelForm):
    body = ProseEditorFormField(
        config=BODY_EDITOR, required=False, label=_("Body"), widget=AdminProseEditorWidget
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    substantive_update = forms.BooleanField(
        label=_("Substantive update"),
        required=False,
        help_text=_(
            "Tick when this save changes the story's substance: it moves the public "
            "“Updated” time and appears in the story's change log. Leave unticked for typos."
        ),
    )
    update_reason = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=300,
        help_text=_("Shown to readers in the change log, e.g. “Adds the mayor’s response.”"),
    )

    class Meta:
        model = Article
        fields = [
            "kicker",
            "headline",
            "dek",
            "body",
            "dateline",
            "section",
            "kind",
            "tags",
            "status",
            "publish_at",
            "featured",
            "lead_image",
            "seo_title",
            "meta_description",
            "slug",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.conflict = None
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version
        if "status" in self.fields:
            # The trash is reached by deleting a story (publishing.move_to_trash), never here.
            allowed = REPORTER_STATUSES if user is not None and not can_publish(user) else None
            self.fields["status"].choices = [
                (value, label)
                for value, label in self.fields["status"].choices
                if value != Article.Status.TRASHED and (allowed is None or value in allowed)
            ]

    def clean_status(self):
        status = self.cleaned_data["status"]
        if status == Article.Status.TRASHED:
            raise ValidationError(_("Delete the story to move it to the trash."))
        if self.user is not None and not can_publish(self.user) and status not in REPORTER_STATUSES:
            raise ValidationError(_("Only editors can publish, schedule or withdraw stories."))
        return status

    def clean_slug(self):
        """Refuse a slug that another story's old address uses: readers are still sent there."""
        slug = self.cleaned_data["slug"]
        taken = (
            ArticleRedirect.objects.filter(old_path__endswith=f"/{slug}/")
            .exclude(article_id=self.instance.pk)
            .select_related("article")
        )
        for redirect in taken:
            if STORY_PATH.fullmatch(redirect.old_path.removeprefix(get_script_prefix())):
                raise ValidationError(
                    _(
                        "This slug is taken by an old address of “%(headline)s” (%(path)s), "
                        "which readers are still sent from; choose another."
                    )
                    % {"headline": redirect.article.headline, "path": redirect.old_path}
                )
        return slug

    def clean_update_reason(self):
        reason = self.cleaned_data["update_reason"].strip()
        if not self.cleaned_data.get("substantive_update"):
            return ""
        if not reason:
            raise ValidationError(_("Say what changed: readers see it in the change log."))
        if not self.instance.pk or not self.instance.was_public:
            raise ValidationError(
                _("Only a story that has been live can have a substantive update.")
            )
        return reason

    def clean(self):
        cleaned = super().clean()
        reporter = self.user is not None and not can_publish(self.user)
        if cleaned.get("substantive_update") and reporter:
            # Not on a reporter's form, so only a forged post carries it: refuse it (as an
            # error on the whole form, since the field is not there to show it).
            self.add_error(None, _("Only editors can mark a substantive update."))
        if self.instance.pk:
            self.check_not_changed_since_opened(cleaned.get("base_version"))
        if cleaned.get("status") == Article.Status.PUBLISHED and not cleaned.get("publish_at"):
            self.add_error("publish_at", _("A published story needs a publish time."))
        return cleaned

    def check_not_changed_since_opened(self, base_version):
        """Optimistic locking: refuse the save if someone saved the story after it was opened."""
        current = (
            Article.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if base_version is None or current is None or current == base_version:
            return
        latest = Revision.objects.filter(article_id=self.instance.pk).first()
        opened = Revision.objects.filter(
            article_id=self.instance.pk, version__lte=base_version
        ).first()
        who = latest.created_by if latest and latest.created_by else _("someone else")
        self.conflict = {
            "who": who,
            "when": latest.created_at if latest else None,
            "changes": revisions.diff(opened.data, latest.data) if opened and latest else [],
        }
        raise ValidationError(
            _(
                "This story was changed by %(who)s since you opened it, so your changes were "
                "not saved. Review what changed below, then copy your edits into the current "
                "version (reload the page) and save again."
            ),
            code="conflict",
            params={"who": who},
        )


class BylineFormSet(BaseInlineFormSet):
    """Refuse to publish a story whose byline would be empty, or whose body is empty."""

    def clean(self):
        super().clean()
        article = self.instance
        if article.status != Article.Status.PUBLISHED:
            return
        authors = [
            form
            for form in self.forms
            if form.cleaned_data
            and form.cleaned_data.get("author")
            and not form.cleaned_data.get("DELETE")
        ]
        problems = publishing.problems(article, author_count=len(authors), at=article.publish_at)
        if problems:
            raise ValidationError(
                [_("This story cannot be published yet:")] + problems, code="not_publishable"
            )
