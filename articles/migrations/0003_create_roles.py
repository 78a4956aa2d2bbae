"""Create the newsroom's roles: Reporter and Editor, with their model permissions.

Running it again (or a later migration calling sync_roles) sets each group's permissions on
the apps listed here (articles, taggit) to exactly this list, so the groups stay in step with
the code; what other apps' migrations grant (the picture library's, the fronts') is left as
it is, whichever order the migrations run in.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Reporter": [
        "articles.add_article",
        "articles.change_article",
        "articles.view_article",
        "articles.add_byline",
        "articles.change_byline",
        "articles.delete_byline",
        "articles.view_byline",
        "articles.view_section",
        "articles.view_author",
        "articles.view_correction",
        "articles.view_revision",
        # No tag permissions: a reporter tags a story in its own form (taggit makes new tags
        # there); the vocabulary's list, renames, merges and deletions are the editors'.
    ],
    "Editor": [
        *(
            f"articles.{action}_{model}"
            for model in [
                "article",
                "byline",
                "correction",
                "section",
                "author",
                "articleredirect",
            ]
            for action in ["add", "change", "delete", "view"]
        ),
        "articles.view_revision",
        "articles.publish_article",
        *(f"taggit.{action}_tag" for action in ["add", "change", "delete", "view"]),
    ],
}


MANAGED_APPS = sorted({dotted.split(".")[0] for names in ROLES.values() for dotted in names})


def sync_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permissions.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        others = group.permissions.exclude(content_type__app_label__in=MANAGED_APPS)
        group.permissions.set([*permissions, *others])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_add_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
