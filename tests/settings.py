"""Test settings: the production settings, with a throwaway secret and fast password hashing."""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# The page cache's generation file, per test run (worker processes a test starts inherit it).
os.environ.setdefault(
    "PAGE_CACHE_GENERATION_FILE",
    os.path.join(tempfile.mkdtemp(prefix="newsroom-tests-"), "page-cache-generation"),
)

# Pictures a test stores go to a directory of the run's, never the checkout's media/ (tests
# that look at the files take the `media` fixture: a directory of their own).
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="newsroom-test-media-"))

from newsroom.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests render templates without running collectstatic first.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
# And serves static files from the apps' folders: a fresh checkout has no collected ones.
WHITENOISE_USE_FINDERS = True
# Tests send queued purges themselves; the real servers they start send them in the background.
CDN_PURGE_IN_BACKGROUND = False
