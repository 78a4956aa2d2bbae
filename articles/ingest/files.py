"""Reading an import's input: a file, or standard input for `-`, as bytes.

Whatever cannot be read is refused with one line in the operator's words, raised as the
reader's own error class so that each command reports it beside its format's problems.
"""

import sys
from pathlib import Path

STDIN = "-"


def standard_input(given=None):
    """What `-` reads: the stream a caller passed (a test's), else this process's stdin."""
    return given or getattr(sys.stdin, "buffer", sys.stdin)


def shown_name(name: str) -> str:
    """How an input is named in messages: its path, or `<stdin>` for `-`."""
    return "<stdin>" if name == STDIN else name


def read_input(
    name: str,
    *,
    error: type[Exception],
    stdin=None,
    max_bytes: int | None = None,
    too_big: str = "",
    kind: str = "a file",
) -> bytes:
    """The bytes of file `name` (of `stdin` for `-`, when given), at most `max_bytes` of them.

    Raises `error` when the file is missing, a directory, unreadable or (with the reason
    `too_big`) larger than `max_bytes`; `kind` names what the file should have been.
    """
    limit = -1 if max_bytes is None else max_bytes + 1
    if name == STDIN and stdin is not None:
        data = stdin.read(limit)
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogatepass")
    else:
        try:
            with Path(name).open("rb") as file:
                data = file.read(limit)
        except FileNotFoundError:
            raise error("no such file") from None
        except IsADirectoryError:
            raise error(f"is a directory, not {kind}") from None
        except OSError as problem:
            raise error(f"cannot read it: {problem.strerror or problem}") from None
    if max_bytes is not None and len(data) > max_bytes:
        raise error(f"more than {max_bytes // 1024 // 1024} MB: {too_big}")
    return data


def refuse_archives(data: bytes, *, error: type[Exception], inside: str) -> None:
    """Raise `error` for a gzip or ZIP file, saying what to import instead (`inside` it)."""
    if data.startswith(b"\x1f\x8b"):
        raise error("gzip-compressed: decompress it first (gunzip)")
    if data.startswith(b"PK\x03\x04"):
        raise error(f"a ZIP archive: unzip it and import {inside} inside")


def bad_utf8(data: bytes, problem: UnicodeDecodeError) -> str:
    """Where UTF-8 decoding failed, as an editor finds it: `byte 0xe9 at line 3, column 22`."""
    line = data.count(b"\n", 0, problem.start) + 1
    column = problem.start - (data.rfind(b"\n", 0, problem.start) + 1) + 1
    return f"byte 0x{data[problem.start]:02x} at line {line}, column {column}"
