"""Take the tag list away from Reporters (migration 0003's ROLES, synced again).

Merging or deleting tags removes them from every story that carries them, so only Editors
see the vocabulary; Reporters still tag their own stories in the story form.
"""

from importlib import import_module

from django.db import migrations

roles = import_module("articles.migrations.0003_create_roles")


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_add_search_filter_index")]

    operations = [migrations.RunPython(roles.sync_roles, migrations.RunPython.noop)]
