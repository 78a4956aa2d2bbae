"""The archive's shape: its header (manifest.json), member names, and the checks on reading."""

import json
import zipfile
from pathlib import Path

FORMAT = "newsroom-site"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


class BackupError(Exception):
    """The export or import cannot go ahead; the message says why, and nothing was changed."""


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def table_member(label: str) -> str:
    return f"data/{label}.jsonl"


def media_prefix(label: str, field_name: str) -> str:
    return f"media/{label}.{field_name}/"


def open_archive(path: Path) -> tuple[zipfile.ZipFile, dict]:
    """Open an export and return it with its header, refusing what this version cannot read."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file.") from None
    except (zipfile.BadZipFile, OSError) as error:
        raise BackupError(f"{path} is not a site export (not a readable zip: {error}).") from None
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        archive.close()
        raise BackupError(f"{path} is not a site export (it has no {MANIFEST}).") from None
    except (zipfile.BadZipFile, ValueError) as error:
        archive.close()
        raise BackupError(f"{path}: its {MANIFEST} is damaged ({error}).") from None
    problem = _header_problem(manifest)
    if problem:
        archive.close()
        raise BackupError(f"{path}: {problem}")
    return archive, manifest


def _header_problem(manifest) -> str:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return f"not a site export (its header does not say format {FORMAT!r})."
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        return "its header has no format version."
    if version > FORMAT_VERSION:
        return (
            f"it is in format version {version}, made by a newer version of Newsroom; this "
            f"one reads version {FORMAT_VERSION}. Update the code, then import."
        )
    if version != FORMAT_VERSION:
        return f"unknown format version {version} (this version reads {FORMAT_VERSION})."
    for key in ("exported_at", "migrations", "tables", "media"):
        if key not in manifest:
            return f"its header lacks {key!r}."
    return ""
