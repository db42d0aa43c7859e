"""Progress of an indexing run, for a person watching (a bar) or a log (lines)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from ..model import Progress
from .render import printable

__all__ = ["IndexProgress"]


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
