"""bnsearch side by side with Apache Lucene 8 (its BengaliAnalyzer), one run.

    python bench/lucene.py [--corpus JSONL] [--rounds 5]

Both index the same articles and answer the same queries on this machine in
this run: Lucene through a small Java harness of ours (bench/lucene/,
compiled with javac against Debian's liblucene8-java: one document per
article, title + text in one field, BM25 1.2/0.75, no stored text, one
thread, merged to one segment), bnsearch through ``bnsearch index --procs 1``
and ``Index.search(q, limit=10)`` with snippets. Queries: the natural
questions of ../shared/eval/questions and 200 one/two-word queries drawn from
the corpus (bench/search.py's sample); each runs once to warm up, then
``--rounds`` times, and its latency is the median. Reported: indexing CPU
seconds (the writer's thread for Lucene, the whole ``bnsearch index``
process for bnsearch: start-up, reading and splitting the articles too) and
their ratio, against Lucene's first run in a fresh JVM (cold) and against
its warm run (the median of three more in the same JVM), and for scale the
CPU of stock Whoosh indexing the same articles into one field (bench/index.py's
baseline: a regex tokenizer, no sections, no stored text); query p50/p95
and their ratios; and both engines' MRR@10 on the questions (Lucene's run
scored by ir-measures as bnsearch's is). The "ranked" rows time bnsearch
without snippets or did-you-mean (``snippets=False, suggest=False``), which
is what Lucene's harness does: ranked ids and scores only.

Skips, saying why, when java, javac or the Lucene jars are missing
(``apt-get install default-jdk liblucene8-java``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search import SHARED, sampled_queries

from bnsearch import Index
from bnsearch.evaluation import read_qrels, read_queries, read_run, score_rankings

HERE = Path(__file__).resolve().parent
HARNESS = HERE / "lucene" / "BengaliBench.java"
JARS = ("lucene-core-8", "lucene-analyzers-common-8", "lucene-queryparser-8")
_RANKED_ONLY = {"snippets": False, "suggest": False}
LUCENE_RUNS = 4  # indexing runs in one JVM: one cold, three warm


def classpath() -> str | None:
    found = []
    for prefix in JARS:
        jars = sorted(Path("/usr/share/java").glob(f"{prefix}*.jar"))
        if not jars:
            return None
        found.append(str(jars[-1]))
    return ":".join(found)


def child_cpu(command: list[str]) -> tuple[float, float]:
    """Run ``command``; its CPU seconds (user + system) and wall seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(values), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "bnwiki-2018.jsonl.gz")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    jars = classpath()
    if not shutil.which("java") or not shutil.which("javac") or jars is None:
        print("skipped: needs java, javac and Debian's liblucene8-java "
              "(apt-get install default-jdk liblucene8-java)")  # fmt: skip
        return 0
    work = Path(tempfile.mkdtemp(prefix="bnsearch-lucene-"))
    try:
        subprocess.run(["javac", "-cp", jars, "-d", str(work), str(HARNESS)], check=True)
        java = ["java", "-cp", f"{jars}:{work}", "BengaliBench"]
        # The articles as TSV for the harness (tabs and line breaks as spaces).
        articles = work / "articles.tsv"
        opener = gzip.open if args.corpus.name.endswith(".gz") else open
        with opener(args.corpus, "rt", encoding="utf-8") as lines, articles.open("w") as out:
            for line in lines:
                record = json.loads(line)
                fields = [str(record.get("id") or record.get("_id")), record.get("title", "")]
                fields.append(record["text"])
                out.write("\t".join(" ".join(f.split()) for f in fields) + "\n")
        questions_file = SHARED / "eval" / "questions" / "queries.tsv"
        query_sets = {
            "questions": read_queries(questions_file),
            "one/two-word": [(str(n), q) for n, q in enumerate(sampled_queries(args.corpus))],
        }

        # Lucene indexes LUCENE_RUNS times in one JVM: the first run is cold (the
        # JIT compiles as it goes), the median of the others is its warm run.
        lucene_runs = [
            json.loads(line)
            for line in subprocess.run(
                [*java, "index", str(articles), str(work / "lucene-index"), str(LUCENE_RUNS)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.splitlines()
        ]
        cold = lucene_runs[0]
        warm = {
            key: statistics.median(run[key] for run in lucene_runs[1:]) for key in ("cpu", "wall")
        }
        ours_cpu, wall = child_cpu(
            [sys.executable, "-m", "bnsearch", "index", "--procs", "1",
             "--index", str(work / "bnsearch-index"), str(args.corpus)]
        )  # fmt: skip
        megabytes = cold["text_bytes"] / 1e6
        print(f"{cold['articles']:,} articles, {megabytes:.1f} MB of text\n")
        print(f"{'indexing':14s} {'CPU s':>8s} {'MB/CPU-s':>9s} {'wall s':>8s} {'bnsearch ×':>10s}")
        for label, run in (("Lucene 8 cold", cold), ("Lucene 8 warm", warm)):
            print(f"{label:14s} {run['cpu']:8.1f} {megabytes / run['cpu']:9.2f} "
                  f"{run['wall']:8.1f} {ours_cpu / run['cpu']:9.1f}×")  # fmt: skip
        print(f"{'bnsearch':14s} {ours_cpu:8.1f} {megabytes / ours_cpu:9.2f} {wall:8.1f}")
        # What Whoosh itself needs for less: one field, a regex tokenizer,
        # whole articles, no stored text (bench/index.py's baseline).
        whoosh_cpu, whoosh_wall = child_cpu(
            [
                sys.executable,
                str(HERE / "index.py"),
                "--run",
                "baseline",
                "--corpus",
                str(args.corpus),
            ]
        )
        print(f"{'stock Whoosh':14s} {whoosh_cpu:8.1f} {megabytes / whoosh_cpu:9.2f} "
              f"{whoosh_wall:8.1f} {whoosh_cpu / warm['cpu']:9.1f}× Lucene warm\n")  # fmt: skip

        qrels = read_qrels(SHARED / "eval" / "questions" / "qrels.tsv")
        print(f"{'queries':14s} {'engine':9s} {'p50 ms':>8s} {'p95 ms':>8s} {'MRR@10':>7s}")
        with Index.open(work / "bnsearch-index") as index:
            for name, queries in query_sets.items():
                query_file = work / "queries.tsv"
                query_file.write_text("".join(f"{qid}\t{q}\n" for qid, q in queries), "utf-8")
                run_file = work / "lucene.run"
                timed = json.loads(
                    subprocess.run(
                        [
                            *java,
                            "search",
                            str(work / "lucene-index"),
                            str(query_file),
                            str(args.rounds),
                            str(run_file),
                        ],
                        check=True,
                        capture_output=True,
                        text=True,
                    ).stdout
                )["per_query_ms"]
                ours, rankings = [], {}
                for qid, query in queries:
                    rankings[qid] = [h.id for h in index.search(query, limit=100)]
                ranked_only: list[float] = []
                for _, query in queries:
                    for options, times in (({}, ours), (_RANKED_ONLY, ranked_only)):
                        samples = []
                        for _ in range(args.rounds):
                            began = time.perf_counter()
                            index.search(query, **options)
                            samples.append((time.perf_counter() - began) * 1000)
                        times.append(statistics.median(samples))
                mrr = {"Lucene 8": "", "bnsearch": ""}
                if name == "questions":
                    for engine, ranked in (
                        ("Lucene 8", read_run(run_file)),
                        ("bnsearch", rankings),
                    ):
                        scores = score_rankings({q: ranked.get(q, []) for q, _ in queries}, qrels)
                        mrr[engine] = f"{statistics.mean(s['mrr'] for s in scores.values()):.3f}"
                theirs50, theirs95 = percentiles(timed)
                ours50, ours95 = percentiles(ours)
                bare50, bare95 = percentiles(ranked_only)
                rows = [
                    ("Lucene 8", f"{theirs50:8.2f} {theirs95:8.2f}", mrr["Lucene 8"]),
                    ("bnsearch", f"{ours50:8.2f} {ours95:8.2f}", mrr["bnsearch"]),
                    ("ratio", f"{ours50 / theirs50:7.0f}× {ours95 / theirs95:7.0f}×", ""),
                    ("ranked", f"{bare50:8.2f} {bare95:8.2f}", ""),
                    ("ratio", f"{bare50 / theirs50:7.0f}× {bare95 / theirs95:7.0f}×", ""),
                ]
                for engine, figures, score in rows:
                    print(f"{name:14s} {engine:9s} {figures} {score:>7s}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
