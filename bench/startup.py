"""What a new user waits for: fresh processes and a freshly opened index.

    python bench/startup.py [--index DIR] [--rounds N]

Each command runs ``--rounds`` times as a new process (after one unmeasured
run); the report gives the median wall time and its ratio to the baseline
measured in the same run, ``python -c "import whoosh"``:

- ``bnsearch --help``, and the CLI module's import alone;
- ``bnsearch search কাতার`` and ``bnsearch search dhaka`` (a romanized word:
  its Latin→Bengali table is read from the index, never built);

and, in one process per round, the first search on a freshly opened index
against the same search once warm (rare words, as a reader types them first).
Without --index, an index of the shared corpus is built in a temporary
directory first.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_CORPUS = REPO.parent / "shared" / "corpus" / "bnwiki-2018.jsonl.gz"
BNSEARCH = [sys.executable, "-m", "bnsearch"]
FIRST_QUERIES = ["ঝিনাইদহ", "আলবেনিয়া", "সিজিয়াম", "রবীন্দ্রনাথ ঠাকুর", "tokyo"]

_FIRST_AND_WARM = """
import sys, time
from bnsearch import Index
index = Index.open(sys.argv[1])
for query in sys.argv[2:]:
    started = time.perf_counter()
    index.search(query)
    first = time.perf_counter() - started
    started = time.perf_counter()
    index.search(query)
    print(query, first, time.perf_counter() - started)
"""


def timed(command: list[str], rounds: int) -> float:
    """The median wall time of ``command`` as a new process, in seconds."""
    subprocess.run(command, capture_output=True, check=False)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    temporary = None
    index = args.index
    if index is None:
        temporary = Path(tempfile.mkdtemp())
        index = temporary / "index"
        subprocess.run([*BNSEARCH, "index", "--index", str(index), str(SHARED_CORPUS)], check=True)
    try:
        base = timed([sys.executable, "-c", "import whoosh"], args.rounds)
        rows = [
            ('python -c "import whoosh" (baseline)', base),
            (
                "import bnsearch.faces.cli",
                timed([sys.executable, "-c", "import bnsearch.faces.cli"], args.rounds),
            ),
            ("bnsearch --help", timed([*BNSEARCH, "--help"], args.rounds)),
            (
                "bnsearch search কাতার",
                timed([*BNSEARCH, "search", "--index", str(index), "কাতার"], args.rounds),
            ),
            (
                "bnsearch search dhaka",
                timed([*BNSEARCH, "search", "--index", str(index), "dhaka"], args.rounds),
            ),
        ]
        print(f"fresh processes, median of {args.rounds} (ratio to the baseline):")
        for name, seconds in rows:
            print(f"  {name:40s} {seconds * 1000:7.0f} ms  {seconds / base:5.1f}×")
        firsts: dict[str, list[float]] = {}
        warms: dict[str, list[float]] = {}
        for _ in range(max(3, args.rounds // 3)):
            out = subprocess.run(
                [sys.executable, "-c", _FIRST_AND_WARM, str(index), *FIRST_QUERIES],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            for line in out.splitlines():
                *words, first, warm = line.split()
                firsts.setdefault(" ".join(words), []).append(float(first))
                warms.setdefault(" ".join(words), []).append(float(warm))
        print("first search on a freshly opened index against the same search warm (medians):")
        for query in FIRST_QUERIES:
            first, warm = statistics.median(firsts[query]), statistics.median(warms[query])
            print(f"  {query:24s} first {first * 1000:6.1f} ms  warm {warm * 1000:6.1f} ms  "
                  f"{first / warm:4.1f}×")  # fmt: skip
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


if __name__ == "__main__":
    main()
