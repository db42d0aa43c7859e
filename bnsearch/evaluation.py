"""Retrieval quality: MRR@10, nDCG@10, Recall@100, MAP, P@10 and section
accuracy.

Relevance sets are TREC-style files: queries (``qid<TAB>query``), graded
qrels (``qid 0 doc-id grade``, tabs or spaces, as trec_eval reads them),
runs to score without searching (``qid Q0 doc-id rank score tag``) and,
optionally, the answering
section of a query's best article (``qid<TAB>doc id<TAB>heading``). The
ranking metrics are trec_eval's, through ir-measures; section accuracy
(is the first hit the answering article, shown by the answering section?)
is bnsearch's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .analysis import normalize_label

__all__ = [
    "NDCG_GAINS",
    "EvalReport",
    "QueryScore",
    "evaluate",
    "evaluate_run",
    "read_qrels",
    "read_queries",
    "read_run",
    "read_sections",
    "score_rankings",
]


def _text(path: Path) -> str:
    """A file's text; ValueError, naming the file and line, for bytes that
    are not UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ValueError(f"{path}:{line}: not valid UTF-8") from None


def _rows(path: Path, columns: int) -> Iterable[list[str]]:
    """The tab-separated rows of a file; ValueError, naming the file and
    line, for a row with too few columns or bytes that are not UTF-8."""
    for number, line in enumerate(_text(path).splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < columns:
            raise ValueError(f"{path}:{number}: expected {columns} tab-separated columns")
        yield parts


def read_queries(path: Path) -> list[tuple[str, str]]:
    """``qid<TAB>query`` lines."""
    return [(qid, query) for qid, query, *_ in _rows(path, 2)]


def _fields(path: Path, columns: int, what: str) -> Iterable[tuple[int, list[str]]]:
    """The whitespace-separated rows of a trec_eval file, with line numbers."""
    for number, line in enumerate(_text(path).splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) < columns:
            raise ValueError(f"{path}:{number}: expected {what}")
        yield number, parts


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """``qid 0 doc-id grade`` lines (tabs or spaces)."""
    qrels: dict[str, dict[str, int]] = {}
    for number, (qid, _, doc, grade, *_) in _fields(path, 4, "qid 0 doc-id grade"):
        try:
            qrels.setdefault(qid, {})[doc] = int(grade)
        except ValueError:
            raise ValueError(
                f"{path}:{number}: the grade {grade!r} is not a whole number"
            ) from None
    return qrels


def read_run(path: Path) -> dict[str, list[str]]:
    """A TREC run (``qid Q0 doc-id rank score tag``): each query's documents,
    best first (by score, then rank, as trec_eval orders them)."""
    rows: dict[str, list[tuple[float, int, str]]] = {}
    for number, (qid, _, doc, rank, score, *_) in _fields(
        path, 5, "qid Q0 doc-id rank score [tag]"
    ):
        try:
            rows.setdefault(qid, []).append((-float(score), int(rank), doc))
        except ValueError:
            raise ValueError(f"{path}:{number}: rank and score must be numbers") from None
    return {qid: [doc for *_, doc in sorted(found)] for qid, found in rows.items()}


def read_sections(path: Path) -> dict[str, tuple[str, str]]:
    return {qid: (doc, heading) for qid, doc, heading, *_ in _rows(path, 3)}


# nDCG gains: 2^grade - 1 (Burges et al.), which rewards a grade-2 answer
# three times a grade-1 one; trec_eval's default is the grade itself.
NDCG_GAINS = "2^grade-1"


def _gains(qrels: dict[str, dict[str, int]]) -> dict[int, int]:
    grades = {grade for judged in qrels.values() for grade in judged.values()}
    return {grade: 2**grade - 1 if grade > 0 else 0 for grade in grades | {0}}


def score_rankings(
    rankings: dict[str, Sequence[str]], qrels: dict[str, dict[str, int]]
) -> dict[str, dict[str, float]]:
    """Each query's RR@10, nDCG@10 (gains 2^grade - 1), R@100, AP and P@10
    of its ranking (best first), computed by ir-measures (trec_eval's
    code); a query with no hits or no relevance judgements scores 0."""
    import ir_measures
    from ir_measures import AP, RR, P, R, nDCG

    measures = {
        "mrr": RR @ 10,
        "ndcg": nDCG(gains=_gains(qrels)) @ 10,
        "recall": R @ 100,
        "map": AP,
        "p10": P @ 10,
    }
    judged = [
        ir_measures.Qrel(qid, doc, grade)
        for qid, docs in qrels.items()
        for doc, grade in docs.items()
    ]
    # Scores that follow the ranking exactly: trec_eval breaks score ties by
    # document id, which would reorder ties the engine has already ordered.
    run = [
        ir_measures.ScoredDoc(qid, doc, float(len(ranking) - position))
        for qid, ranking in rankings.items()
        for position, doc in enumerate(ranking)
    ]
    scores = {qid: dict.fromkeys(measures, 0.0) for qid in rankings}
    names = {measure: name for name, measure in measures.items()}
    for metric in ir_measures.iter_calc(list(measures.values()), judged, run):
        if metric.query_id in scores:
            scores[metric.query_id][names[metric.measure]] = metric.value
    return scores


@dataclass
class QueryScore:
    qid: str
    query: str
    mrr: float
    ndcg: float
    recall: float
    section_ok: bool | None  # None: no answering section is known
    top: str  # "title › section" of the first hit (the id for a run file)
    map: float = 0.0  # average precision (its mean over queries: MAP)
    p10: float = 0.0  # precision at 10


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

    def summary(self) -> dict[str, object]:
        """The means, rounded, as ``bnsearch eval --json`` gives them."""
        right, judged = self.section_accuracy
        return {
            "queries": len(self.scores),
            "mrr@10": round(self.mean("mrr"), 4),
            "ndcg@10": round(self.mean("ndcg"), 4),
            "recall@100": round(self.mean("recall"), 4),
            "map": round(self.mean("map"), 4),
            "p@10": round(self.mean("p10"), 4),
            "section_accuracy@1": round(right / judged, 4) if judged else None,
            "ndcg_gains": NDCG_GAINS,
        }

    def headline(self) -> str:
        """One line: the query count and every mean."""
        right, judged = self.section_accuracy
        return (
            f"{len(self.scores)} queries  MRR@10 {self.mean('mrr'):.3f}  "
            f"nDCG@10 {self.mean('ndcg'):.3f}  R@100 {self.mean('recall'):.3f}  "
            f"MAP {self.mean('map'):.3f}  P@10 {self.mean('p10'):.3f}"
            + (f"  section@1 {right}/{judged} = {right / judged:.3f}" if judged else "")
        )


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
    results = {qid: search(text) for qid, text in queries}
    rankings = {qid: [doc for doc, _, _ in ranked] for qid, ranked in results.items()}
    scores = score_rankings(rankings, qrels)
    for qid, text in queries:
        ranked = results[qid]
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
                scores[qid]["mrr"],
                scores[qid]["ndcg"],
                scores[qid]["recall"],
                section_ok,
                ranked[0][2] if ranked else "",
                scores[qid]["map"],
                scores[qid]["p10"],
            )
        )
    return report


def evaluate_run(
    run: dict[str, list[str]],
    queries: list[tuple[str, str]] | None,
    qrels: dict[str, dict[str, int]],
) -> EvalReport:
    """Score an existing run (no search): every query of ``queries``, or of
    the qrels when none are given; a query the run lacks scores 0."""
    if queries is None:
        queries = [(qid, "") for qid in qrels]
    rankings = {qid: run.get(qid, []) for qid, _ in queries}
    scores = score_rankings(rankings, qrels)
    report = EvalReport()
    for qid, text in queries:
        found = scores[qid]
        top = rankings[qid][0] if rankings[qid] else ""
        report.scores.append(
            QueryScore(
                qid,
                text,
                found["mrr"],
                found["ndcg"],
                found["recall"],
                None,
                top,
                found["map"],
                found["p10"],
            )
        )
    return report
