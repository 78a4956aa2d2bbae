"""What an uploaded picture must be before anything is stored.

Pillow reads the header first (format, size), so a decompression bomb is refused on its
declared size before a pixel is decoded; then the whole file is decoded, so a truncated or
corrupt file is refused too. Only the formats a reader's browser shows and Pillow decodes
safely get in: JPEG, PNG, WebP, and HEIC from phones (read by pillow-heif; readers only
ever get its renditions). SVG (which can carry script), GIF, PDF and anything else are
refused, whatever the file is called: the format is what Pillow finds, not the name.
"""

import hashlib
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

# Pillow's own names for the formats let in, and the type each is stored and served as.
ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heic"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}


@dataclass(frozen=True)
class Upload:
    format: str  # "JPEG", "PNG", "WEBP" or "HEIF"
    width: int  # as the picture is shown: its EXIF orientation applied
    height: int
    size: int  # bytes
    sha256: str

    @property
    def mime_type(self) -> str:
        return ACCEPTED[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


def check(file) -> Upload:
    """Return what `file` (a Django File, read from its start) is, or raise ValidationError
    saying what is wrong with it."""
    size = file.size
    if size is None or size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    limit = settings.IMAGE_MAX_UPLOAD_BYTES
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s; pictures may be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    try:
        with warnings.catch_warnings():
            # Past Pillow's own bomb threshold it only warns; our limit below decides.
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            picture = PILImage.open(file, formats=None)
            found = picture.format
            if found not in ACCEPTED:
                raise ValidationError(_not_accepted(found), code="format")
            width, height = picture.size
            _check_pixels(width, height)
            if getattr(picture, "n_frames", 1) > 1:
                raise ValidationError(
                    _("The picture is animated; upload a still picture."), code="animated"
                )
            orientation = picture.getexif().get(0x0112, 1)
            picture.load()  # decodes every pixel: a truncated file fails here
    except ValidationError:
        raise
    except UnidentifiedImageError:
        raise ValidationError(_not_accepted(None), code="format") from None
    except PILImage.DecompressionBombError:
        raise ValidationError(
            _("The picture has far more pixels than the %(limit).0f megapixels allowed.")
            % {"limit": settings.IMAGE_MAX_PIXELS / 1e6},
            code="too_many_pixels",
        ) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            _("The picture could not be read, it may be truncated or damaged (%(error)s).")
            % {"error": str(error)[:120]},
            code="damaged",
        ) from None
    finally:
        file.seek(0)
    if orientation in {5, 6, 7, 8}:  # turned a quarter: shown the other way round
        width, height = height, width
    return Upload(found, width, height, size, digest.hexdigest())


def _check_pixels(width: int, height: int) -> None:
    """Refuse a picture past the pixel limit, on the size its header declares."""
    pixels = width * height
    if pixels > settings.IMAGE_MAX_PIXELS:
        raise ValidationError(
            _(
                "The picture is %(width)s × %(height)s pixels (%(mp).0f megapixels); "
                "pictures may have at most %(limit).0f megapixels."
            )
            % {
                "width": width,
                "height": height,
                "mp": pixels / 1e6,
                "limit": settings.IMAGE_MAX_PIXELS / 1e6,
            },
            code="too_many_pixels",
        )


def _not_accepted(found: str | None) -> str:
    name = f" ({found})" if found else ""
    return _(
        "This file is not a picture the site takes%(name)s: upload a JPEG, PNG, WebP or HEIC file."
    ) % {"name": name}
