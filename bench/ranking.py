"""Ranking: ablations and parameter sweeps on both relevance sets and on a
passage-shaped variant of the shared corpus.

    python bench/ranking.py [--index DIR] [--passages DIR] [--sweep]

Four collections and two query sets:
- the shared corpus as bnsearch indexes it (articles split into sections);
- the same text as passages: every section its own document with the
  article's title and no heading (ids ``article#ordinal``; a ranking of
  passages is scored as the ranking of their articles, first passage first);
- the same passages without titles (text alone, as a collection of
  paragraphs or TyDi QA's passages without their titles come);
- ``../shared/eval/questions/`` (natural questions, the main signal) and
  ``../shared/eval/dev/`` (keyword queries, a regression check).

For each configuration: MRR@10, nDCG@10, R@100 and section@1 on every
(collection, set) pair, and MRR@10 per tag of the questions set. The default
configuration comes first, then each part of the ranking switched off in
turn (the names from leads, an indexing choice, on indexes built without
them); ``--sweep`` adds the parameter sweeps (one parameter moved at a time),
``--fields`` each indexed field left out of the section query in turn.
Indexes are built once (one writer process, so runs are repeatable) into
.pytest_cache unless given.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import defaultdict
from dataclasses import fields, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from whoosh import query as wq  # noqa: E402
from whoosh.searching import Searcher  # noqa: E402

from bnsearch import Index  # noqa: E402
from bnsearch.api import read_qrels, read_queries, read_sections  # noqa: E402
from bnsearch.engine.scoring import ArticleParameters, SectionWeighting  # noqa: E402
from bnsearch.errors import IndexVersionError, InvalidArgumentError, QueryError  # noqa: E402
from bnsearch.evaluation import evaluate  # noqa: E402
from bnsearch.ingest import split_sections  # noqa: E402
from bnsearch.search import SearchPipeline, SearchRequest  # noqa: E402
from bnsearch.search.config import Parts, RankingConfig, SectionScoring  # noqa: E402

SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "bnwiki-2018.jsonl.gz"
SETS = {name: SHARED / "eval" / name for name in ("questions", "dev")}
COLLECTIONS = ("sections", "passages", "untitled")
FIELDS = ("title", "title_exact", "heading", "heading_exact", "body", "body_exact")


def passages_file(target: Path, titles: bool = True) -> Path:
    """The shared corpus with every section as its own title + text document
    (text alone, without ``titles``)."""
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
                        "title": record.get("title", "") if titles else "",
                        "text": section.text,
                    }
                    out.write(json.dumps(passage, ensure_ascii=False) + "\n")
    return target


def build(path: Path, source: Path, lead_names: bool = True) -> Path:
    try:
        Index.build(path, [source], procs=1, lead_names=lead_names)
    except (IndexVersionError, InvalidArgumentError):  # another version, or names: anew
        Index.build(path, [source], procs=1, rebuild=True, lead_names=lead_names)
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
    index: Index, config: RankingConfig, passages: bool, left_out: frozenset[str] = frozenset()
) -> dict:
    """Every (set) report for one configuration on one collection."""
    searcher = None
    if config.section != SectionScoring():  # a searcher with that section scoring
        searcher = index._ix.searcher(
            weighting=SectionWeighting(**config.section.weighting_options())
        )
    try:
        return _run(index, config, passages, left_out, searcher)
    finally:
        if searcher is not None:
            searcher.close()


def _run(
    index: Index,
    config: RankingConfig,
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
                pipeline = FieldsLeftOut(
                    searcher or index._searcher(), config.weights, config.article
                )
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
    for collection in COLLECTIONS:
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


# Each part that is not a weight, switched off (bnsearch.search.compile.Parts).
PARTS_OFF = {
    "question words searched": "question_words_left_out",
    "joined words off": "joined_words",
    "heading rule off": "heading_rule",
    "lead sentence not the subject": "lead_subject",
    "sections by every word only": "most_word_weight",
    "titles written apart only": "titles_written_apart",
    "headings without text shown": "skip_headings_without_text",
    "spellings counted as written": "spellings_by_word",
    "reference sections shown": "skip_reference_sections",
    "genitive subject's lead not preferred": "subject_lead",
    "English names of countries and languages not read": "exonyms",
}


def with_weights(**changes) -> RankingConfig:
    return RankingConfig(weights=replace(RankingConfig().weights, **changes))


def with_parts(**changes) -> RankingConfig:
    return with_weights(parts=replace(Parts(), **changes))


def configurations(sweep: bool) -> list[tuple[str, RankingConfig]]:
    article = ArticleParameters()
    found = [
        ("default", RankingConfig()),
        ("article evidence off", with_weights(article_level=0.0)),
        ("section evidence off", with_weights(section_level=0.0)),
        *((label, with_parts(**{name: False})) for label, name in PARTS_OFF.items()),
        ("close spellings off", with_weights(variant=0.0)),
        ("related forms off", with_weights(related_forms=False)),
        ("coordination off", with_weights(coordination=None)),
        ("word coverage off", with_weights(coverage=0.0)),
        ("genitive subject not required", with_weights(subject_absent=1.0)),
        ("common-word split off", with_weights(common_cutoff=None)),
        ("other romanized readings off", with_weights(alternative_reading=0.0)),
        ("copies merged only when identical", with_weights(duplicate_similarity=1.0)),
    ]
    if sweep:
        for value in (0.5, 1.0, 4.0):
            found.append((f"article_level {value}", with_weights(article_level=value)))
        for value in (0.5, 1.0):
            found.append((f"word coverage {value}", with_weights(coverage=value)))
        for value in (0.25, 0.75, 0.9):
            found.append((f"subject absent {value}", with_weights(subject_absent=value)))
        moves = {
            "k1": (0.6, 0.9, 1.5, 2.0),
            "b_body": (0.3, 0.5, 0.9),
            "b_title": (0.0, 0.25, 0.75),
            "title": (1.0, 3.0, 4.0),
            "heading": (0.5, 1.0, 3.0),
        }
        for name, values in moves.items():
            for value in values:
                changed = replace(article, **{name: value})
                found.append((f"article {name} {value}", RankingConfig(article=changed)))
        section = SectionScoring()
        moves = {"k1": (0.9, 1.5, 2.0), "b": (0.4, 0.6, 0.9), "title_b": (0.25, 0.75)}
        for name, values in moves.items():
            for value in values:
                changed = replace(section, **{name: value})
                found.append((f"section {name} {value}", RankingConfig(section=changed)))
    assert {f.name for f in fields(Parts)} == set(PARTS_OFF.values())  # every part switched
    return found


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
    sources = {
        "sections": CORPUS,
        "passages": passages_file(cache / "passages" / "passages.jsonl"),
        "untitled": passages_file(cache / "passages" / "untitled.jsonl", titles=False),
    }
    given = {"sections": args.index, "passages": args.passages}
    paths = {
        name: given.get(name) or build(cache / f"bench-ranking-{name}", source)
        for name, source in sources.items()
    }
    table = tags()
    print("MRR@10 nDCG@10 R@100 [section@1] per (collection, set)\n")
    print("| configuration | sections, questions | sections, dev | passages, questions "
          "| passages, dev | untitled, questions | untitled, dev |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    tag_lines = []
    with (
        Index.open(paths["sections"]) as sections,
        Index.open(paths["passages"]) as passages,
        Index.open(paths["untitled"]) as untitled,
    ):
        for label, config in configurations(args.sweep):
            reports = {
                "sections": run(sections, config, False),
                "passages": run(passages, config, True),
                "untitled": run(untitled, config, True),
            }
            print(line(label, reports), flush=True)
            tag_lines.append(tag_line(label, reports["sections"]["questions"], table))
        # The names from leads are chosen when an index is built.
        reports = {}
        for name, source in sources.items():
            path = build(cache / f"bench-ranking-{name}-no-names", source, lead_names=False)
            with Index.open(path) as index:
                reports[name] = run(index, RankingConfig(), name != "sections")
        print(line("names from leads off", reports), flush=True)
        tag_lines.append(tag_line("names from leads off", reports["sections"]["questions"], table))
        for field in FIELDS if args.fields else ():
            left_out = frozenset({field})
            reports = {
                "sections": run(sections, RankingConfig(), False, left_out),
                "passages": run(passages, RankingConfig(), True, left_out),
                "untitled": run(untitled, RankingConfig(), True, left_out),
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
