"""Restoring an archive into an empty database: all of it, in one transaction, or nothing."""

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files import File
from django.core.files.utils import validate_file_name
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from articles import search
from articles.backup import selection
from articles.backup.archive import BackupError, counted, open_archive
from caching import keys, purges

BATCH_ROWS = 1000
PROGRESS_EVERY = 10_000


def import_site(path: Path, *, report: Callable[[str], None]) -> dict:
    """Restore the export at `path` into this (empty, migrated) database; return its header.

    Refused, with nothing changed, when the file is not an export this version reads, comes
    from code with migrations this one lacks, or the database already holds a site. Any
    fault on the way (a damaged member, a row that does not fit) undoes the whole import,
    media files included.
    """
    archive, manifest = open_archive(Path(path))
    with archive:
        newer_here = _check_migrations(manifest)
        _check_empty()
        for name in newer_here:
            report(f"Applied here but not in the file (fields added since take defaults): {name}")
        written: list[tuple] = []
        ContentType.objects.clear_cache()
        try:
            with transaction.atomic():
                _restore(archive, manifest, written, tolerant=bool(newer_here), report=report)
        except BaseException:
            for storage, name in written:
                storage.delete(name)
            ContentType.objects.clear_cache()
            raise
    return manifest


def _check_migrations(manifest: dict) -> list[str]:
    """Refuse a file from newer code or an unmigrated database; return what is newer here."""
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise BackupError("This database is not fully migrated: run `manage.py migrate` first.")
    here = set(MigrationRecorder(connection).applied_migrations())
    try:
        in_file = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    except (AttributeError, TypeError):
        raise BackupError("The file's header has no readable migration state.") from None
    unknown = sorted(in_file - here)
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupError(
            f"The file comes from a newer version of the site: it has migrations this "
            f"database lacks ({names}). Update the code and run migrate, then import."
        )
    return [f"{app}.{name}" for app, name in sorted(here - in_file)]


def _check_empty() -> None:
    found = []
    for model in selection.tables():
        kept = selection.label(model) in selection.REFERENCES or selection.is_replaced(model)
        if not kept and model._base_manager.exists():
            found.append(f"{model._base_manager.count()} {model._meta.verbose_name_plural}")
    if found:
        raise BackupError(
            f"This database is not empty (it has {', '.join(found[:6])}). import_site "
            f"restores into an empty database only: create one and run migrate, then import."
        )


def _restore(archive, manifest, written, *, tolerant, report) -> None:
    restored = []
    if connection.vendor == "postgresql":
        # Foreign keys are checked once every table is in (_finish), so tables go in any
        # order, and rows that point at each other (a story and its revisions) need none.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    _restore_media(archive, manifest, written, tolerant=tolerant, report=report)
    tables = {entry["model"]: entry for entry in manifest["tables"]}
    for name in selection.REFERENCES:
        if name in tables:
            _restore_references(archive, tables.pop(name))
    natural = selection.pks_by_natural_key()
    for name in selection.REPLACED:
        apps.get_model(name)._base_manager.all().delete()
    for entry in tables.values():
        model = _model(entry["model"], tolerant=tolerant, report=report)
        if model is not None:
            count = _restore_table(archive, model, entry, natural, tolerant, report)
            report(f"{entry['model']}: {counted(count, 'row')}")
            restored.append(model)
    _finish(restored, report)


def _model(name: str, *, tolerant: bool, report):
    try:
        model = apps.get_model(name)
    except (LookupError, ValueError):
        if tolerant:
            report(f"{name}: no such table here any more; skipped")
            return None
        raise BackupError(f"The file has a table this site does not know: {name}.") from None
    if selection.is_left_out(model) or model not in selection.tables():
        raise BackupError(f"The file has a table that is never backed up: {name}.")
    return model


def _rows_of(archive, entry):
    """(line number, row) for each line of a table's member; damage becomes a BackupError."""
    member = entry["member"]
    try:
        with archive.open(member) as raw:
            for number, line in enumerate(io.TextIOWrapper(raw, encoding="utf-8"), start=1):
                try:
                    yield number, json.loads(line)
                except ValueError as error:
                    raise BackupError(f"{member}, line {number}: not a row ({error}).") from None
    except KeyError:
        raise BackupError(f"The file lacks {member}, which its header lists.") from None
    except (zipfile.BadZipFile, UnicodeDecodeError, OSError, EOFError) as error:
        raise BackupError(f"{member} is damaged: {error}.") from None


def _restore_references(archive, entry) -> None:
    """Make each content type and permission the file names that migrate did not make here."""
    for number, row in _rows_of(archive, entry):
        try:
            values = row["fields"]
            if entry["model"] == "contenttypes.contenttype":
                ContentType.objects.get_or_create(
                    app_label=values["app_label"], model=values["model"]
                )
                continue
            app_label, model_name = values["content_type"]
            content_type, _ = ContentType.objects.get_or_create(
                app_label=app_label, model=model_name
            )
            Permission.objects.get_or_create(
                content_type=content_type,
                codename=values["codename"],
                defaults={"name": values["name"]},
            )
        except (KeyError, TypeError, ValueError) as error:
            raise BackupError(f"{entry['member']}, line {number}: not a row ({error}).") from None


def _restore_table(archive, model, entry, natural, tolerant, report) -> int:
    by_name = {field.name: field for field in selection.fields(model)}
    insert_fields = [model._meta.pk, *by_name.values()]
    size = max(
        1, min(BATCH_ROWS, connection.ops.bulk_batch_size(insert_fields, [None] * BATCH_ROWS))
    )
    batch, count = [], 0
    for number, row in _rows_of(archive, entry):
        try:
            batch.append(selection.decode(model, row, by_name, natural, tolerant=tolerant))
        except (KeyError, TypeError, ValueError, ValidationError) as error:
            raise BackupError(f"{entry['member']}, line {number}: {error}") from None
        count += 1
        if len(batch) >= size:
            _insert(model, batch, insert_fields, entry)
            batch = []
            selection.release_cycles(model)
        if count % PROGRESS_EVERY == 0:
            report(f"  {entry['model']}: {count} rows…")
    _insert(model, batch, insert_fields, entry)
    if count != entry.get("rows"):
        raise BackupError(
            f"{entry['member']} has {count} rows; the header says {entry.get('rows')}."
        )
    return count


def _insert(model, batch, insert_fields, entry) -> None:
    if not batch:
        return
    try:
        # A raw insert, as loaddata's: values as they were (no auto_now, no upload, no
        # signals: the search index and caches are brought up to date once, at the end).
        model._base_manager._insert(batch, fields=insert_fields, raw=True, using=connection.alias)
    except DatabaseError as error:
        raise BackupError(f"{entry['member']}: the database refused a row ({error}).") from None


def _restore_media(archive, manifest, written, *, tolerant, report) -> None:
    for entry in manifest["media"]:
        model = _model(entry["model"], tolerant=tolerant, report=report)
        if model is None:
            continue
        field = model._meta.get_field(entry["field"])
        prefix = entry["member"]
        members = [info for info in archive.infolist() if info.filename.startswith(prefix)]
        for info in members:
            _restore_file(archive, info, info.filename[len(prefix) :], field.storage, written)
        report(f"{entry['model']}.{entry['field']}: {counted(len(members), 'file')}")


def _restore_file(archive, info, name: str, storage, written) -> None:
    try:
        validate_file_name(name, allow_relative_path=True)
    except SuspiciousFileOperation:
        raise BackupError(f"The file has a media file with an unsafe name: {name!r}.") from None
    try:
        with archive.open(info) as source:
            if storage.exists(name):
                with storage.open(name, "rb") as present:
                    if present.read() != source.read():
                        raise BackupError(f"Media file {name} exists here with other contents.")
                return
            saved = storage.save(name, File(source, name=name))
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise BackupError(f"{info.filename} is damaged: {error}.") from None
    written.append((storage, saved))
    if saved != name:
        raise BackupError(f"Media file {name} could not be stored under its own name.")


def _finish(models, report) -> None:
    with connection.cursor() as cursor:
        # The next story (user, correction…) gets a fresh id, not one of the restored ones.
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    try:
        connection.check_constraints(table_names=[model._meta.db_table for model in models])
    except DatabaseError as error:
        raise BackupError(f"The file's rows do not fit together: {error}") from None
    count = search.index_articles()
    report(f"Search index rebuilt: {count} stories.")
    # Every cached page, here and at the CDN, showed whatever this database held before.
    purges.changed(keys.SITE)
