"""The IPTC's ninjs JSON Schemas, read from ../shared/ninjs/ where they are published."""

import json

import pytest
from jsonschema.validators import validator_for

from tests.shared import shared_path

# The schemas stay where the IPTC publishes them for this project: beside the repository.
NINJS_DIR = shared_path("ninjs")


def load_validator(name):
    schema = json.loads((NINJS_DIR / name).read_text())
    # Each file names its JSON Schema draft in `$schema`; use that draft's validator.
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def validators():
    """Validators for ninjs 2.2 ("2") and 3.x ("3"), with format checking."""
    return {
        "2": load_validator("ninjs-schema_2.2.json"),
        "3": load_validator("ninjs-schema_3.1.json"),
    }


def assert_valid(validator, document):
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]
    assert not errors, errors
