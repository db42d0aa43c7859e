"""Progress of an indexing run, for a person watching (a bar) or a log (lines)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from ..model import Progress
from .render import printable

MAX_SKIPPED_SHOWN = 100  # skipped inputs printed one per line; then only counted

__all__ = ["IndexProgress"]


class IndexProgress:
    """Progress of an indexing run on stderr.

    On a terminal: a tqdm bar of the share of the input read, with the
    articles and the text (in MB of UTF-8, as the summary counts it) and
    their rates, then "writing the index…" while Whoosh commits and merges.
    Otherwise (logs, CI): a plain line every ``interval`` seconds and, on a
    run that long, one when the commit starts. Skipped inputs are reported on their own line
    either way.
    """

    def __init__(self, stream: TextIO = sys.stderr, interval: float = 10.0) -> None:
        self.stream = stream
        self.interval = interval
        self.started = self.last_line = time.monotonic()
        self.bar = None
        self.committing = False
        self.skipped = 0
        if stream.isatty():
            from tqdm import tqdm

            # The share of the input read drives the bar (compressed bytes for
            # .gz/.bz2: the only measure known ahead); no byte counts are shown,
            # the text figures are.
            self.bar = tqdm(
                total=0, file=stream, desc="indexing", dynamic_ncols=True, leave=False,
                mininterval=0.5, bar_format="{desc}: {percentage:3.0f}%|{bar}| "
                "{elapsed}<{remaining}{postfix}",
            )  # fmt: skip

    def __call__(self, progress: Progress) -> None:
        if progress.skipped is not None:
            self.skipped += 1
            if self.skipped <= MAX_SKIPPED_SHOWN:
                self._write(f"skipped: {printable(str(progress.skipped))}")
            elif self.skipped == MAX_SKIPPED_SHOWN + 1:
                self._write(f"skipped: more inputs; only the first {MAX_SKIPPED_SHOWN:,} are shown")
        elapsed = max(time.monotonic() - self.started, 1e-9)
        if progress.phase == "committing":
            self._committing(progress, elapsed)
            return
        megabytes = progress.text_bytes / 1e6
        about = (
            f"{progress.articles:,} articles, {megabytes:,.1f} MB of text, "
            f"{megabytes / elapsed:,.2f} MB/s"
        )
        if self.bar is not None:
            self.bar.total = progress.total_bytes
            self.bar.n = progress.bytes_read
            self.bar.set_postfix_str(about, refresh=False)
            now = time.monotonic()
            if now - self.last_line >= 0.5:  # (tqdm's update(0) does not redraw)
                self.last_line = now
                self.bar.refresh()
        elif time.monotonic() - self.last_line >= self.interval:
            self.last_line = time.monotonic()
            share = progress.bytes_read / progress.total_bytes if progress.total_bytes else 0
            self._write(f"indexed {about} ({share:.0%} of the input)")

    def _committing(self, progress: Progress, elapsed: float) -> None:
        if self.committing or (self.bar is None and elapsed < self.interval):
            return  # a log hears of the commit only on a long run, like the rest
        self.committing = True
        line = (
            f"read {progress.articles:,} articles in {elapsed:,.0f} s; writing the index "
            "(flushing and merging segments)…"
        )
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        print(line, file=self.stream, flush=True)

    def _write(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
