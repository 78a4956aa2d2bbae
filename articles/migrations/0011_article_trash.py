"""The trash: a story's status "trashed", when and by whom it went there, what it was, and the
address it had.

SQLite adds the foreign key `trashed_by` by rebuilding the stories table, which drops the
index migration 0009 made by hand (`articles.search.sqlite` names it): it is made again after,
and, when unapplying, once the columns are gone again.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

search_filter_index = importlib.import_module("articles.migrations.0009_add_search_filter_index")


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0010_reporters_leave_tags_to_editors'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Unapplying: removing the columns (below) rebuilds the table; this runs last.
        migrations.RunPython(migrations.RunPython.noop, search_filter_index.create_index),
        migrations.CreateModel(
            name='TrashedArticle',
            fields=[
            ],
            options={
                'verbose_name': 'story in the trash',
                'verbose_name_plural': 'stories in the trash',
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('articles.article',),
        ),
        migrations.AddField(
            model_name='article',
            name='status_before_trash',
            field=models.CharField(blank=True, choices=[('draft', 'Draft'), ('review', 'In review'), ('published', 'Published'), ('unpublished', 'Unpublished'), ('trashed', 'In the trash')], editable=False, max_length=20),
        ),
        migrations.AddField(
            model_name='article',
            name='trashed_at',
            field=models.DateTimeField(editable=False, null=True, verbose_name='moved to the trash at'),
        ),
        migrations.AddField(
            model_name='article',
            name='trashed_by',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='article',
            name='trashed_slug',
            field=models.SlugField(blank=True, db_index=False, editable=False, max_length=200),
        ),
        migrations.AlterField(
            model_name='article',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('review', 'In review'), ('published', 'Published'), ('unpublished', 'Unpublished'), ('trashed', 'In the trash')], default='draft', max_length=20, verbose_name='status'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(condition=models.Q(('trashed_at__isnull', False)), fields=['trashed_at'], name='article_trashed_idx'),
        ),
        migrations.AddConstraint(
            model_name='article',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'trashed'), ('trashed_at__isnull', False)), models.Q(models.Q(('status', 'trashed'), _negated=True), ('trashed_at__isnull', True)), _connector='OR'), name='article_trashed_has_trashed_at', violation_error_message='A story in the trash has the time it went there.'),
        ),
        migrations.RunPython(search_filter_index.create_index, migrations.RunPython.noop),
    ]
