"""The page cache's own Redis GET (caching.rawredis), against the real Redis the suite uses."""

import secrets
import time

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings

from caching import generation, rawredis
from tests.servers import REDIS_URL, require_redis

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_and_key():
    require_redis()
    client = redis.Redis.from_url(REDIS_URL)
    key = f"rawredis-test-{secrets.token_hex(6)}"
    yield client, key
    client.delete(key)


def test_reads_a_value_a_missing_key_and_a_value_longer_than_one_receive(client_and_key):
    client, key = client_and_key
    reader = rawredis.Reader(REDIS_URL)
    assert reader.get(key) is None
    client.set(key, b"42")
    assert reader.get(key) == b"42"
    long_value = secrets.token_bytes(3 * rawredis.RECEIVE_BYTES + 17)
    client.set(key, long_value)
    assert reader.get(key) == long_value


def test_reconnects_when_the_server_closed_the_connection(client_and_key):
    client, key = client_and_key
    client.set(key, b"1")
    reader = rawredis.Reader(REDIS_URL)
    assert reader.get(key) == b"1"
    client.client_kill_filter(_type="normal", skipme=True)
    client.set(key, b"2")
    assert reader.get(key) == b"2"


def test_an_error_reply_or_no_server_is_a_redis_error():
    require_redis()
    with pytest.raises(rawredis.RedisError, match="DB index"):
        rawredis.Reader("redis://127.0.0.1:6379/9999").get("any")
    with pytest.raises(rawredis.RedisError):
        rawredis.Reader("redis://127.0.0.1:1/0").get("any")


def redis_cache(location):
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"rawredis-{secrets.token_hex(4)}",
        }
    }


def test_the_generation_read_on_a_socket_is_the_one_django_writes():
    require_redis()
    with override_settings(CACHES=redis_cache(REDIS_URL)):
        before = generation.current()
        generation.bump()
        assert generation.current() == str(caches["default"].get(generation.REDIS_KEY))
        assert generation.current() != before


def test_with_redis_unreachable_pages_are_rendered_and_never_stored(client):
    with override_settings(CACHES=redis_cache("redis://127.0.0.1:1/0"), PAGE_CACHE_ENABLED=True):
        assert generation.current() is None
        first = client.get("/robots.txt")
        second = client.get("/robots.txt")
    assert first.status_code == second.status_code == 200
    assert first["Cache-Control"] == second["Cache-Control"]
    assert "public" not in first["Cache-Control"]


def test_a_change_of_cache_settings_gives_the_generation_to_the_new_cache():
    require_redis()
    with override_settings(CACHES=redis_cache("redis://127.0.0.1:1/0")):
        assert generation.current() is None
    assert generation.current() is not None  # back on the default: a file, always readable


def test_an_outage_of_replaced_cache_settings_does_not_move_the_new_caches_generation(
    monkeypatch,
):
    require_redis()
    monkeypatch.setattr(generation, "OWED_BUMP_RETRY_SECONDS", 0.05)
    with override_settings(CACHES=redis_cache("redis://127.0.0.1:1/0")):
        generation.bump()  # owed to a Redis that is not there, and retried in the background
        assert generation.redis_outage.is_down
    with override_settings(CACHES=redis_cache(REDIS_URL)):
        assert not generation.redis_outage.is_down
        token = generation.current()
        time.sleep(0.3)  # the old store's retries come due and find themselves replaced
        assert not generation.redis_outage.is_down
        assert generation.current() == token
