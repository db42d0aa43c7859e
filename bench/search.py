"""Query latency of bnsearch against bare Whoosh on the same index, one run.

    python bench/search.py [--index DIR] [--corpus PATH] [--rounds N]

Three query sets: the 57 dev queries of ../shared/eval/dev, 200 one- and
two-word queries drawn (with a fixed seed) from the shared corpus' own words,
and 30 natural questions typed in Latin letters (tests/data).
``bnsearch`` is ``Index.search`` as the CLI calls it: parsing, BM25F over six
fields, grouping by article, duplicates, snippets and suggestions. ``bare
Whoosh`` parses the same text with Whoosh's QueryParser on the stem body
field, searches the same index (top 10) and reads the hits' stored fields.

Each query runs once to warm up, then ``--rounds`` times; a query's latency
is its median, and the report gives the median and 95th percentile over the
set, and their ratio to bare Whoosh. Without --index, an index of the shared
corpus is built in a temporary directory first.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from whoosh.qparser import QueryParser

from bnsearch import Index
from bnsearch.analysis import analyze, word_spans
from bnsearch.evaluation import read_queries

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
ROMANIZED = REPO / "tests" / "data" / "romanized_questions.tsv"


def sampled_queries(corpus: Path, count: int = 200, seed: int = 7) -> list[str]:
    """Half one-word, half two-word queries from the corpus' own text: content
    words (not stopwords), the two words of a pair adjacent in a sentence."""
    rng = random.Random(seed)
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line in lines]
    rng.shuffle(texts)
    singles, pairs = [], []
    for text in texts:
        if len(singles) >= count // 2 and len(pairs) >= count - count // 2:
            break
        start = rng.randrange(max(1, len(text) - 400))
        window = text[start : start + 400]
        words = [t.text for t in analyze(window) if t.term and len(t.text) > 2]
        words = [w for w in words if not w.isascii()]
        if len(words) < 3:
            continue
        if len(singles) < count // 2:
            singles.append(rng.choice(words[1:-1]))
        spans = word_spans(window)
        surfaces = [window[s:e] for s, e, _ in spans]
        for a, b in itertools.pairwise(surfaces):
            if a in words and b in words and len(pairs) < count - count // 2:
                pairs.append(f"{a} {b}")
                break
    return singles + pairs


def timings(run: Callable[[str], object], queries: list[str], rounds: int) -> list[float]:
    for query in queries:  # warm up: caches, opened files
        run(query)
    per_query = []
    for query in queries:
        samples = []
        for _ in range(rounds):
            started = time.perf_counter()
            run(query)
            samples.append(time.perf_counter() - started)
        per_query.append(statistics.median(samples) * 1000)
    return per_query


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path)
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "bnwiki-2018.jsonl.gz")
    parser.add_argument("--queries", type=Path, default=SHARED / "eval" / "dev" / "queries.tsv")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not args.corpus.exists() or not args.queries.exists():
        print(f"shared data not found next to the repository ({SHARED})", file=sys.stderr)
        return 2

    built = None
    if args.index is None:
        built = Path(tempfile.mkdtemp(prefix="bnsearch-bench-"))
        args.index = built / "index"
        print("building an index of the shared corpus …", file=sys.stderr)
        Index.build(args.index, [args.corpus])
    try:
        sets = {
            "dev queries": [query for _, query in read_queries(args.queries)],
            "200 one/two-word": sampled_queries(args.corpus),
            # Typed in Latin letters: each word is also looked up as romanized
            # Bengali (the lookup is built before the timed rounds, in warm-up).
            "30 romanized": [query for _, query in read_queries(ROMANIZED)],
        }
        with Index.open(args.index) as index:
            searcher = index._searcher()  # the same index, for bare Whoosh
            whoosh_parser = QueryParser("body", searcher.schema)

            def bare(query: str) -> None:
                for hit in searcher.search(whoosh_parser.parse(query), limit=10):
                    hit.fields()

            def ours(query: str) -> None:
                index.search(query)

            print(f"index: {args.index}; {args.rounds} timed rounds per query, medians\n")
            print(f"{'query set':18s} {'engine':12s} {'median ms':>9s} {'p95 ms':>8s} "
                  f"{'× bare (median, p95)':>22s}")  # fmt: skip
            for name, queries in sets.items():
                base = timings(bare, queries, args.rounds)
                mine = timings(ours, queries, args.rounds)
                for engine, values in (("bare Whoosh", base), ("bnsearch", mine)):
                    ratio = (
                        f"{statistics.median(values) / statistics.median(base):6.2f}, "
                        f"{p95(values) / p95(base):6.2f}"
                    )
                    print(
                        f"{name:18s} {engine:12s} {statistics.median(values):9.1f} "
                        f"{p95(values):8.1f} {ratio:>22s}"
                    )
    finally:
        if built is not None:
            shutil.rmtree(built, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
