"""Background work on pictures, through django-tasks (the backport of Django 6's
`django.tasks`): rendering after an upload or a new focal point.

The embedded default (TASKS_BACKEND unset) runs the task in the process that saved, once the
save commits, so `make run` needs no worker. Production sets TASKS_BACKEND=database and runs
`manage.py db_worker` beside the app servers (README, "Production").
"""

from django_tasks import task

from images.models import Image


@task()
def render_image(image_id: int) -> int:
    """Make the picture's missing renditions; the number made (0: none were missing, or the
    picture is gone)."""
    from images import rendering

    image = Image.objects.filter(pk=image_id).first()
    if image is None:
        return 0
    return rendering.render(image)
