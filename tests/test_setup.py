"""The operator's doors: settings from the environment, the local admin login, deploy checks."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

ROOT = Path(__file__).resolve().parents[1]


def run_manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "SITE_", "CACHE_URL"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_ensure_admin_prints_a_random_login_once(settings, capsys):
    settings.DEBUG = True
    call_command("ensure_admin")
    first = capsys.readouterr().out
    assert "username: admin" in first
    password = first.split("password: ")[1].split()[0]
    assert len(password) >= 12
    assert get_user_model().objects.get(username="admin").check_password(password)
    call_command("ensure_admin")
    second = capsys.readouterr().out
    assert password not in second and "already exists" in second
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_two_fresh_sites_get_different_admin_passwords(settings, capsys):
    settings.DEBUG = True
    call_command("ensure_admin")
    first = capsys.readouterr().out.split("password: ")[1].split()[0]
    get_user_model().objects.all().delete()
    call_command("ensure_admin")
    second = capsys.readouterr().out.split("password: ")[1].split()[0]
    assert first != second


@pytest.mark.django_db
def test_ensure_admin_creates_no_login_when_debug_is_off(settings, capsys):
    settings.DEBUG = False
    call_command("ensure_admin")
    assert "no local admin login is created" in capsys.readouterr().out
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_load_seed_fills_an_empty_site_and_never_overwrites_edits(capsys):
    from articles.models import Article

    call_command("load_seed")
    article = Article.objects.get()
    article.headline = "An editor's better headline"
    article.save()
    call_command("load_seed")
    assert "not loaded again" in capsys.readouterr().out
    assert Article.objects.get().headline == "An editor's better headline"


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "Set the DJANGO_SECRET_KEY environment variable" in result.stderr


def test_malformed_settings_are_named_in_the_error():
    result = run_manage("check", DJANGO_DEBUG="maybe")
    assert "DJANGO_DEBUG must be a boolean" in result.stderr
    result = run_manage("check", DJANGO_DEBUG="1", DJANGO_TLS="sometimes")
    assert "DJANGO_TLS must be none, direct or proxy" in result.stderr


@pytest.mark.parametrize("tls", ["direct", "proxy"])
def test_deploy_check_is_clean_with_tls(tls):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="news.example.org",
        SITE_URL="https://news.example.org",
        DJANGO_TLS=tls,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_whitenoise_serves_hashed_static_files_when_debug_is_off(settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]
    response = Client().get(f"/static/{hashed}")
    assert response.status_code == 200
    assert "max-age=315360000" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"/*")
