"""The inputs written elsewhere (../shared/ beside the repository), read where they lie.

Tests never copy them into the project; every test reads them through `shared_path()`, which
fails with the missing path named rather than a bare FileNotFoundError deep in a test.
"""

from pathlib import Path

SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"


def shared_path(*parts: str) -> Path:
    """Return ../shared/<parts>, failing the test with a clear message when it is missing."""
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: the tests read the project's shared inputs from {SHARED_DIR} "
            "(a checkout of the repository with shared/ beside it)"
        )
    return path
