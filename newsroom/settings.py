"""Settings for Newsroom, read from the environment: see .env.example for every variable."""

import ipaddress
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from newsroom.env import env, env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)

# Debug gets throwaway defaults; production must supply its own secret and hosts.
if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", "django-insecure-local-development-only")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

SITE_NAME = env("SITE_NAME", "Newsroom")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if urlsplit(SITE_URL).scheme not in {"http", "https"} or not urlsplit(SITE_URL).netloc:
    raise ImproperlyConfigured(f"SITE_URL must be an absolute http(s) URL, not {SITE_URL!r}.")
SITE_LANGUAGE = "en"
# The site's X/Twitter account for share cards, e.g. "@newsroom" (optional).
SITE_TWITTER = env("SITE_TWITTER", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Before taggit: our remove_orphaned_tags command (which keeps tags in use) replaces its.
    "articles",
    "taggit",
    "django_prose_editor",
    # Serves the API docs' Swagger UI from its bundled static files, not a CDN.
    "ninja",
    "caching",
    # The picture library (images/): originals, renditions, rights.
    "images",
    # Fronts (fronts/): the home page and section pages as editors arrange them.
    "fronts",
    # Background work (rendering pictures) through django-tasks, the backport of Django 6's
    # django.tasks; django_tasks_db is its database queue, run by `manage.py db_worker`.
    "django_tasks",
    "django_tasks_db",
    # Login throttling: failed logins per account and per address, listed in the admin.
    "axes",
]

MIDDLEWARE = [
    # First: a stored page is answered before anything else runs (newsroom/wsgi.py answers
    # it even earlier in production); last on the way out, it stores what may be shared.
    "caching.middleware.PageCacheMiddleware",
    # Next, so that every answer the app makes carries the CSP and Permissions-Policy, those
    # the middleware below gives early (redirects, 400s, NUL-byte 404s, static files, the
    # outage 503) too.
    "newsroom.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The database out of reach: a short 503 (JSON for the API), logged once per outage.
    # Inside the page cache, which keeps serving what it holds, and the security headers,
    # which the 503 carries too; outside all that may query.
    "newsroom.faults.DatabaseUnavailableMiddleware",
    # Before any view: a NUL byte in the path or the query is a 404, not a database error.
    "articles.middleware.RejectNullBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a login refused for a lockout into the lockout page (AXES_LOCKOUT_TEMPLATE).
    "axes.middleware.AxesMiddleware",
    # A 405 gets the site's page (the API's: JSON), whichever view refused the method.
    "articles.middleware.MethodNotAllowedMiddleware",
    # Last, so it sees every 404: old story addresses answer 301 to the current one.
    "articles.middleware.OldAddressRedirectMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
ADMIN_PATH = "admin/"

TEMPLATES = [
    # The readers' pages (templates/jinja2/), first: a name found there is rendered by Jinja2.
    # Django adds request, csrf_input and csrf_token to every Jinja2 page itself.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "newsroom.jinja2.environment",
            "autoescape": True,
            "context_processors": ["articles.context_processors.site"],
        },
    },
    # The admin, sitemaps and robots.txt, and every app's own templates.
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes write the one file (the web workers, their purge sender, commands).
    # A transaction takes the write lock as it begins, so one that reads first never fails
    # to upgrade ("database is locked" at once, whatever the timeout); the others wait for
    # it, up to the timeout.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        **DATABASES["default"].get("OPTIONS", {}),
    }

_cache_url = env("CACHE_URL", "locmem://")
if _cache_url.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "newsroom"),
            # Redis out of reach costs a request a second at most, not a worker forever
            # (redis-py waits without limit by default); the page cache then renders.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
elif _cache_url.startswith("locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif _cache_url.startswith("dummy://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
else:
    raise ImproperlyConfigured(
        f"CACHE_URL must start with redis://, rediss://, locmem:// or dummy://, not {_cache_url!r}."
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Object storage for originals and renditions (django-storages), instead of MEDIA_ROOT:
# s3://<bucket>[/<prefix>]?endpoint_url=https://…&region_name=…&custom_domain=cdn.example.com
# Keys come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, as boto3 reads them. Pages name
# plain, unsigned URLs: the bucket's policy (or the CDN's access to it) must let anyone read
# the prefix; no per-object ACL is sent, which buckets with ACLs disabled (AWS's default) refuse.
MEDIA_STORAGE_URL = env("MEDIA_STORAGE_URL", "")
# Originals and renditions have names made of their content's hash: cached for a year.
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"


def _media_storage(url: str) -> dict:
    if not url:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL must look like s3://bucket?endpoint_url=…, not {url!r}."
        )
    query = dict(parse_qsl(parts.query))
    known = {"endpoint_url", "region_name", "custom_domain", "url_protocol"}
    if unknown := set(query) - known:
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL: unknown option(s) {', '.join(sorted(unknown))};"
            f" known: {', '.join(sorted(known))}."
        )
    options = {
        "bucket_name": parts.netloc,
        "location": parts.path.strip("/"),
        # Public, unsigned URLs that a CDN can cache: pages are shared, so must their pictures.
        "querystring_auth": False,
        "file_overwrite": True,
        "object_parameters": {"CacheControl": MEDIA_CACHE_CONTROL},
        **query,
    }
    # django-storages' S3 storage, each object typed by its name (images/storage.py).
    return {"BACKEND": "images.storage.MediaStorage", "OPTIONS": options}


STORAGES = {
    "default": _media_storage(MEDIA_STORAGE_URL),
    "staticfiles": {
        # Hashed, compressed names let a CDN cache static files forever; debug keeps plain names.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TAGGIT_CASE_INSENSITIVE = True

# Transport security. `proxy`: a proxy terminates TLS and sets X-Forwarded-Proto.
DJANGO_TLS = env("DJANGO_TLS", "none")
if DJANGO_TLS not in {"none", "direct", "proxy"}:
    raise ImproperlyConfigured(f"DJANGO_TLS must be none, direct or proxy, not {DJANGO_TLS!r}.")
if DJANGO_TLS == "proxy":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if DJANGO_TLS in {"direct", "proxy"}:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [SITE_URL])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# CSP and Permissions-Policy: newsroom/csp.py.
X_FRAME_OPTIONS = "DENY"

# Logins (django-axes, https://django-axes.readthedocs.io/). Ten failed logins for one account,
# or from one client address, with no 15-minute pause between them lock that account or
# address for 15 minutes from the last failure, the right password included; tries during the
# lockout neither count nor extend it. A superuser lifts a lockout early by deleting its access
# attempt in the admin. A success does not wipe the count: otherwise anyone with a login of
# their own could reset an address's failures against someone else's account.
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# No start-up line on every command's stderr; failures and lockouts are still logged.
AXES_VERBOSE = False
# How many proxies in front of the app append to X-Forwarded-For (2 for a TLS terminator and
# Varnish): trusted only with DJANGO_TLS=proxy, so that no client can name another address to
# dodge its lockout. Too few (1 by default) is safe: every client seems to come from the
# outermost proxy, and they are locked out together. Too many trusts an entry a client wrote.
_proxy_count = env("DJANGO_PROXY_COUNT", "1" if DJANGO_TLS == "proxy" else "0")
if not _proxy_count.isdecimal() or (int(_proxy_count) > 0) != (DJANGO_TLS == "proxy"):
    raise ImproperlyConfigured(
        "DJANGO_PROXY_COUNT must be 1 or more with DJANGO_TLS=proxy, and 0 or unset otherwise,"
        f" not {_proxy_count!r}."
    )
TRUSTED_PROXY_COUNT = int(_proxy_count)


def login_client_address(request) -> str | None:
    """Return the address a login comes from: with TRUSTED_PROXY_COUNT proxies in front, the
    client the outermost of them appended to X-Forwarded-For, counted from the right, so that
    nothing a client writes there is read; otherwise, or when that entry is missing or not an
    address, the peer's."""
    from django.conf import settings

    count = settings.TRUSTED_PROXY_COUNT
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if count and len(hops) >= count:
        try:
            return str(ipaddress.ip_address(hops[-count].strip()))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR")


AXES_CLIENT_IP_CALLABLE = login_client_address

# Sessions: an editor's login lasts a 12-hour shift at most, not overnight, and ends when the
# browser closes (desks and laptops are shared), which bounds what a stolen cookie is worth.
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
}

# Listings
ARTICLES_PER_PAGE = 20
# URLs per sitemap file; /sitemap.xml becomes an index of pages past it. The protocol allows
# 50,000; 2,000 (WordPress core's size) keeps each page quick to build (tens of ms, not seconds,
# at 100,000 stories), small in the page cache (about 200 KB) and a worker's memory flat.
SITEMAP_PAGE_SIZE = 2000
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# How long a shared preview link works, in seconds (default 7 days).
PREVIEW_MAX_AGE = int(env("PREVIEW_MAX_AGE", str(7 * 24 * 60 * 60)))

# Whole-page cache (caching/): anonymous GETs of public pages, feeds, sitemaps and the API are
# kept per generation, and every change moves the generation (caching/generation.py).
# Off by default in debug, where a template edited on disk should show on the next reload.
PAGE_CACHE_ENABLED = env("PAGE_CACHE", "off" if DEBUG else "on").lower() in {
    "on",
    "1",
    "yes",
    "true",
}
# How long a page is kept, here and (s-maxage) at the CDN, unless a scheduled change comes first.
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "300"))
# A CDN may serve a page this long past its lifetime while it fetches a new one...
PAGE_CACHE_STALE_SECONDS = int(env("PAGE_CACHE_STALE_SECONDS", "30"))
# ...and this long when the site is down or erring.
PAGE_CACHE_STALE_IF_ERROR_SECONDS = int(env("PAGE_CACHE_STALE_IF_ERROR_SECONDS", "86400"))
PAGE_CACHE_MAX_PAGES = int(env("PAGE_CACHE_MAX_PAGES", "5000"))
PAGE_CACHE_MAX_BYTES = int(env("PAGE_CACHE_MAX_MB", "128")) * 2**20
# Never shared, whoever asks: the desk and preview links.
PAGE_CACHE_NEVER_PATHS = (f"/{ADMIN_PATH}", "/preview/", MEDIA_URL)
# Without Redis, the generation is this file, shared by every process on the machine.
PAGE_CACHE_GENERATION_FILE = env("PAGE_CACHE_GENERATION_FILE", "") or str(
    BASE_DIR / "var" / "page-cache-generation"
)
# The CDN's purge endpoint: POST with `Surrogate-Key: <keys>` after each change (optional).
CDN_PURGE_URL = env("CDN_PURGE_URL", "")
CDN_PURGE_TIMEOUT = float(env("CDN_PURGE_TIMEOUT", "2"))
CDN_PURGE_POLL_SECONDS = float(env("CDN_PURGE_POLL_SECONDS", "2"))
# Off only in tests, which send what is due themselves (caching.purges.send_due).
CDN_PURGE_IN_BACKGROUND = True

# Pictures (images/). Uploads past these limits are refused with a form error.
IMAGE_MAX_UPLOAD_BYTES = int(env("IMAGE_MAX_UPLOAD_MB", "40")) * 2**20
IMAGE_MAX_PIXELS = int(float(env("IMAGE_MAX_MEGAPIXELS", "50")) * 1_000_000)
# Pictures an import fetches (--fetch-images): each download may take this many seconds in
# all, and must come from a public address unless this allows private and loopback ones (a
# picture server on the office network); its size is IMAGE_MAX_UPLOAD_BYTES, as an upload's.
IMAGE_FETCH_TIMEOUT = float(env("IMAGE_FETCH_TIMEOUT", "20"))
IMAGE_FETCH_ALLOW_PRIVATE = env_bool("IMAGE_FETCH_ALLOW_PRIVATE", False)
# The formats renditions are offered in, besides JPEG (which every reader takes), best first.
IMAGE_FORMATS = env_list("IMAGE_FORMATS", ["webp"])
if unknown := set(IMAGE_FORMATS) - {"avif", "webp", "jpeg"}:
    raise ImproperlyConfigured(f"IMAGE_FORMATS: unknown format(s) {', '.join(sorted(unknown))}.")

# Background tasks: in the saving process, after its commit, unless TASKS_BACKEND=database
# (a queue in the database, worked by `manage.py db_worker`).
_tasks_backend = env("TASKS_BACKEND", "immediate")
if _tasks_backend not in {"immediate", "database"}:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be immediate or database, not {_tasks_backend!r}."
    )
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if _tasks_backend == "immediate"
        else "django_tasks_db.DatabaseBackend"
    }
}
