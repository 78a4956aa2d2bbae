"""A progress bar for long management commands.

It draws on a terminal only: piped or redirected output, cron logs and `-v 0` stay clean.
"""

import shutil
import time

from django.core.management.base import OutputWrapper

REDRAW_SECONDS = 0.1


class ProgressBar:
    """`with ProgressBar(total, stream=self.stderr, verbosity=v) as bar: bar.advance(n)`."""

    def __init__(self, total: int, *, stream, verbosity: int = 1, label: str = "") -> None:
        self.total = max(total, 0)
        self.done = 0
        self.label = label
        self.stream = stream
        self.enabled = verbosity > 0 and bool(getattr(stream, "isatty", lambda: False)())
        self.started_at = time.monotonic()
        self._drawn_at = 0.0

    def __enter__(self) -> "ProgressBar":
        self.started_at = time.monotonic()
        self._draw()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.enabled:
            if exc_type is None:
                self._draw(force=True)
            self._write("\n")

    def advance(self, count: int = 1) -> None:
        self.done = min(self.done + count, self.total) if self.total else self.done + count
        self._draw()

    def render(self, width: int) -> str:
        """The bar as one line of at most `width` characters."""
        elapsed = max(time.monotonic() - self.started_at, 1e-9)
        rate = self.done / elapsed
        fraction = self.done / self.total if self.total else 1.0
        counts = f"{self.done:,}/{self.total:,}"
        if self.done and self.done < self.total:
            remaining = int((self.total - self.done) / rate)
            timing = f"{rate:,.0f}/s, {remaining // 60}:{remaining % 60:02d} left"
        else:
            timing = f"{rate:,.0f}/s" if self.done else ""
        prefix = f"{self.label} " if self.label else ""
        suffix = f" {fraction:4.0%} {counts} {timing}".rstrip()
        bar_width = width - len(prefix) - len(suffix) - 2
        if bar_width < 10:
            return (prefix + suffix.strip())[:width]
        filled = int(bar_width * fraction)
        return f"{prefix}[{'#' * filled}{'-' * (bar_width - filled)}]{suffix}"

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._drawn_at < REDRAW_SECONDS and self.done < self.total:
            return
        self._drawn_at = now
        width = shutil.get_terminal_size().columns - 1
        self._write("\r" + self.render(width))

    def _write(self, text: str) -> None:
        # A command's self.stderr is an OutputWrapper, which ends each write with a newline
        # and colours it as an error on a terminal; the bar wants neither.
        if isinstance(self.stream, OutputWrapper):
            self.stream.write(text, style_func=str, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()
