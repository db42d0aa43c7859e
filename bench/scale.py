"""How indexing and search grow with the collection.

    python bench/scale.py [--source JSONL] [--sizes 35,140,1000] [--procs N]

Builds collections of growing size (MB of article text, UTF-8) from any
JSON Lines file of ``{"id", "title", "text"}`` articles — by default the
shared Bengali Wikipedia sample — and indexes each in a fresh directory with
``bnsearch index`` in a subprocess. A collection larger than its source
repeats the source's articles under new ids, each copy perturbed so that the
vocabulary keeps growing with the size, as Heaps' law says a real collection's
does: in copy k, about one word in ten gets a suffix of two letters chosen by
(word, k) — a new term, seen in every copy of that article and in no other
copy's.

Reported per size: articles, text MB, indexing wall seconds, MB/s per wall
second and per CPU second (all writer processes), peak RSS of the largest
process, index size ÷ text size, and query latency with snippets
(``Index.search(q, limit=10)``, each query once to warm, then the median of 3)
— p50 and p95 for 60 natural questions of ../shared/eval/questions and for
60 one/two-word queries drawn from the collection.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
LETTERS = "কখগঘচছজঝটঠডঢতথদধনপফবভমযরলশষসহ"
WORD = re.compile(r"[\u0980-\u09ff]+")


def read_articles(source: Path) -> list[dict]:
    opener = gzip.open if source.name.endswith(".gz") else open
    with opener(source, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def perturbed(text: str, copy: int) -> str:
    """About one Bengali word in ten with a suffix of its own in this copy."""

    def change(match: re.Match) -> str:
        word = match.group()
        digest = hashlib.blake2b(f"{word}\0{copy}".encode(), digest_size=4).digest()
        if digest[0] >= 26:  # 26 of 256: about one in ten
            return word
        return word + LETTERS[digest[1] % len(LETTERS)] + LETTERS[digest[2] % len(LETTERS)]

    return WORD.sub(change, text)


def collection(articles: list[dict], megabytes: float) -> Iterator[dict]:
    """Articles until ``megabytes`` of text: the source, then perturbed copies."""
    wanted, written, copy = megabytes * 1e6, 0, 0
    while written < wanted:
        for article in articles:
            if written >= wanted:
                return
            text = article["text"] if copy == 0 else perturbed(article["text"], copy)
            identifier = str(article.get("id") or article.get("_id"))
            yield {
                "id": identifier if copy == 0 else f"{identifier}-c{copy}",
                "title": article.get("title", ""),
                "text": text,
            }
            written += len(text.encode("utf-8"))
        copy += 1


def sample_queries(articles: list[dict], count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    queries = []
    while len(queries) < count:
        words = WORD.findall(rng.choice(articles)["text"])
        words = [w for w in words if len(w) > 3]
        if len(words) < 5:
            continue
        start = rng.randrange(len(words) - 1)
        queries.append(" ".join(words[start : start + 1 + len(queries) % 2]))
    return queries


def index_collection(path: Path, directory: Path, procs: int | None) -> dict:
    command = [sys.executable, "-m", "bnsearch", "index", "--index", str(directory), str(path)]
    if procs:
        command += ["--procs", str(procs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    size = sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())
    # ru_maxrss of children: the largest child process's peak, in kB.
    return {"wall": wall, "cpu": cpu, "rss_mb": after.ru_maxrss / 1024, "size": size}


def latencies(directory: Path, queries: list[str]) -> tuple[float, float]:
    from bnsearch import Index

    times = []
    with Index.open(directory) as index:
        for query in queries:
            index.search(query)
        for query in queries:
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                index.search(query)
                runs.append(time.perf_counter() - started)
            times.append(statistics.median(runs) * 1000)
    ordered = sorted(times)
    return statistics.median(times), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=SHARED / "corpus" / "bnwiki-2018.jsonl.gz")
    parser.add_argument("--sizes", default="35,140,1000", help="MB of text, comma-separated")
    parser.add_argument("--procs", type=int, default=None, help="writer processes (default: auto)")
    parser.add_argument("--keep", type=Path, help="keep the collections and indexes here")
    args = parser.parse_args()
    from bnsearch.evaluation import read_queries

    articles = read_articles(args.source)
    questions_file = SHARED / "eval" / "questions" / "queries.tsv"
    questions = [q for _, q in read_queries(questions_file)][:60] if questions_file.exists() else []
    work = args.keep or Path(tempfile.mkdtemp(prefix="bnsearch-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"source {args.source}: {len(articles):,} articles; writer processes: "
          f"{args.procs or 'auto'}\n")  # fmt: skip
    header = (
        f"{'text MB':>8s} {'articles':>9s} {'index s':>8s} {'MB/s wall':>9s} {'MB/s CPU':>9s} "
        f"{'peak RSS MB':>11s} {'size ×text':>10s} {'questions p50/p95 ms':>21s} "
        f"{'1-2 words p50/p95 ms':>21s}"
    )
    print(header, flush=True)
    for size in (float(s) for s in args.sizes.split(",")):
        path = work / f"collection-{size:g}MB.jsonl"
        count = text = 0
        with open(path, "w", encoding="utf-8") as out:
            for article in collection(articles, size):
                out.write(json.dumps(article, ensure_ascii=False) + "\n")
                count += 1
                text += len(article["text"].encode("utf-8"))
        directory = work / f"index-{size:g}MB"
        shutil.rmtree(directory, ignore_errors=True)
        built = index_collection(path, directory, args.procs)
        words = sample_queries(articles, 60)
        q50, q95 = latencies(directory, questions) if questions else (float("nan"),) * 2
        w50, w95 = latencies(directory, words)
        megabytes = text / 1e6
        print(
            f"{megabytes:8.0f} {count:9,d} {built['wall']:8.0f} {megabytes / built['wall']:9.2f} "
            f"{megabytes / built['cpu']:9.2f} {built['rss_mb']:11.0f} "
            f"{built['size'] / text:10.2f} {f'{q50:.0f} / {q95:.0f}':>21s} "
            f"{f'{w50:.0f} / {w95:.0f}':>21s}",
            flush=True,
        )
        if args.keep is None:
            path.unlink()
            shutil.rmtree(directory, ignore_errors=True)
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
