"""What a backup holds: which tables, which of their fields, and how each value is written.

Every concrete model that `migrate` manages is a table of the backup (auto-created
many-to-many tables too: a user's groups, a group's permissions), with every concrete field,
so a new app or field comes along with no change here. LEFT_OUT names what is not kept.
"""

import gc
from collections.abc import Iterator

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from articles.backup.archive import BackupError

# Not backed up (by app label or model label), and why.
LEFT_OUT = {
    "sessions": "logins in progress: bearer secrets a backup must not carry; after a restore "
    "everyone logs in again",
    "axes": "failed-login counters, lockouts and login logs: short-lived records about "
    "addresses, and a restore must lock no one out",
    "caching.pendingpurge": "CDN purges due for the site as it was; an import purges "
    "everything once it has committed",
    "articles.searchentry": "SQLite's full-text index, derived from the stories; an import "
    "rebuilds it",
}

CHUNK_ROWS = 2000

# Rows `migrate` makes, whose primary keys differ between databases: matched by natural key,
# and referred to by natural key from every other table. In this order (a permission names
# its content type).
REFERENCES = ["contenttypes.contenttype", "auth.permission"]

# Rows data migrations make (the newsroom's roles, migration 0003): in an empty database the
# file's replace them, ids and all, as users' memberships name them by id.
REPLACED = ["auth.group"]


def label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def is_replaced(model: type[models.Model]) -> bool:
    """A table of REPLACED, or one of their many-to-many tables (a group's permissions)."""
    owner = model._meta.auto_created or model
    return label(owner) in REPLACED


def is_left_out(model: type[models.Model]) -> bool:
    return model._meta.app_label in LEFT_OUT or label(model) in LEFT_OUT


def tables() -> list[type[models.Model]]:
    """The backed-up models: the references first, then every other table `migrate` makes."""
    found = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not is_left_out(model)
    ]
    for model in found:
        if model._meta.parents:
            raise BackupError(f"{label(model)} inherits another table: not supported yet.")
    first = [model for name in REFERENCES for model in found if label(model) == name]
    return first + [model for model in found if model not in first]


def is_derived(field: models.Field) -> bool:
    """A value worked out from the others, rebuilt after an import rather than carried."""
    return isinstance(field, SearchVectorField) or getattr(field, "generated", False)


def fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a row carries besides its primary key."""
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and not is_derived(field)
    ]


def file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [field for field in fields(model) if isinstance(field, models.FileField)]


def natural_keys_by_pk() -> dict:
    """For writing: each reference row's natural key, by its primary key here."""
    permissions = Permission.objects.select_related("content_type")
    return {
        ContentType: {ct.pk: list(ct.natural_key()) for ct in ContentType.objects.all()},
        Permission: {p.pk: list(p.natural_key()) for p in permissions},
    }


def pks_by_natural_key() -> dict:
    """For reading: each reference row's primary key here, by its natural key."""
    permissions = Permission.objects.select_related("content_type")
    return {
        ContentType: {ct.natural_key(): ct.pk for ct in ContentType.objects.all()},
        Permission: {p.natural_key(): p.pk for p in permissions},
    }


def encode(obj: models.Model, row_fields: list[models.Field], natural: dict) -> dict:
    """One row as JSON-ready values: {"pk": …, "fields": {name: value}}."""
    values = {}
    for field in row_fields:
        references = natural.get(field.related_model) if field.is_relation else None
        value = getattr(obj, field.attname) if field.is_relation else None
        if references is not None and value is not None:
            values[field.name] = references[value]
        else:
            values[field.name] = _plain(field, obj)
    return {"pk": _plain(obj._meta.pk, obj), "fields": values}


def _plain(field: models.Field, obj: models.Model):
    value = field.value_from_object(obj)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    # Datetimes in full ISO 8601 (Django's JSON encoder would drop the microseconds), UUIDs,
    # decimals and file names as text, JSON as itself: each field's own serialization.
    return field.value_to_string(obj)


def decode(model: type[models.Model], row: dict, by_name: dict, natural: dict, *, tolerant: bool):
    """The unsaved instance a row describes (`by_name`: the model's fields by name).

    `tolerant`: a field this code no longer has (the database is newer than the file) is
    skipped; otherwise it is an error.
    """
    values = {}
    for name, value in row["fields"].items():
        field = by_name.get(name)
        if field is None:
            if tolerant:
                continue
            raise ValueError(f"{label(model)} has no field {name!r}")
        values[field.attname] = _python(field, value, natural)
    values[model._meta.pk.attname] = model._meta.pk.to_python(row["pk"])
    return model(**values)


def _python(field: models.Field, value, natural: dict):
    if value is None:
        return None
    references = natural.get(field.related_model) if field.is_relation else None
    if references is not None:
        try:
            return references[tuple(value)]
        except (KeyError, TypeError):
            raise ValueError(f"{field.name}: no {field.related_model.__name__} {value!r}") from None
    return field.to_python(value)


def release_cycles(model: type[models.Model]) -> None:
    """Free the rows just handled, when they hold files.

    A file field's value (a FieldFile) and its model instance refer to each other, so such
    rows are freed only by the cycle collector, which Python runs too seldom for a table of
    100,000 stories: without this, an import of 10,000 grew by 200 MB.
    """
    if file_fields(model):
        gc.collect()


def rows(model: type[models.Model]) -> Iterator[models.Model]:
    """Every row of a table, by primary key, a chunk at a time (never all in memory)."""
    names = [model._meta.pk.name, *(field.name for field in fields(model))]
    return model._base_manager.only(*names).order_by("pk").iterator(chunk_size=CHUNK_ROWS)
