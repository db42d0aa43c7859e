"""Throughput of the stem analyzer against a regex baseline, in one run.

    python bench/analysis.py [--corpus PATH] [--repeat N]

Both analyzers tokenize every article (title and text) of the shared corpus
with positions and character offsets, as indexing does. Each pass is timed;
the report gives the median MB/s (UTF-8 bytes) of each and their ratio. The
stem analyzer's per-token caches are cleared before every pass, so each pass
pays for its own cache warm-up like a fresh indexing process does.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from whoosh.analysis import LowercaseFilter, RegexTokenizer

from bnsearch.analysis import clear_caches, exact_analyzer, stem_analyzer

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "bnwiki-2018.jsonl.gz"


def load_texts(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [f"{doc['title']}\n{doc['text']}" for doc in map(json.loads, lines)]


def one_pass(analyzer: Callable, texts: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    tokens = 0
    for text in texts:
        for _ in analyzer(text, positions=True, chars=True):
            tokens += 1
    return time.perf_counter() - start, tokens


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2

    texts = load_texts(args.corpus)
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    analyzers = {
        "baseline regex+lowercase": RegexTokenizer(r"[\w\u0980-\u09FF\u200c\u200d]+")
        | LowercaseFilter(),
        "bnsearch exact": exact_analyzer(),
        "bnsearch stem": stem_analyzer(),
    }
    print(f"corpus: {args.corpus.name}, {len(texts)} articles, {megabytes:.1f} MB UTF-8")
    print(f"passes per analyzer: {args.repeat}, interleaved (caches cleared before each)\n")
    rates: dict[str, list[float]] = {name: [] for name in analyzers}
    tokens: dict[str, int] = {}
    for _ in range(args.repeat):  # interleaved: drift on a noisy machine hits all alike
        for name, analyzer in analyzers.items():
            clear_caches()
            seconds, tokens[name] = one_pass(analyzer, texts)
            rates[name].append(megabytes / seconds)
    medians = {}
    for name in analyzers:
        medians[name] = statistics.median(rates[name])
        print(
            f"{name:26s} {medians[name]:6.2f} MB/s median (min {min(rates[name]):.2f}, "
            f"max {max(rates[name]):.2f}), {tokens[name]:,} tokens"
        )
    base = medians["baseline regex+lowercase"]
    print()
    for name in ("bnsearch exact", "bnsearch stem"):
        print(f"{name} / baseline = {medians[name] / base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
