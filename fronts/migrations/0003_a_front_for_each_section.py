"""Each section gets its front, empty until editors arrange it (fronts/changes.py makes one
for each new section)."""

from django.db import migrations


def make(apps, schema_editor):
    Front = apps.get_model("fronts", "Front")
    Section = apps.get_model("articles", "Section")
    for section in Section.objects.filter(front__isnull=True).order_by("pk"):
        taken = Front.objects.filter(slug=section.slug).exists()
        slug = f"{section.slug}-section" if taken else section.slug
        Front.objects.create(name=section.name, slug=slug[:100], section=section)


class Migration(migrations.Migration):
    dependencies = [("fronts", "0002_editors_arrange_fronts")]

    operations = [migrations.RunPython(make, migrations.RunPython.noop)]
