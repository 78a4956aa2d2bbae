"""Writing the site to one archive, table by table, a chunk of rows at a time."""

import json
import os
import shutil
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from articles.backup import selection
from articles.backup.archive import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    BackupError,
    counted,
    media_prefix,
    table_member,
)

PROGRESS_EVERY = 10_000


def export_site(path: Path, *, overwrite: bool = False, report: Callable[[str], None]) -> dict:
    """Write the whole site to `path` (a zip archive) and return its header.

    The file appears complete or not at all (it is written beside `path`, then renamed), and
    readable by its owner only: it holds password hashes.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise BackupError(f"{path} exists; choose another name or pass --overwrite.")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory.")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)  # mkstemp made it 0600; the archive is written over it
    try:
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost:
                _read_one_snapshot()
            with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
                manifest = _write(zf, report)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return manifest


def _read_one_snapshot() -> None:
    # Every table as of one moment while the desk keeps working: a story and its bylines
    # from the same instant. SQLite's read transaction is such a snapshot already.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def _write(zf: zipfile.ZipFile, report) -> dict:
    natural = selection.natural_keys_by_pk()
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "engine": connection.vendor,
        "site_name": settings.SITE_NAME,
        "migrations": migration_state(),
        "left_out": selection.LEFT_OUT,
        "tables": [],
        "media": [],
    }
    for model in selection.tables():
        label = selection.label(model)
        count, files = _write_table(zf, model, natural, report)
        manifest["tables"].append({"model": label, "member": table_member(label), "rows": count})
        report(f"{label}: {counted(count, 'row')}")
        for field in selection.file_fields(model):
            entry = _write_media(zf, model, field, sorted(files[field.name]))
            manifest["media"].append(entry)
            report(f"{label}.{field.name}: {counted(entry['files'], 'file')}")
            for name in entry["missing"]:
                report(f"  missing from storage, not exported: {name}")
    zf.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest


def migration_state() -> dict[str, list[str]]:
    """The migrations applied to this database, by app."""
    applied = defaultdict(list)
    for app_label, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied[app_label].append(name)
    return dict(applied)


def _write_table(zf, model, natural, report) -> tuple[int, dict[str, set[str]]]:
    row_fields = selection.fields(model)
    file_fields = selection.file_fields(model)
    files: dict[str, set[str]] = {field.name: set() for field in file_fields}
    count = 0
    with zf.open(table_member(selection.label(model)), "w", force_zip64=True) as member:
        for obj in selection.rows(model):
            row = selection.encode(obj, row_fields, natural)
            member.write(json.dumps(row, ensure_ascii=False).encode() + b"\n")
            for field in file_fields:
                if name := row["fields"][field.name]:
                    files[field.name].add(name)
            count += 1
            if count % selection.CHUNK_ROWS == 0:
                selection.release_cycles(model)
            if count % PROGRESS_EVERY == 0:
                report(f"  {selection.label(model)}: {count} rows…")
    return count, files


def _write_media(zf, model, field, names: list[str]) -> dict:
    prefix = media_prefix(selection.label(model), field.name)
    written, missing = 0, []
    for name in names:
        try:
            source = field.storage.open(name, "rb")
        except FileNotFoundError:
            missing.append(name)
            continue
        with source, zf.open(prefix + name, "w", force_zip64=True) as member:
            shutil.copyfileobj(source, member, 2**20)
        written += 1
    return {
        "model": selection.label(model),
        "field": field.name,
        "member": prefix,
        "files": written,
        "missing": missing,
    }
