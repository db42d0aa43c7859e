"""The defaults a user can change, stated once, in a module the command line
reads at start without loading the engine."""

from __future__ import annotations

__all__ = ["DEFAULT_ARTICLE_BYTES", "DEFAULT_LINE_BYTES", "DEFAULT_MEMORY_MB", "DEFAULT_TIMEOUT"]

# Seconds a search may take before it ends ("ran out of its time budget").
DEFAULT_TIMEOUT = 10.0
# Whoosh's indexing buffer per writer process. Below what a corpus needs,
# Whoosh spills sorted runs to disk and merges them: on the 35 MB shared corpus
# 256 MB took 63 s, 512 MB 49 s; 1024 MB was no faster (bench/index.py).
DEFAULT_MEMORY_MB = 512
# The largest article (UTF-8 text) and JSON line the readers hold in memory.
# Bengali Wikipedia's longest articles are about 1 MB of text.
DEFAULT_ARTICLE_BYTES = 32 << 20
DEFAULT_LINE_BYTES = 128 << 20
