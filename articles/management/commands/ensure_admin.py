import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "For local development: create an admin login with a random password and print it "
        "once. Does nothing when an admin already exists or when debug is off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            # Never a password on a production-like run: say how to make a login instead.
            self.stdout.write(
                "Debug is off, so no local admin login is created; "
                "use `.venv/bin/python manage.py createsuperuser`."
            )
            return
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                "An admin login already exists; its password was printed when it was created. "
                f"Reset it with `.venv/bin/python manage.py changepassword {username}`."
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS("Created a local admin login (shown only this once):\n")
            + f"  username: {username}\n  password: {password}\n"
        )
