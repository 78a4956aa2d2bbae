"""Whole-site backups: `export_site` writes the newsroom to one file, `import_site` restores it
into an empty database, every public page byte for byte as it was.

The file is a zip archive (deflated), which carries media files as they are and checks every
member's CRC when it is read:

- `manifest.json`, the header: `format` ("newsroom-site"), `format_version`, `exported_at`,
  the database `engine`, the `migrations` applied in each app, and what the archive holds:
  each table's member and row count, each file field's media folder and file count.
- `data/<app_label>.<model>.jsonl`: one table, one row per line in Django's serialization
  shape, `{"pk": …, "fields": {name: value}}`; datetimes in full ISO 8601 (microseconds kept:
  ETags and feeds depend on them); foreign keys as primary keys, except those to content
  types and permissions (rows `migrate` makes, whose ids differ between databases), which
  are natural keys.
- `media/<app_label>.<model>.<field>/<name>`: the bytes of each file a file field names.

Tables are found, not listed: every concrete model `migrate` manages in INSTALLED_APPS, each
with every concrete field, so a new app or field comes along without a change here; what is
left out, and why, is `selection.LEFT_OUT`.
"""

from articles.backup.archive import FORMAT, FORMAT_VERSION, BackupError
from articles.backup.exporting import export_site
from articles.backup.restoring import import_site

__all__ = ["FORMAT", "FORMAT_VERSION", "BackupError", "export_site", "import_site"]
