"""Terminal output shared by the command line and the shell: progress, colour."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

from .indexing import Progress
from .search import Hit
from .snippets import Snippet, printable, render_text

__all__ = ["IndexProgress", "hit_lines", "printable", "styles", "use_colour"]


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def styles(colour: bool) -> tuple[str, str, str]:
    """Bold, dim and reset escape codes, or empty strings without colour."""
    return ("\x1b[1m", "\x1b[2m", "\x1b[0m") if colour else ("", "", "")


def hit_lines(hit: Hit, colour: bool, *, score: bool = True) -> list[str]:
    """A hit for a terminal: rank, title › section, id; the snippet; the
    merged copies; and the other matching sections when the hit has them."""
    bold, dim, reset = styles(colour)
    where = f" › {printable(hit.section)}" if hit.section else ""
    about = f"[{printable(hit.id)}] {hit.score:.2f}" if score else f"[{printable(hit.id)}]"
    lines = [
        f"{hit.rank:>3}. {bold}{printable(hit.title)}{reset}{where}  {dim}{about}{reset}",
        f"     {render_text(Snippet(hit.snippet, tuple(hit.highlights)), colour)}",
    ]
    if hit.duplicates:
        copies = printable(", ".join(hit.duplicates))
        lines.append(f"     {dim}(same article as {copies}){reset}")
    for other in hit.sections:
        text = render_text(Snippet(other.snippet, tuple(other.highlights)), colour)
        lines.append(f"     {dim}›{reset} {printable(other.section) or '(lead)'}: {text}")
    return lines


class IndexProgress:
    """Progress of an indexing run on stderr.

    On a terminal: a tqdm bar over the input bytes with articles/s and ETA.
    Otherwise (logs, CI): a plain line every ``interval`` seconds. Skipped
    inputs are reported on their own line either way.
    """

    def __init__(self, stream: TextIO = sys.stderr, interval: float = 10.0) -> None:
        self.stream = stream
        self.interval = interval
        self.started = self.last_line = time.monotonic()
        self.bar = None
        if stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(
                total=0, unit="B", unit_scale=True, unit_divisor=1024, file=stream,
                desc="indexing", dynamic_ncols=True, leave=False, mininterval=0.5,
            )  # fmt: skip

    def __call__(self, progress: Progress) -> None:
        if progress.skipped is not None:
            self._write(f"skipped: {printable(str(progress.skipped))}")
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = progress.articles / elapsed
        if self.bar is not None:
            self.bar.total = progress.total_bytes
            self.bar.n = progress.bytes_read
            postfix = f"{progress.articles:,} articles, {rate:,.0f}/s"
            self.bar.set_postfix_str(postfix, refresh=False)
            self.bar.update(0)
        elif time.monotonic() - self.last_line >= self.interval:
            self.last_line = time.monotonic()
            share = progress.bytes_read / progress.total_bytes if progress.total_bytes else 0
            self._write(
                f"indexed {progress.articles:,} articles ({share:.0%} of input), "
                f"{rate:,.0f} articles/s"
            )

    def _write(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
