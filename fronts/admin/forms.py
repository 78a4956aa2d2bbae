"""The fronts desk's forms: what an editor may save, and the reason when not."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from taggit.models import Tag

from articles.models import Article
from fronts import revisions
from fronts.models import Collection, Front, Slot


class NumbersNewRows:
    """Rows ordered by `position`; a new row whose position is left empty goes after the
    others of its group (`group_of`: one group, unless a formset orders several)."""

    def group_of(self, form):
        return None

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["position"].required = False
        if form.instance.pk is None:
            form.fields["position"].initial = None
            form.initial.pop("position", None)

    def clean(self):
        super().clean()
        kept = [
            form for form in self.forms if form.has_changed() and not self._should_delete_form(form)
        ]
        last: dict = {}
        for form in [*self.initial_forms, *kept]:
            position = form.cleaned_data.get("position")
            if position is not None:
                group = self.group_of(form)
                last[group] = max(last.get(group, -1), position)
        for form in kept:
            if form.cleaned_data.get("position") is None:
                group = self.group_of(form)
                last[group] = last.get(group, -1) + 1
                form.cleaned_data["position"] = form.instance.position = last[group]


class OrderedFormSet(NumbersNewRows, BaseInlineFormSet):
    """An inline's rows in order (a front's collections, a collection's pins)."""


class GuardsLayout(forms.ModelForm):
    """No lost updates: the form carries the version of the front's layout it was opened at,
    and a save is refused if anyone has saved that front since (its page, one of its
    collections' pages, a restore), with why (`refusal`) and what is different now
    (`conflict`)."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    refusal = gettext_lazy(
        "The front “%(front)s” was changed by %(who)s since you opened this page, so your "
        "changes were not saved. Review what is different below, then reload the page, make "
        "your changes again and save."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        self.guarded_front = self.front_of(self.instance) if self.instance.pk else None
        if self.guarded_front is not None:
            self.fields["base_version"].initial = self.guarded_front.layout_version

    def front_of(self, instance) -> Front:
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if self.guarded_front is not None:
            self.check_not_changed_since_opened(cleaned.get("base_version"))
        return cleaned

    def check_not_changed_since_opened(self, base_version):
        # The lock holds until the admin's transaction ends: two saves of one front take turns.
        current = (
            Front.objects.select_for_update()
            .filter(pk=self.guarded_front.pk)
            .values_list("layout_version", flat=True)
            .first()
        )
        if base_version is None or current is None or current == base_version:
            return
        self.conflict = revisions.conflict(self.guarded_front.pk, base_version)
        raise ValidationError(
            self.refusal,
            code="conflict",
            params={"front": self.guarded_front, "who": self.conflict.who},
        )


class FrontForm(GuardsLayout):
    class Meta:
        model = Front
        fields = ["name", "slug", "section", "replaces", "starts_at", "ends_at"]

    def front_of(self, instance) -> Front:
        return instance

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "replaces" in self.fields:
            # A layout replaces a front itself, never another layout (nor itself).
            fronts = Front.objects.filter(replaces__isnull=True).exclude(pk=self.instance.pk)
            self.fields["replaces"].queryset = fronts.order_by("name")


class CollectionForm(forms.ModelForm):
    # A name or a slug, turned into the slug the backfill filters by.
    backfill_tag = forms.CharField(
        label=gettext_lazy("Backfill from tag"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("A tag's name or slug, e.g. “Immigration”; empty: any tag."),
    )

    class Meta:
        model = Collection
        fields = [
            "title",
            "position",
            "style",
            "max_stories",
            "backfill",
            "backfill_section",
            "backfill_tag",
            "backfill_kind",
        ]

    def clean_backfill_tag(self):
        value = self.cleaned_data["backfill_tag"].strip()
        if not value:
            return ""
        tag = Tag.objects.filter(Q(slug__iexact=value) | Q(name__iexact=value)).first()
        if tag is None:
            raise ValidationError(
                _(
                    "There is no tag “%(tag)s”: the backfill would find no story. Give the "
                    "name or slug of a tag stories carry (see Tags), or leave it empty."
                ),
                code="unknown_tag",
                params={"tag": value},
            )
        return tag.slug


class GuardsCollectionsFront(GuardsLayout):
    """Guarded by the layout version of the front the collection is on."""

    def front_of(self, instance) -> Front:
        return Front.objects.get(pk=instance.front_id)


class CollectionPageForm(GuardsCollectionsFront, CollectionForm):
    """A collection's own page (with its pins): guarded by its front's layout version.

    Its add page too, when it is opened for a front (`?front=<pk>`, as a link from the front
    would open it): it carries that front's version then, and which front that is
    (`base_front`), so an add saved after someone else's save of that front is refused like a
    change. Opened without a front, or saved to another front than the one it was opened
    for, it carries no version of the front saved to, and the add is accepted: the page shows
    no layout, so there is no arrangement the editor can have based the new collection on,
    and so none they could overwrite unseen. (Carrying every front's version instead would
    refuse an add over any change to whichever front is chosen, which the editor had never
    been shown on this page.)
    """

    base_front = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta(CollectionForm.Meta):
        fields = ["front", *CollectionForm.Meta.fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and not self.is_bound:
            opened_for = self.front_opened_for()
            if opened_for is not None:
                # Read here, whatever the address says: the version as the page opens.
                self.initial["base_front"] = opened_for.pk
                self.initial["base_version"] = opened_for.layout_version

    def front_opened_for(self) -> Front | None:
        """The front an add page was opened for (its initial front), if it is one."""
        field = self.fields.get("front")
        try:
            return field.clean(self.initial.get("front")) if field else None
        except ValidationError:
            return None

    def clean(self):
        if self.instance.pk is None:
            front = self.cleaned_data.get("front")
            if front is not None and front.pk == self.cleaned_data.get("base_front"):
                self.guarded_front = front
        return super().clean()


# What a story is that cannot be pinned, by its status.
NOT_PINNABLE = {
    Article.Status.DRAFT: gettext_lazy("a draft"),
    Article.Status.REVIEW: gettext_lazy("in review, not published yet"),
    Article.Status.UNPUBLISHED: gettext_lazy("withdrawn"),
    Article.Status.TRASHED: gettext_lazy("in the trash"),
}


class SlotForm(forms.ModelForm):
    class Meta:
        model = Slot
        fields = ["article", "position", "expires_at", "headline", "dek", "crop"]
        widgets = {"dek": forms.Textarea(attrs={"rows": 2, "cols": 30})}

    def clean_article(self):
        story = self.cleaned_data["article"]
        # A pin kept from before may have gone off the site: "Now showing" says so, and the
        # rest of the collection can still be saved.
        if "article" in self.changed_data and story.status != Article.Status.PUBLISHED:
            raise ValidationError(
                _("“%(headline)s” is %(state)s: only live or scheduled stories can be pinned."),
                code="not_pinnable",
                params={"headline": story.headline, "state": NOT_PINNABLE[story.status]},
            )
        return story

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        if expires_at and "expires_at" in self.changed_data and expires_at <= timezone.now():
            raise ValidationError(
                _(
                    "That time has passed: the pin would never show. Leave it empty to pin "
                    "the story until it is unpinned."
                ),
                code="expired",
            )
        return expires_at
