"""Indexing speed, memory and size against a one-field Whoosh baseline.

    python bench/index.py [--corpus PATH] [--configs NAME,...] [--repeat N]

Every configuration runs in its own subprocess (fresh caches, its own peak
memory) and indexes the whole shared corpus into a temporary directory:

* ``baseline``: stock Whoosh, one TEXT field (positions, as Whoosh's default)
  with the Bengali regex tokenizer and a lowercase filter, one document per
  article; the same input read by the same corpus reader.
* ``bnsearch``: ``bnsearch.indexing.update_index`` as the CLI runs it (sections,
  stem and exact fields, hashes, one commit), with the default settings.
* variants of bnsearch: one writer process (``procs=1``), the indexing
  buffer (``limitmb``), two processes merged into one segment (``procs=2``).

Reported per configuration (median of --repeat runs): seconds, MB/s of
article text (UTF-8), articles/s, peak RSS and index size, and the time
ratio to the baseline measured in the same invocation.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "bnwiki-2018.jsonl.gz"

CONFIGS = {
    "baseline": {},
    "bnsearch": {},
    "procs=1": {"procs": 1},
    "limitmb=128": {"memory_mb": 128, "procs": 1},
    "limitmb=256": {"memory_mb": 256, "procs": 1},
    "limitmb=1024": {"memory_mb": 1024, "procs": 1},
    "procs=2": {"procs": 2, "multisegment": False},
    "procs=2+multisegment": {"procs": 2, "multisegment": True},
}


def run_baseline(corpus: Path, directory: Path) -> dict:
    from whoosh import fields, index
    from whoosh.analysis import LowercaseFilter, RegexTokenizer

    from bnsearch.ingest import Corpus
    from bnsearch.model import Article

    analyzer = RegexTokenizer(r"[\w\u0980-\u09FF\u200c\u200d]+") | LowercaseFilter()
    schema = fields.Schema(id=fields.ID(stored=True), text=fields.TEXT(analyzer=analyzer))
    ix = index.create_in(str(directory), schema)
    writer = ix.writer(limitmb=256)
    articles = text_bytes = 0
    for event in Corpus([corpus]):
        if isinstance(event, Article):
            writer.add_document(id=event.id, text=event.text)
            articles += 1
            text_bytes += len(event.text.encode("utf-8"))
    writer.commit()
    return {"articles": articles, "text_bytes": text_bytes}


def run_bnsearch(corpus: Path, directory: Path, options: dict) -> dict:
    from bnsearch.engine.indexing import update_index

    report = update_index(directory, [corpus], **options)
    return {"articles": report.articles, "text_bytes": report.text_bytes}


def run_one(name: str, corpus: Path) -> dict:
    """Child process: index once, print one JSON line."""
    directory = Path(tempfile.mkdtemp(prefix="bnsearch-bench-"))
    try:
        started = time.perf_counter()
        if name == "baseline":
            result = run_baseline(corpus, directory)
        else:
            result = run_bnsearch(corpus, directory / "index", CONFIGS[name])
        result["seconds"] = time.perf_counter() - started
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        result["peak_rss_mb"] = max(result["peak_rss_mb"], children)
        result["size_mb"] = sum(f.stat().st_size for f in directory.rglob("*") if f.is_file()) / 1e6
        return result
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--run", help=argparse.SUPPRESS)  # child mode
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    if args.run:
        print(json.dumps(run_one(args.run, args.corpus)))
        return 0

    names = [n.strip() for n in args.configs.split(",") if n.strip()]
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        parser.error(f"unknown configs: {', '.join(unknown)}")
    if "baseline" not in names:
        names.insert(0, "baseline")
    results: dict[str, list[dict]] = {name: [] for name in names}
    for _ in range(args.repeat):
        for name in names:  # interleaved, so drift on a noisy machine hits all alike
            command = [sys.executable, __file__, "--run", name, "--corpus", str(args.corpus)]
            output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            results[name].append(json.loads(output.strip().splitlines()[-1]))

    base = statistics.median(r["seconds"] for r in results["baseline"])
    print(f"corpus: {args.corpus.name}; median of {args.repeat} run(s) per configuration\n")
    print(
        f"{'configuration':22s} {'seconds':>8s} {'MB/s':>6s} {'art/s':>6s} "
        f"{'peak MB':>8s} {'index MB':>9s} {'× baseline':>10s}"
    )
    for name, runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        megabytes = runs[0]["text_bytes"] / 1e6
        print(
            f"{name:22s} {seconds:8.1f} {megabytes / seconds:6.2f} "
            f"{runs[0]['articles'] / seconds:6.1f} "
            f"{statistics.median(r['peak_rss_mb'] for r in runs):8.0f} "
            f"{statistics.median(r['size_mb'] for r in runs):9.1f} {seconds / base:10.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
