"""SQLite: an index of the columns search filters read, by story id (articles.search.sqlite).

Search walks the newest matches in the FTS5 table and looks up each story by id to keep the
live ones that pass the filters. Through the table itself each lookup reads a page of story
rows (most of their bytes are the body); through this index, a few pages hold thousands.
PostgreSQL reads each story's search vector from its row anyway: it gets no such index.
"""

from django.db import migrations

INDEX = "article_search_filter_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON articles_article "
            "(id, status, publish_at, section_id)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_add_admin_list_index"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
