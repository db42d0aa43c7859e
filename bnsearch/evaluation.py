"""Retrieval quality: MRR@10, nDCG@10, Recall@100 and section accuracy.

Relevance sets are TREC-style files: queries (``qid<TAB>query``), graded
qrels (``qid<TAB>0<TAB>doc id<TAB>grade``) and, optionally, the answering
section of a query's best article (``qid<TAB>doc id<TAB>heading``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .analysis import normalize_label

__all__ = [
    "EvalReport",
    "QueryScore",
    "evaluate",
    "mrr",
    "ndcg",
    "read_qrels",
    "read_queries",
    "read_sections",
    "recall",
]


def _rows(path: Path, columns: int) -> Iterable[list[str]]:
    """The tab-separated rows of a file; ValueError, naming the file and
    line, for a row with too few columns or bytes that are not UTF-8."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ValueError(f"{path}:{line}: not valid UTF-8") from None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < columns:
            raise ValueError(f"{path}:{number}: expected {columns} tab-separated columns")
        yield parts


def read_queries(path: Path) -> list[tuple[str, str]]:
    """``qid<TAB>query`` lines."""
    return [(qid, query) for qid, query, *_ in _rows(path, 2)]


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    for qid, _, doc, grade, *_ in _rows(path, 4):
        qrels.setdefault(qid, {})[doc] = int(grade)
    return qrels


def read_sections(path: Path) -> dict[str, tuple[str, str]]:
    return {qid: (doc, heading) for qid, doc, heading, *_ in _rows(path, 3)}


def mrr(ranking: Sequence[str], relevant: dict[str, int], depth: int = 10) -> float:
    """Reciprocal rank of the first relevant document in the top ``depth``."""
    for rank, doc in enumerate(ranking[:depth], 1):
        if relevant.get(doc, 0) > 0:
            return 1 / rank
    return 0.0


def ndcg(ranking: Sequence[str], relevant: dict[str, int], depth: int = 10) -> float:
    """Normalized discounted cumulative gain with graded gains 2^grade - 1."""

    def dcg(grades: Iterable[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))

    ideal = dcg(sorted(relevant.values(), reverse=True)[:depth])
    if ideal == 0:
        return 0.0
    return dcg(relevant.get(doc, 0) for doc in ranking[:depth]) / ideal


def recall(ranking: Sequence[str], relevant: dict[str, int], depth: int = 100) -> float:
    wanted = {doc for doc, grade in relevant.items() if grade > 0}
    return len(wanted & set(ranking[:depth])) / len(wanted) if wanted else 0.0


@dataclass
class QueryScore:
    qid: str
    query: str
    mrr: float
    ndcg: float
    recall: float
    section_ok: bool | None  # None: no answering section is known
    top: str  # "title › section" of the first hit


@dataclass
class EvalReport:
    scores: list[QueryScore] = field(default_factory=list)

    def mean(self, name: str) -> float:
        values = [getattr(s, name) for s in self.scores]
        return sum(values) / len(values) if values else 0.0

    @property
    def section_accuracy(self) -> tuple[int, int]:
        judged = [s.section_ok for s in self.scores if s.section_ok is not None]
        return sum(judged), len(judged)


# A search function: query text → ranked (article id, best section heading
# path, "title › section") tuples, best first.
SearchFunction = Callable[[str], list[tuple[str, str, str]]]


def _heading_matches(path: str, heading: str) -> bool:
    """The best section is the named one: its heading (last part of the path)
    equals the name, compared after tier-0 normalization."""
    last = path.rsplit("›", 1)[-1].strip()
    return normalize_label(last) == normalize_label(heading)


def evaluate(
    search: SearchFunction,
    queries: list[tuple[str, str]],
    qrels: dict[str, dict[str, int]],
    sections: dict[str, tuple[str, str]] | None = None,
) -> EvalReport:
    report = EvalReport()
    sections = sections or {}
    for qid, text in queries:
        relevant = qrels.get(qid, {})
        ranked = search(text)
        ranking = [doc for doc, _, _ in ranked]
        section_ok = None
        if qid in sections:
            doc, heading = sections[qid]
            section_ok = (
                bool(ranked) and ranked[0][0] == doc and _heading_matches(ranked[0][1], heading)
            )
        report.scores.append(
            QueryScore(
                qid,
                text,
                mrr(ranking, relevant),
                ndcg(ranking, relevant),
                recall(ranking, relevant),
                section_ok,
                ranked[0][2] if ranked else "",
            )
        )
    return report
