"""A bounded load test of `bnsearch serve` on loopback, next to the same
queries through the Python API in one process.

    python bench/load.py [--index DIR] [--clients 16] [--seconds 30] [--page]

The server runs in a second process (`bnsearch serve --port 0`, on
127.0.0.1 only); ``--clients`` threads each keep one HTTP connection and send
GET /api/v1/search?q=… (limit 10, with snippets) for ``--seconds``, at most
``--max-requests`` in all, cycling through a mix of the natural questions of
../shared/eval/questions and one/two-word queries drawn from the corpus
(bench/search.py's sample), after one warming pass over them (in both runs:
per-reader caches hold the close spellings of rare words). Reports requests,
errors (any status but 200 or a broken connection), throughput and p50/p95
latency; then the same queries with Index.search in this process, one after
another. Without --index, an index of the shared corpus is built in a
temporary directory first.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from bnsearch import Index
from bnsearch.evaluation import read_queries

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search import SHARED, sampled_queries

CORPUS = SHARED / "corpus" / "bnwiki-2018.jsonl.gz"


def query_mix(corpus: Path) -> list[str]:
    questions = [q for _, q in read_queries(SHARED / "eval" / "questions" / "queries.tsv")]
    words = sampled_queries(corpus, count=110)
    mixed = [q for pair in zip(questions, words, strict=False) for q in pair]
    return mixed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(name: str, latencies: list[float], seconds: float, errors: int) -> str:
    return (
        f"{name:34s} {len(latencies):7,d} {errors:6d} {len(latencies) / seconds:8.1f} "
        f"{statistics.median(latencies) * 1000:8.1f} {percentile(latencies, 0.95) * 1000:8.1f}"
    )


def load(base: str, queries: list[str], clients: int, seconds: float, cap: int, page: bool = False):
    host, port = re.match(r"http://([\d.]+):(\d+)", base).groups()
    latencies: list[float] = []
    errors = [0]
    sent = [0]
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        position = number
        while time.monotonic() < end:
            with lock:
                if sent[0] >= cap:
                    return
                sent[0] += 1
            query = queries[position % len(queries)]
            position += clients
            where = "/?" if page else "/api/v1/search?"
            path = where + urllib.parse.urlencode(
                {"q": query} if page else {"q": query, "limit": 10}
            )
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
                if page:  # the rendered page: a query may be refused (400), never fail
                    ok = response.status in (200, 400) and b"</html>" in body
                else:
                    ok = response.status == 200 and json.loads(body)["query"] == query
            except (OSError, http.client.HTTPException, ValueError):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors[0] += not ok
        connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.monotonic() - started, errors[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument(
        "--page", action="store_true", help="GET the search page (/?q=…), not the API"
    )
    args = parser.parse_args()
    scratch = None
    index_path = args.index
    if index_path is None:
        scratch = Path(tempfile.mkdtemp(prefix="bnsearch-load-"))
        index_path = scratch / "index"
        print(f"building an index of {CORPUS} …", flush=True)
        Index.build(index_path, [CORPUS])
    queries = query_mix(CORPUS)
    server = subprocess.Popen(
        [sys.executable, "-m", "bnsearch", "serve", "--index", str(index_path), "--port", "0"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        base = re.search(r"at (http://127\.0\.0\.1:\d+)/", server.stderr.readline()).group(1)
        # Warm the server as the in-process run is warmed: every query once
        # (per-reader caches: close spellings of rare words, suggestions).
        load(base, queries, 2, 600.0, len(queries), args.page)
        latencies, seconds, errors = load(
            base, queries, args.clients, args.seconds, args.max_requests, args.page
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    what = "the search page" if args.page else "the API, limit 10, snippets"
    print(f"{len(queries)} queries (questions and one/two-word, alternating), {what}")
    print(f"{'':34s} {'requests':>7s} {'errors':>6s} {'per s':>8s} {'p50 ms':>8s} {'p95 ms':>8s}")
    print(summary(f"HTTP, {args.clients} clients, {args.seconds:g} s", latencies, seconds, errors))
    with Index.open(index_path) as index:
        for query in queries:  # warm, as the server was
            index.search(query)
        timings = []
        started = time.monotonic()
        for _ in range(2):
            for query in queries:
                began = time.perf_counter()
                index.search(query)
                timings.append(time.perf_counter() - began)
        print(summary("Python API, one thread", timings, time.monotonic() - started, 0))
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
