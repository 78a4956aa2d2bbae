"""The picture library's permissions for the newsroom's roles (articles migration 0003 made
them): Reporters upload and pick pictures; Editors also change their texts, rights and focal
point, and delete pictures no story uses."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Reporter": ["add_image", "view_image"],
    "Editor": ["add_image", "change_image", "delete_image", "view_image"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("images")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="images", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="images"))


class Migration(migrations.Migration):
    dependencies = [
        ("images", "0001_initial"),
        ("articles", "0003_create_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
