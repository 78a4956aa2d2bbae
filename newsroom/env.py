"""Read settings from the environment (12-factor), failing loudly on missing required values."""

import os

from django.core.exceptions import ImproperlyConfigured

_NOT_SET = object()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env(name: str, default=_NOT_SET) -> str:
    """Return the variable's value, or `default`; without a default the variable is required."""
    value = os.environ.get(name)
    if value is not None:
        return value
    if default is _NOT_SET:
        raise ImproperlyConfigured(f"Set the {name} environment variable (see .env.example).")
    return default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be a boolean (1/0, true/false, yes/no), not {value!r}."
    )


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]
