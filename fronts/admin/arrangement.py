"""A front's arrangement on one screen: its collections in order, each with its pins in order,
moved by dragging or from the keyboard (fronts/static/fronts/arrange.js), and a preview of
the page readers would get from the unsaved arrangement.

The front's change page carries two formsets: its collections (CollectionInline) and every
pin of the front (PinsInline below, one formset across the collections, so a pin can move
from one collection to another). Without JavaScript the positions and each pin's collection
are plain fields; the script only writes them. The whole arrangement is saved by the front's
page in one transaction, so it is one revision and one lost-update check.

The preview applies the posted arrangement exactly as a save would, renders the front's page
from it, and rolls the transaction back: what the editor sees is what saving would publish,
backfill included, and nothing is written (no revision, no purge: purges wait for a commit).
"""

from functools import partial

from django import forms
from django.contrib import admin
from django.contrib.admin.checks import InlineModelAdminChecks
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.formsets import all_valid
from django.forms.models import BaseModelFormSet, modelformset_factory
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin

from articles.admin.stories import PickOnly
from fronts.admin.choosers import PinnableStoryWidget
from fronts.admin.forms import CollectionForm, NumbersNewRows, SlotForm
from fronts.models import Collection, Slot
from fronts.views import attached, heading, showing
from newsroom.csp import PREVIEW_POLICY


class UntilNamed:
    """A new row counts once it names what it adds (a collection its title, a pin its
    story): a row the page numbered (its position, its collection) but left empty is no
    change, as Django takes an untouched extra row."""

    names = ""

    def has_changed(self):
        if self.instance._state.adding and not self[self.names].value():
            return False
        return super().has_changed()


class ArrangedCollectionForm(UntilNamed, CollectionForm):
    names = "title"


class PinForm(UntilNamed, SlotForm):
    """A pin on the front's page: its story, where it is, and its front-only texts."""

    names = "article"

    class Meta(SlotForm.Meta):
        fields = ["collection", *SlotForm.Meta.fields]
        widgets = {
            **SlotForm.Meta.widgets,
            "position": forms.NumberInput(attrs={"class": "arrange-position", "min": 0}),
        }


class FrontPinsFormSet(NumbersNewRows, BaseModelFormSet):
    """Every pin of one front, in the front's order; a new pin names its collection."""

    def __init__(self, data=None, files=None, instance=None, save_as_new=False, prefix=None,
                 queryset=None, **kwargs):  # fmt: skip
        self.instance = instance
        self.collections = list(
            Collection.objects.filter(front=instance).order_by("position", "pk")
        )
        pins = Slot.objects.filter(collection__front=instance).select_related("article")
        pins = pins.order_by("collection__position", "collection_id", "position", "pk")
        self.gone_collections: set[int] = set()
        super().__init__(data, files, prefix=prefix, queryset=pins, **kwargs)

    @classmethod
    def get_default_prefix(cls):
        return "pins"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        field = form.fields["collection"]
        field.queryset = Collection.objects.filter(front=self.instance)
        # The choices once for all the rows, not a query per row.
        field.choices = [("", "---------")] + [(c.pk, c.title) for c in self.collections]

    def group_of(self, form):
        # Positions count within a collection: a new pin goes after its collection's others.
        collection = form.cleaned_data.get("collection")
        return collection.pk if collection is not None else None

    def save_existing(self, form, obj, commit=True):
        if obj.collection_id in self.gone_collections:
            # Its collection was deleted in the same save: the pin goes with it, even one
            # moved into it from another collection.
            Slot.objects.filter(pk=obj.pk).delete()
            return obj
        return super().save_existing(form, obj, commit=commit)

    def save_new(self, form, commit=True):
        if form.cleaned_data["collection"].pk in self.gone_collections:
            return form.instance
        return super().save_new(form, commit=commit)

    def delete_existing(self, obj, commit=True):
        if obj.collection_id not in self.gone_collections:
            super().delete_existing(obj, commit=commit)


class PinsChecks(InlineModelAdminChecks):
    def _check_relation(self, obj, parent_model):
        return []  # a pin belongs to its front through its collection

    def _check_exclude_of_parent_model(self, obj, parent_model):
        return []


class PinsInline(PickOnly, admin.TabularInline):
    """Every pin of the front, for editors who may arrange it (the page renders them inside
    their collections: templates/admin/fronts/front/arrangement.html)."""

    model = Slot
    form = PinForm
    formset = FrontPinsFormSet
    checks_class = PinsChecks
    extra = 0
    pick_only = {"article": {"can_view_related"}, "collection": set()}
    verbose_name = gettext_lazy("pinned story")
    verbose_name_plural = gettext_lazy("pinned stories")

    def arranges(self, request, front=None) -> bool:
        return request.user.has_perm("fronts.change_front") and front is not None

    def has_view_permission(self, request, obj=None):
        return self.arranges(request, obj)

    def has_add_permission(self, request, obj=None):
        return self.arranges(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.arranges(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.arranges(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "article":
            kwargs["widget"] = PinnableStoryWidget(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        return modelformset_factory(
            Slot,
            form=self.form,
            formset=self.formset,
            fields=PinForm.Meta.fields,
            formfield_callback=partial(self.formfield_for_dbfield, request=request),
            extra=self.get_extra(request, obj),
            can_delete=True,
        )


class Arrangement:
    """The front's page as one screen: collections with their pins inside, and the preview."""

    def get_inlines(self, request, obj):
        inlines = list(super().get_inlines(request, obj))
        return [*inlines, PinsInline] if obj is not None else inlines

    def get_urls(self):
        return [
            path(
                "<int:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="fronts_front_preview",
            ),
            *super().get_urls(),
        ]

    def save_related(self, request, form, formsets, change):
        collections = next((f for f in formsets if f.prefix == "collections"), None)
        pins = next((f for f in formsets if isinstance(f, FrontPinsFormSet)), None)
        if collections is not None and pins is not None:
            pins.gone_collections = {
                f.instance.pk for f in collections.deleted_forms if f.instance.pk
            }
        super().save_related(request, form, formsets, change)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["arrangement"] = arrangement(context.get("inline_admin_formsets", []))
        return super().render_change_form(request, context, add, change, form_url, obj)

    @xframe_options_sameorigin
    def preview_view(self, request, object_id):
        """The front's page from the arrangement posted, saved and rolled back."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        front = self.get_object(request, object_id)
        if front is None:
            raise Http404
        if not self.has_change_permission(request, front):
            raise PermissionDenied
        form = self.get_form(request, front, change=True)(
            request.POST, request.FILES, instance=front
        )
        formsets, _inlines = self._create_formsets(request, front, change=True)
        with transaction.atomic():
            valid = form.is_valid() and all_valid(formsets)
            shown = []
            if valid:
                front = self.save_form(request, form, change=True)
                self.save_model(request, front, form, True)
                self.save_related(request, form, formsets, True)
                shown = showing(front)
                attached(request, shown)
            response = render(
                request,
                "fronts/preview.html",
                {
                    "front": front,
                    "title": heading(front),
                    "collections": shown,
                    "errors": None if valid else _errors(form, formsets),
                },
                status=200 if valid else 422,
            )
            transaction.set_rollback(True)
        response["Content-Security-Policy"] = PREVIEW_POLICY
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response


def _errors(form, formsets) -> list[str]:
    """What keeps the arrangement from being previewed (and saved), in words."""
    errors = [str(e) for e in form.non_field_errors()]
    errors += [f"{form.fields[name].label}: {e}" for name in form.errors if name != "__all__"
               for e in form.errors[name]]  # fmt: skip
    for formset in formsets:
        errors += [str(e) for e in formset.non_form_errors()]
        for row in formset.errors:
            errors += [str(message) for messages in row.values() for message in messages]
    return errors


def arrangement(inline_admin_formsets) -> dict | None:
    """The collections in order, each with its pin rows, for the one-screen template."""
    by_kind = {type(f.opts).__name__: f for f in inline_admin_formsets}
    collections, pins = by_kind.get("CollectionInline"), by_kind.get("PinsInline")
    if collections is None or pins is None:
        return None
    rows: dict[str, list] = {}
    loose = []
    for form in pins.formset.forms:
        value = form["collection"].value()
        (rows.setdefault(str(value), []) if value else loose).append(form)
    placed = []
    for form in collections.formset.forms:
        key = str(form.instance.pk) if form.instance.pk else None
        placed.append({"form": form, "pins": rows.pop(key, []) if key else []})
    loose += [form for forms_ in rows.values() for form in forms_]
    return {
        "collections": collections.formset,
        "pins": pins.formset,
        "rows": placed,
        "loose": loose,
    }
