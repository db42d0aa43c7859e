"""Ranking: ablations and parameter sweeps on both relevance sets and on a
passage-shaped variant of the shared corpus.

    python bench/ranking.py [--index DIR] [--passages DIR] [--sweep]

Three collections and two query sets:
- the shared corpus as bnsearch indexes it (articles split into sections);
- the same text as passages: every section its own document with the
  article's title and no heading (ids ``article#ordinal``; a ranking of
  passages is scored as the ranking of their articles, first passage first);
- ``../shared/eval/questions/`` (natural questions, the main signal) and
  ``../shared/eval/dev/`` (keyword queries, a regression check).

For each configuration: MRR@10, nDCG@10, R@100 and section@1 on every
(collection, set) pair, and MRR@10 per tag of the questions set. The default
configuration comes first, then each part of the ranking switched off in
turn; ``--sweep`` adds the parameter sweeps (one parameter moved at a time),
``--fields`` each indexed field left out of the section query in turn.
Indexes are built once (one writer process, so runs are repeatable) into
.pytest_cache unless given.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import re
import sys
from collections import defaultdict
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from whoosh import query as wq  # noqa: E402
from whoosh.searching import Searcher  # noqa: E402

from bnsearch import Index  # noqa: E402
from bnsearch.api import read_qrels, read_queries, read_sections  # noqa: E402
from bnsearch.engine.scoring import ArticleParameters, SectionWeighting  # noqa: E402
from bnsearch.errors import IndexVersionError, QueryError  # noqa: E402
from bnsearch.evaluation import evaluate  # noqa: E402
from bnsearch.ingest import split_sections  # noqa: E402
from bnsearch.search import SearchPipeline, SearchRequest, Weights  # noqa: E402
from bnsearch.search import compile as compile_module  # noqa: E402
from bnsearch.search import pipeline as pipeline_module  # noqa: E402
from bnsearch.search import rank as rank_module  # noqa: E402

SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "bnwiki-2018.jsonl.gz"
SETS = {name: SHARED / "eval" / name for name in ("questions", "dev")}
FIELDS = ("title", "title_exact", "heading", "heading_exact", "body", "body_exact")


def passages_file(target: Path) -> Path:
    """The shared corpus with every section as its own title + text document."""
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines, target.open("w") as out:
        for line in lines:
            record = json.loads(line)
            for section in split_sections(record.get("text") or ""):
                if section.text.strip():
                    passage = {
                        "id": f"{record['id']}#{section.ordinal}",
                        "title": record.get("title", ""),
                        "text": section.text,
                    }
                    out.write(json.dumps(passage, ensure_ascii=False) + "\n")
    return target


def build(path: Path, source: Path) -> Path:
    try:
        Index.build(path, [source], procs=1)
    except IndexVersionError:  # built by another version: built anew
        Index.build(path, [source], procs=1, rebuild=True)
    return path


class FieldsLeftOut(SearchPipeline):
    """The pipeline with some fields' terms left out of every section query
    (the article evidence still reads the stem fields): what each indexed
    field is worth before it is dropped or merged."""

    left_out: frozenset[str] = frozenset()

    def plan(self, request, weights, deadline):
        plan = super().plan(request, weights, deadline)
        if self.left_out and plan.query is not None:
            drop = self.left_out

            def without(node):
                if isinstance(node, wq.Term) and node.fieldname in drop:
                    return wq.NullQuery
                return node

            plan.query = plan.query.accept(without).normalize()
        return plan


def run(
    index: Index,
    weights: Weights,
    article: ArticleParameters,
    passages: bool,
    left_out: frozenset[str] = frozenset(),
    section: dict[str, float] | None = None,
) -> dict:
    """Every (set) report for one configuration on one collection;
    ``section``: the section scoring's BM25F parameters (K1, B, field_B),
    when not the defaults."""
    searcher = index._ix.searcher(weighting=SectionWeighting(**section)) if section else None
    try:
        return _run(index, weights, article, passages, left_out, searcher)
    finally:
        if searcher is not None:
            searcher.close()


def _run(
    index: Index,
    weights: Weights,
    article: ArticleParameters,
    passages: bool,
    left_out: frozenset[str],
    searcher: Searcher | None,
) -> dict:
    out = {}
    for name, folder in SETS.items():
        queries = read_queries(folder / "queries.tsv")
        qrels = read_qrels(folder / "qrels.tsv")
        sections = None if passages else read_sections(folder / "sections.tsv")

        def ranked(text: str) -> list[tuple[str, str, str]]:
            request = SearchRequest(text, limit=100, snippets=False, suggest=False)
            try:
                pipeline = FieldsLeftOut(searcher or index._searcher(), weights, article)
                pipeline.left_out = left_out
                results = pipeline.run(request)
            except QueryError:
                return []
            seen, found = set(), []
            for hit in results:
                article_id = hit.id.split("#")[0]
                if article_id not in seen:
                    seen.add(article_id)
                    found.append((article_id, hit.section, hit.title))
            return found

        out[name] = evaluate(ranked, queries, qrels, sections)
    return out


def tags() -> dict[str, list[str]]:
    table = defaultdict(list)
    for line in (SETS["questions"] / "notes.tsv").read_text(encoding="utf-8").splitlines():
        qid, _, names = line.partition("\t")
        for tag in names.split(","):
            if tag.strip():
                table[tag.strip()].append(qid)
    return table


def line(label: str, reports: dict[str, dict]) -> str:
    cells = []
    for collection in ("sections", "passages"):
        for name in ("questions", "dev"):
            report = reports[collection][name]
            right, judged = report.section_accuracy
            section = f" {right / judged:.3f}" if judged else ""
            cells.append(
                f"{report.mean('mrr'):.3f} {report.mean('ndcg'):.3f} "
                f"{report.mean('recall'):.3f}{section}"
            )
    return f"| {label} | " + " | ".join(cells) + " |"


def tag_line(label: str, report, table: dict[str, list[str]]) -> str:
    by_qid = {s.qid: s.mrr for s in report.scores}
    cells = [f"{sum(by_qid[q] for q in qids) / len(qids):.3f}" for _, qids in sorted(table.items())]
    return f"| {label} | " + " | ".join(cells) + " |"


@contextmanager
def patched(module, name: str, value):
    """``module.name`` replaced by ``value`` for the block (the query
    compiler's memo of word readings forgotten before and after)."""
    original = getattr(module, name)
    setattr(module, name, value)
    compile_module._content_terms.cache_clear()
    try:
        yield
    finally:
        setattr(module, name, original)
        compile_module._content_terms.cache_clear()


# Parts that are not a weight: switched off by replacing a function.
SWITCHED_OFF = {
    # The query-side question-word list: they are searched as words again.
    "question words searched": lambda: patched(compile_module, "is_interrogative", lambda t: False),
    # Two typed words are not also searched as the one word the index has.
    "joined words off": lambda: patched(compile_module._Compiler, "join_words", lambda *a: None),
    # Section choice: no section is chosen by a heading that names a query word.
    "heading rule off": lambda: patched(rank_module, "_headed", lambda *args: []),
    # The heading rule takes only the title as the article's subject.
    "lead sentence not the subject": lambda: patched(
        rank_module, "_lead_subject", lambda *args: frozenset()
    ),
    # The lead's first sentence (up to the first ।, ?, ! or full stop, in 200
    # characters) as the subject, not its first that names the title.
    "lead's first sentence, not its defining one": lambda: patched(
        rank_module,
        "_defining_sentence",
        lambda text, title: rank_module._terms(re.split(r"[।.?!\n]", text[:200], maxsplit=1)[0]),
    ),
    # Section choice: by every word only, not by the most word weight.
    "sections by every word only": lambda: patched(
        rank_module,
        "_holding_most",
        lambda idfs, words, docnums: [d for d in docnums if words.get(d) == (1 << len(idfs)) - 1],
    ),
    # Section choice: a title's words written apart are not the same words
    # written solid (বীর শ্রেষ্ঠ, বীরশ্রেষ্ঠ).
    "titles written apart only": lambda: patched(
        rank_module, "_joined_title", lambda title: frozenset()
    ),
    # Section choice: a heading with no text may be shown.
    "headings without text shown": lambda: patched(rank_module, "_with_text", lambda s, d: d),
    # A close spelling must be frequent as written, not in all its forms.
    "spellings counted as written": lambda: patched(
        pipeline_module,
        "_spellings",
        functools.partial(pipeline_module._spellings, by_word=False),
    ),
}


def configurations(sweep: bool) -> list[tuple[str, Weights, ArticleParameters]]:
    weights, article = Weights(), ArticleParameters()
    found = [
        ("default", weights, article),
        ("article evidence off", replace(weights, article_level=0.0), article),
        ("section evidence off", replace(weights, section_level=0.0), article),
        *((label, weights, article) for label in SWITCHED_OFF),
        ("close spellings off", replace(weights, variant=0.0), article),
        ("related forms off", replace(weights, related_forms=False), article),
        ("title-is-query first off", replace(weights, title_match=False), article),
        ("coordination off", replace(weights, coordination=None), article),
        ("word coverage off", replace(weights, coverage=0.0), article),
        ("common-word split off", replace(weights, common_cutoff=None), article),
    ]
    if sweep:
        for value in (0.5, 1.0, 4.0):
            found.append((f"article_level {value}", replace(weights, article_level=value), article))
        for value in (0.5, 1.0):
            found.append((f"word coverage {value}", replace(weights, coverage=value), article))
        for value in (0.6, 0.9, 1.5, 2.0):
            found.append((f"article k1 {value}", weights, replace(article, k1=value)))
        for value in (0.3, 0.5, 0.9):
            found.append((f"article b_body {value}", weights, replace(article, b_body=value)))
        for value in (0.0, 0.25, 0.75):
            found.append((f"article b_title {value}", weights, replace(article, b_title=value)))
        for value in (1.0, 3.0, 4.0):
            found.append((f"article title {value}", weights, replace(article, title=value)))
        for value in (0.5, 1.0, 3.0):
            found.append((f"article heading {value}", weights, replace(article, heading=value)))
    return found


def _both(field: str, value: float) -> dict[str, float]:
    """A field's B for its stem and exact forms alike."""
    return {f"{field}_B": value, f"{field}_exact_B": value}


# The section scoring's BM25F parameters (Whoosh's BM25F: K1, B, per-field
# B), one moved at a time from the defaults (--sweep): K1 1.2, B 0.75, titles' B
# 0.5 (bnsearch.engine.scoring.SECTION_FIELD_B).
SECTION_SWEEP = {
    **{f"section K1 {v}": {"K1": v} for v in (0.9, 1.5, 2.0)},
    **{f"section B {v}": {"B": v} for v in (0.4, 0.6, 0.9)},
    **{f"section title B {v}": _both("title", v) for v in (0.25, 0.75)},
    **{f"section heading B {v}": _both("heading", v) for v in (0.5,)},
    **{f"section body B {v}": _both("body", v) for v in (0.5, 0.9)},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path)
    parser.add_argument("--passages", type=Path)
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument(
        "--fields", action="store_true", help="also each indexed field left out of the query"
    )
    args = parser.parse_args()
    cache = REPO / ".pytest_cache"
    sections_path = args.index or build(cache / "bench-ranking-sections", CORPUS)
    passages_path = args.passages or build(
        cache / "bench-ranking-passages", passages_file(cache / "passages" / "passages.jsonl")
    )
    table = tags()
    print("MRR@10 nDCG@10 R@100 [section@1] per (collection, set)\n")
    print("| configuration | sections, questions | sections, dev | passages, questions "
          "| passages, dev |")  # fmt: skip
    print("|---|---|---|---|---|")
    tag_lines = []
    with Index.open(sections_path) as sections, Index.open(passages_path) as passages:
        sweep = [(label, Weights(), ArticleParameters()) for label in SECTION_SWEEP]
        for label, weights, article in configurations(args.sweep) + (sweep if args.sweep else []):
            switch = SWITCHED_OFF.get(label)
            section = SECTION_SWEEP.get(label)
            with switch() if switch is not None else nullcontext():
                reports = {
                    "sections": run(sections, weights, article, False, section=section),
                    "passages": run(passages, weights, article, True, section=section),
                }
            print(line(label, reports), flush=True)
            tag_lines.append(tag_line(label, reports["sections"]["questions"], table))
        for field in FIELDS if args.fields else ():
            left_out = frozenset({field})
            weights, article = Weights(), ArticleParameters()
            reports = {
                "sections": run(sections, weights, article, False, left_out),
                "passages": run(passages, weights, article, True, left_out),
            }
            label = f"no {field} in the query"
            print(line(label, reports), flush=True)
            tag_lines.append(tag_line(label, reports["sections"]["questions"], table))
    print(f"\nMRR@10 per tag (questions, sections): {', '.join(sorted(table))}\n")
    print("| configuration | " + " | ".join(f"{t} ({len(table[t])})" for t in sorted(table)) + " |")
    print("|---|" + "---|" * len(table))
    print("\n".join(tag_lines))


if __name__ == "__main__":
    main()
