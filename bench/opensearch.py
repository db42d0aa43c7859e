"""The OpenSearch backend next to the native engine, on the shared corpus.

    python bench/opensearch.py

Starts one real OpenSearch node (tools/opensearch-node, `make opensearch-node`),
then reports, for the native index and the OpenSearch export of it:
- loading: the native build of the corpus and the export to OpenSearch,
  in articles and MB of text per second (one run each);
- relevance: MRR@10, nDCG@10, R@100 and section@1 on ../shared/eval's
  questions and dev sets, and MRR@10 per tag of the questions;
- latency: p50 and p95 of each set's queries (each run once to warm up,
  then once measured), limit 10, snippets on.
"""

from __future__ import annotations

import gzip
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from opensearch_nodes import cluster  # noqa: E402

from bnsearch import Index  # noqa: E402
from bnsearch.backends.opensearch import OpenSearchIndex, export  # noqa: E402
from bnsearch.evaluation import evaluate, read_qrels, read_queries, read_sections  # noqa: E402

SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "bnwiki-2018.jsonl.gz"
SETS = {name: SHARED / "eval" / name for name in ("questions", "dev")}


def corpus_megabytes() -> float:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        return sum(len(json.loads(line).get("text", "").encode()) for line in lines) / 1e6


def relevance(search, label: str) -> None:
    for name, folder in SETS.items():
        queries = read_queries(folder / "queries.tsv")

        def ranked(text: str) -> list[tuple[str, str, str]]:
            results = search(text, limit=100, snippets=False)
            return [(hit.id, hit.section, "") for hit in results.hits]

        report = evaluate(ranked, queries, read_qrels(folder / "qrels.tsv"),
                          read_sections(folder / "sections.tsv"))  # fmt: skip
        right, judged = report.section_accuracy
        print(
            f"| {label} | {name} | {report.mean('mrr'):.3f} | {report.mean('ndcg'):.3f} | "
            f"{report.mean('recall'):.3f} | {right / judged if judged else 0:.3f} |"
        )
        if name == "questions":
            tags = defaultdict(list)
            for line in (folder / "notes.tsv").read_text(encoding="utf-8").splitlines():
                qid, _, names = line.partition("\t")
                for tag in names.split(","):
                    tags[tag.strip()].append(qid)
            by_qid = {s.qid: s.mrr for s in report.scores}
            cells = ", ".join(
                f"{tag} {sum(by_qid[q] for q in qids) / len(qids):.3f}"
                for tag, qids in sorted(tags.items())
            )
            print(f"|   per tag | {label} | {cells} |")


def latency(search, label: str) -> None:
    for name, folder in SETS.items():
        queries = [text for _, text in read_queries(folder / "queries.tsv")]
        for text in queries:
            search(text, limit=10)
        times = []
        for text in queries:
            started = time.perf_counter()
            search(text, limit=10)
            times.append(time.perf_counter() - started)
        times.sort()
        p50, p95 = statistics.median(times), times[int(0.95 * (len(times) - 1))]
        print(f"| {label} | {name} | {1000 * p50:.1f} | {1000 * p95:.1f} |")


def main() -> None:
    megabytes = corpus_megabytes()
    with tempfile.TemporaryDirectory() as folder:
        native = Path(folder) / "native"
        started = time.monotonic()
        built = Index.build(native, [CORPUS])
        build_seconds = time.monotonic() - started
        articles = built.added
        with cluster(Path(folder) / "nodes") as nodes, Index.open(native) as index:
            url = f"opensearch://127.0.0.1:{nodes[0].http}/shared"
            report = export(index, url)
            remote = OpenSearchIndex(url)
            print(f"{articles} articles, {megabytes:.1f} MB of text\n")
            print("| loading | seconds | articles/s | MB/s |\n|---|---|---|---|")
            for label, seconds in (("native build", build_seconds),
                                   ("OpenSearch export", report.seconds)):  # fmt: skip
                print(
                    f"| {label} | {seconds:.1f} | {articles / seconds:.0f} | "
                    f"{megabytes / seconds:.2f} |"
                )
            print("\n| engine | set | MRR@10 | nDCG@10 | R@100 | section@1 |")
            print("|---|---|---|---|---|---|")
            relevance(index.search, "native")
            relevance(remote.search, "OpenSearch")
            print("\n| engine | set | p50 ms | p95 ms |\n|---|---|---|---|")
            latency(index.search, "native")
            latency(remote.search, "OpenSearch")


if __name__ == "__main__":
    main()
