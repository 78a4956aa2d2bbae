"""Originals and renditions in object storage (MEDIA_STORAGE_URL): django-storages' S3 storage,
with each object's Content-Type fixed by its name.

django-storages takes the type from what the upload says it is (the editor's browser: a PNG
called photo.jpg arrives as image/jpeg, a crafted request as text/html) or else from the
machine's mime.types (which a slim container may lack: Python 3.11 alone does not know .webp).
The store serves an object with the type it was given, to every reader, for a year; so the type
comes from the extension, which the library chose from what the file really is.
"""

import posixpath

from storages.backends.s3 import S3Storage

from images import specs, uploads

TYPES = {
    **{uploads.EXTENSIONS[name]: kind for name, kind in uploads.ACCEPTED.items()},
    **{specs.EXTENSIONS[name]: kind for name, kind in specs.MIME_TYPES.items()},
}


def content_type(name: str) -> str | None:
    """The type a library file is served as, by its extension (None: not a library file)."""
    return TYPES.get(posixpath.splitext(name)[1].lstrip(".").lower())


class MediaStorage(S3Storage):
    def get_object_parameters(self, name):
        parameters = super().get_object_parameters(name)
        if kind := content_type(name):
            parameters["ContentType"] = kind
        return parameters
