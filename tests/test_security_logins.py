"""Logins: throttled per account and per address (django-axes), lifted by an admin, sessions
that end, passwords that must be strong.

Ten failed logins for one account, or from one address, with no 15-minute pause between them
lock it for 15 minutes after the last one. The clock is frozen and moved by hand.

The test client's `login()` calls `authenticate()` without a request, which axes refuses: give
it one (`client.login(request=HttpRequest(), …)`) or use `force_login()`, which needs none.
"""

from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, User
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from tests.test_setup import run_manage

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
ATTEMPTS = reverse("admin:axes_accessattempt_changelist")
FAILURES = reverse("admin:axes_accessfailurelog_changelist")
PASSWORD = "ferry timetable 1987 lighthouse"
START = datetime(2026, 11, 3, 14, 0, tzinfo=UTC)
ATTACKER = "203.0.113.9"
ELSEWHERE = "198.51.100.20"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ana(db):
    return User.objects.create_user("ana", password=PASSWORD, is_staff=True)


@pytest.fixture
def ben(db):
    return User.objects.create_user("ben", password=PASSWORD, is_staff=True)


def log_in(username, password=PASSWORD, address=ATTACKER, forwarded=None):
    """POST the admin's login form from `address` (with `forwarded` as X-Forwarded-For) in a
    browser of its own; return the answer and whether that browser is now logged in."""
    browser = Client()
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    response = browser.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        headers=headers,
        REMOTE_ADDR=address,
    )
    return response, "_auth_user_id" in browser.session


def fail(times, username="ana", address=ATTACKER, forwarded=None, clock=None, every=None):
    """Fail to log in `times` times, `every` apart on the frozen clock if given."""
    for attempt in range(times):
        if every and attempt:
            clock.shift(every)
        name = username(attempt) if callable(username) else username
        relay = forwarded(attempt) if callable(forwarded) else forwarded
        response, _ = log_in(name, "wrong password", address=address, forwarded=relay)
        assert response.status_code in {HTTPStatus.OK, HTTPStatus.TOO_MANY_REQUESTS}


def assert_refused(response, logged_in):
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Too many failed logins" in response.content.decode()
    assert not logged_in


def assert_accepted(response, logged_in):
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/admin/"
    assert logged_in


# -- The lockout and its window -------------------------------------------------------------


def test_nine_failures_still_let_the_right_password_in(ana, clock):
    fail(9, clock=clock, every=timedelta(minutes=1))
    assert_accepted(*log_in("ana"))


def test_ten_failures_in_fifteen_minutes_refuse_even_the_right_password(ana, clock):
    fail(10, clock=clock, every=timedelta(seconds=90))
    assert_refused(*log_in("ana"))


def test_the_tenth_failure_already_answers_with_the_lockout_page(ana):
    fail(9)
    response, _ = log_in("ana", "wrong password")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_the_lockout_page_says_why_and_for_how_long(ana, settings):
    fail(10)
    response, _ = log_in("ana")
    page = " ".join(response.content.decode().split())
    assert "After 10 failed logins for this account or from this address" in page
    assert "until 15 minutes have passed since the last one" in page
    assert f"{settings.SITE_NAME} desk" in page  # the admin's look, not a bare line of text
    assert 'id="login-form"' not in page


def test_the_lockout_lasts_fifteen_minutes_from_the_last_failure(ana, clock):
    fail(10)
    clock.shift(timedelta(minutes=14, seconds=59))
    # Refused, and the refusal does not start the 15 minutes again.
    assert_refused(*log_in("ana"))
    clock.shift(timedelta(seconds=2))
    assert_accepted(*log_in("ana"))


def test_failures_with_a_fifteen_minute_pause_between_them_do_not_lock(ana, clock):
    fail(9, clock=clock, every=timedelta(seconds=30))
    clock.shift(timedelta(minutes=15, seconds=1))
    fail(9, clock=clock, every=timedelta(seconds=30))
    assert_accepted(*log_in("ana"))


def test_failures_spread_wider_than_the_window_never_lock(ana, clock):
    fail(10, clock=clock, every=timedelta(minutes=15, seconds=1))
    assert_accepted(*log_in("ana"))


# -- Per account, per address -------------------------------------------------------------------


def test_one_address_trying_many_accounts_is_locked_out(ana):
    fail(10, username=lambda attempt: f"guess{attempt}")
    assert_refused(*log_in("ana"))
    # The account itself is not locked: its owner, elsewhere, still gets in.
    assert_accepted(*log_in("ana", address=ELSEWHERE))


def test_one_account_tried_from_many_addresses_is_locked_out(ana, ben):
    for attempt in range(10):
        fail(1, address=f"192.0.2.{attempt + 1}")
    assert_refused(*log_in("ana", address=ELSEWHERE))
    # Nor is that address: another account logs in from it.
    assert_accepted(*log_in("ben", address=ELSEWHERE))


def test_a_spoofed_forwarded_for_does_not_dodge_the_address_lockout(ben):
    """Without DJANGO_TLS=proxy no header is trusted: only the connecting address counts."""
    fail(
        10,
        username=lambda attempt: f"guess{attempt}",
        forwarded=lambda attempt: f"198.51.100.{attempt + 1}",
    )
    assert_refused(*log_in("ben", forwarded="192.0.2.200"))
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


@pytest.mark.parametrize("proxies", [1, 2])
def test_behind_proxies_the_client_is_the_address_the_outermost_one_saw(settings, ben, proxies):
    """DJANGO_TLS=proxy with DJANGO_PROXY_COUNT proxies: each appends its peer's address to
    X-Forwarded-For, so the client is that many entries from the right; whatever the client
    wrote further left is ignored."""
    settings.TRUSTED_PROXY_COUNT = proxies
    nearest = "10.0.0.3"  # the peer the app sees: Varnish, or the TLS terminator alone
    between = ["10.0.0.2"] if proxies == 2 else []  # the terminator, behind Varnish

    def chain(client, spoofed="192.0.2.1"):
        return ", ".join([spoofed, client, *between])

    fail(
        10,
        username=lambda attempt: f"guess{attempt}",
        address=nearest,
        forwarded=lambda attempt: chain("198.51.100.7", spoofed=f"192.0.2.{attempt + 1}"),
    )
    assert_refused(*log_in("ben", address=nearest, forwarded=chain("198.51.100.7")))
    assert_accepted(*log_in("ben", address=nearest, forwarded=chain("198.51.100.8")))
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


def test_a_forwarded_entry_that_is_no_address_counts_as_the_proxy(settings, ana):
    settings.TRUSTED_PROXY_COUNT = 1
    response, _ = log_in("ana", "wrong password", address="10.0.0.3", forwarded="bogus\x00")
    assert response.status_code == HTTPStatus.OK
    assert AccessAttempt.objects.get().ip_address == "10.0.0.3"


def test_one_proxy_is_trusted_by_default_and_only_with_the_proxy_setting():
    show = (
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT)",
    )
    assert run_manage(*show, DJANGO_DEBUG="1").stdout.split() == ["0"]
    assert run_manage(*show, DJANGO_DEBUG="1", DJANGO_TLS="proxy").stdout.split() == ["1"]
    message = "DJANGO_PROXY_COUNT must be 1 or more with DJANGO_TLS=proxy"
    assert message in run_manage("check", DJANGO_DEBUG="1", DJANGO_PROXY_COUNT="2").stderr
    refused = run_manage("check", DJANGO_DEBUG="1", DJANGO_TLS="proxy", DJANGO_PROXY_COUNT="0")
    assert message in refused.stderr


# -- The admin sees and lifts lockouts -------------------------------------------------------------


def test_a_superuser_sees_the_lockout_and_lifts_it(admin_client, ana):
    fail(10)
    assert_refused(*log_in("ana"))
    listing = admin_client.get(ATTEMPTS)
    assert listing.status_code == HTTPStatus.OK
    page = listing.content.decode()
    assert "ana" in page
    assert ATTACKER in page
    assert '<td class="field-status">Locked Out</td>' in page
    assert admin_client.get(FAILURES).content.decode().count(ATTACKER) >= 10

    response = admin_client.post(
        ATTEMPTS,
        {
            "action": "delete_selected",
            "_selected_action": list(AccessAttempt.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    assert_accepted(*log_in("ana"))


def test_deleting_one_attempt_in_its_own_page_lifts_that_lockout(admin_client, ana):
    fail(10)
    assert_refused(*log_in("ana"))
    attempt = AccessAttempt.objects.get()
    delete = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == HTTPStatus.FOUND
    assert_accepted(*log_in("ana"))


def test_an_editor_cannot_see_or_lift_lockouts(client, ana):
    editor = User.objects.create_user("ed", password=PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    fail(10)
    client.force_login(editor)
    assert client.get(ATTEMPTS).status_code == HTTPStatus.FORBIDDEN
    attempt = AccessAttempt.objects.get()
    delete = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert client.post(delete, {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    assert AccessAttempt.objects.exists()


# -- Sessions and passwords ----------------------------------------------------------------------


def test_a_login_ends_after_a_twelve_hour_shift(client, ana, clock):
    client.force_login(ana)
    clock.shift(timedelta(hours=11, minutes=59))
    assert client.get("/admin/").status_code == HTTPStatus.OK
    clock.shift(timedelta(minutes=1, seconds=1))
    response = client.get("/admin/")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(LOGIN)


def test_the_session_cookie_ends_with_the_browser(ana):
    browser = Client()
    response = browser.post(LOGIN, {"username": "ana", "password": PASSWORD, "next": "/admin/"})
    cookie = response.cookies["sessionid"]
    assert cookie.value
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert cookie["httponly"]


def test_a_weak_new_password_is_refused(client, ana):
    client.force_login(ana)
    response = client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "This password is too common." in page
    assert "This password is entirely numeric." in page
    ana.refresh_from_db()
    assert ana.check_password(PASSWORD)


def test_the_test_clients_login_works_when_given_a_request(client, ana):
    assert client.login(request=HttpRequest(), username="ana", password=PASSWORD)
    assert client.get("/admin/").status_code == HTTPStatus.OK
