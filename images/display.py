"""Small pictures for the desk: the library's list, a story's lead-image panel."""

from django.utils.html import format_html
from django.utils.translation import gettext as _

from images import delivery, specs
from images.models import Image


def picture_thumbnail(image: Image, width: int):
    files = [r for r in image.renditions(specs.WIDE) if r.format == "jpeg"]
    if not files:
        return _("being rendered") if image.sha256 else "—"
    small = min(files, key=lambda r: r.width)
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="" loading="lazy">',
        delivery.url(small.name),
        width,
        round(width * small.height / small.width),
    )
