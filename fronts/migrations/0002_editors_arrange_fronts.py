"""Editors arrange fronts (fronts.change_front and the collections' and slots' permissions);
Reporters see them but change nothing. The home front is made, empty: the front page shows
the newest stories until an editor arranges it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["front", "collection", "slot"]
ROLES = {
    "Reporter": [f"view_{model}" for model in MODELS],
    "Editor": [
        f"{verb}_{model}" for model in MODELS for verb in ("add", "change", "delete", "view")
    ],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("fronts")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="fronts", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="fronts"))


class Migration(migrations.Migration):
    dependencies = [
        ("fronts", "0001_initial"),
        ("articles", "0003_create_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
