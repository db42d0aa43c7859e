"""Ranking articles: sections grouped by article, copies merged, and the
section each article is shown by.

Sections are ranked with BM25F over the title, heading and body fields (stem
and exact), reference sections discounted (:mod:`bnsearch.engine.scoring`).
Each article appears once, represented by its best section; two articles
with the same title whose best sections are near-identical (the same page
crawled twice) are shown as one. Ties are broken by article id, so the order
is deterministic.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.searching import Searcher

from ..analysis import normalize_label
from ..engine.collector import BestSectionPerArticle, Deadline
from .compile import QueryPlan

__all__ = ["Ranked", "prefer_sections_with_every_word", "rank"]

DUPLICATE_SIMILARITY = 0.9  # best sections at least this alike: one article


@dataclass
class Ranked:
    """An article in the ranking: its score, the stored fields of the section
    it is shown by, and the ids of its copies merged into it."""

    score: float
    docnum: int
    stored: dict
    duplicates: list[str] = field(default_factory=list)


def _word_terms(plan: QueryPlan) -> dict[tuple[str, bytes], int]:
    """Each term of a plain-words query, with the bit mask of the words it
    matches (in any field); empty for other queries or a single word."""
    if not plan.plain_words or len(plan.words) < 2:
        return {}
    terms: dict[tuple[str, bytes], int] = {}
    for number, (_, exact, stem) in enumerate(plan.words):
        keys = [(f"{name}_exact", exact) for name in ("title", "heading", "body")]
        if plan.stemming and stem:
            keys += [(name, stem) for name in ("title", "heading", "body")]
        for name, text in keys:
            key = (name, text.encode("utf-8"))
            terms[key] = terms.get(key, 0) | 1 << number
    return terms


def _same_text(a: dict, b: dict) -> bool:
    """Near-identical best sections: with the same title, the same page twice."""
    matcher = difflib.SequenceMatcher(None, a["text"], b["text"], autojunk=False)
    return matcher.real_quick_ratio() >= DUPLICATE_SIMILARITY and (
        matcher.quick_ratio() >= DUPLICATE_SIMILARITY
    )


def _without_excluded_articles(searcher: Searcher, plan: QueryPlan, ids) -> wq.Query:
    """The plan's query without any section of an article that a top-level
    -word excludes. (In the query, not as a search mask: Whoosh 2.7.4 stops
    collapsing by article when a mask is given.)"""
    if plan.excluded is None:
        return plan.query
    articles = sorted({ids[docnum] for docnum in searcher.docs_for_query(plan.excluded)})
    if not articles:
        return plan.query
    excluded = wq.Or([wq.Term("article_id", article) for article in articles])
    return wq.And([plan.query, wq.Not(excluded)])


def rank(
    searcher: Searcher, plan: QueryPlan, ids, count: int, deadline: Deadline
) -> tuple[list[Ranked], BestSectionPerArticle]:
    """The best ``count`` articles, best first, ties broken by article id; and
    the collector, which knows every match."""
    query = _without_excluded_articles(searcher, plan, ids)
    collector = BestSectionPerArticle(_word_terms(plan), deadline)
    # needs_current: Whoosh then builds unions whose parts stay positioned
    # (it preloads small ones into arrays otherwise, on segments of up to 5,000
    # sections), so coordination bonuses and the every-word check see every term.
    searcher.search_with_collector(query, collector, searcher.context(needs_current=True))
    kept: list[Ranked] = []
    by_title: dict[str, list[Ranked]] = {}  # only hits with the same title can be copies
    for score, docnum in collector.top(count):
        stored = searcher.stored_fields(docnum)
        same_title = by_title.setdefault(normalize_label(stored["title"]), [])
        original = next((k for k in same_title if _same_text(k.stored, stored)), None)
        if original is not None:
            original.duplicates.append(stored["article_id"])
        else:
            entry = Ranked(score, docnum, stored)
            kept.append(entry)
            same_title.append(entry)
    return kept, collector


def prefer_sections_with_every_word(
    searcher: Searcher,
    plan: QueryPlan,
    strict: Callable[[], QueryPlan],
    ranked: list[Ranked],
    matches: BestSectionPerArticle,
) -> None:
    """Show each ranked article by its best-ranked section that matches every
    word of the query (the query's AND form), when it has one: the article's
    rank and score stay, its section may change.

    Which sections have every word is known two ways, by the kind of query.
    For plain words the ranking recorded it, match by match, from the term
    matchers (no second search). Phrases, prefixes and OR groups cannot be
    read off term matchers (a phrase's words may all be there, apart), so
    the AND form (``strict()``) is searched within the ranked articles.
    """
    if plan.plain_words and not matches.word_terms:
        return  # one word (or none): every matching section has it
    if matches.word_terms:
        complete = None  # the ranking recorded it
    else:
        articles = wq.Or([wq.Term("article_id", entry.stored["article_id"]) for entry in ranked])
        complete = set(searcher.docs_for_query(wq.And([strict().query, articles])))
    for entry in ranked:
        article = entry.stored["article_id"]
        if complete is None:
            candidates = [d for _, d in matches.ranked_sections(article, complete=True)]
        else:
            candidates = [d for _, d in matches.ranked_sections(article) if d in complete]
        if candidates and candidates[0] != entry.docnum:
            entry.docnum, entry.stored = candidates[0], searcher.stored_fields(candidates[0])
