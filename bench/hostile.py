"""Worst-case cost of hostile queries under the default search budget.

Runs the queries that once took minutes (many wildcards, questions of
thousands of words, thousands of OR terms, deep nesting) through
``Index.search`` on an index of the shared corpus, and reports for each the
time taken and how it ended: hits, or the one-line error. Every one must
end within the default time limit (plus the time to print nothing).

    python bench/hostile.py [--index DIR] [--rounds N]

Without --index, an index of ../shared/corpus/ is built (or reused) in
.pytest_cache, as the tests do.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bnsearch import Index  # noqa: E402
from bnsearch.api import DEFAULT_TIMEOUT  # noqa: E402
from bnsearch.errors import BnsearchError  # noqa: E402

SHARED = REPO.parent / "shared" / "corpus" / "bnwiki-2018.jsonl.gz"

WORDS = "কাতার দোহা রাজধানী বাংলাদেশ ভাষা নদী ইতিহাস সরকার দেশ মানুষ শহর বছর".split()
PREFIXES = ["ক", "স", "ব", "ম", "প", "দ", "ন", "র"]


def hostile_queries() -> list[tuple[str, str, str | None]]:
    """(name, query, section filter)."""
    rng = random.Random(7)

    def words(count: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(count))

    wildcards = [f"{p}া*" for p in PREFIXES]
    return [
        ("ক* স* (one-letter prefixes)", "ক* স*", None),
        ("কা* সা* (two-letter prefixes)", "কা* সা*", None),
        ("three wildcards", " ".join(wildcards[:3]), None),
        ("four wildcards", " ".join(wildcards[:4]), None),
        ("eight wildcards", " ".join(wildcards), None),
        ("question of 60 words", words(60), None),
        ("question of 500 words", words(500), None),
        ("question of 2,000 words", words(2000), None),
        ("5,000 OR terms", " OR ".join(rng.choice(WORDS) for _ in range(5000)), None),
        ("250 nested parentheses", "(" * 250 + "কাতার" + ")" * 250, None),
        ("30,000 unbalanced (", "(" * 30000 + "কাতার", None),
        ("title: × 5,000", "title:" * 5000 + "কাতার", None),
        ("10,000 words", words(10000), None),
        ("--section with 300 (", "কাতার", "(" * 300 + "ইতিহাস"),
        ("common words only", "দেশ সরকার বছর মানুষ শহর", None),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    path = args.index
    if path is None:
        if not SHARED.exists():
            sys.exit(f"shared corpus not found at {SHARED}; give --index")
        path = REPO / ".pytest_cache" / "bench-hostile-index"
        Index.build(path, [SHARED])
    worst = 0.0
    print(f"default time limit {DEFAULT_TIMEOUT:g} s; medians of {args.rounds} rounds\n")
    print(f"{'query':32s} {'ms':>9s}  outcome")
    with Index.open(path) as index:
        for name, query, section in hostile_queries():
            times, outcome = [], ""
            for _ in range(args.rounds):
                started = time.perf_counter()
                try:
                    results = index.search(query, limit=10, section=section)
                    outcome = f"{results.total} articles"
                    if results.notices:
                        outcome += f", {len(results.notices)} notice(s)"
                except BnsearchError as error:
                    outcome = f"{type(error).__name__}: {error}"
                times.append(time.perf_counter() - started)
            median = statistics.median(times)
            worst = max(worst, max(times))
            print(f"{name:32s} {median * 1000:9.1f}  {outcome[:90]}")
    print(f"\nworst single run: {worst * 1000:.0f} ms (limit {DEFAULT_TIMEOUT * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
