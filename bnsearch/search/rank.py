"""Ranking articles: two levels of evidence, copies merged, and the section
each article is shown by.

Design. The index holds one document per section. Sections are scored with
BM25F over the title, heading and body fields (stem and exact), reference
sections discounted (:mod:`bnsearch.engine.scoring`). An article's score is

   (section_level × (its best section's score)
  + article_level × (BM25F over the whole article))
  × (share of the query's idf weight that the article holds) ^ coverage

where the article-level BM25F (Robertson and Zaragoza's form: each word's
frequencies weighted and length-normalized field by field, then saturated
once) counts the title once, every heading and all the text; the collector
sums each word's frequencies over the article's matching sections, and the
article's field lengths come from a per-reader table. Scoring the best
section alone lost questions whose subject is in the title and lead and
whose detail is in a later section, and let a generic title repeated in
every section of a long article win by repetition; scoring the whole article
alone lost the keyword queries whose words meet in one section. For a
collection of single passages both levels read the same text, and the sum
is a passage BM25. docs/ranking.md states the model and the figures that
chose each part.

How the matches are found. A query of words (the compiler's terms, OR,
AND and AND-MAYBE) is scored a posting list at a time on arrays
(:mod:`bnsearch.engine.arrays`): every section the selecting words match,
its BM25F score, its article's evidence, with the common words read only in
the blocks that can hold such a section. On the 1 GB collection of
bench/scale.py that took a question's search from 228 to 12 ms at the
median, with the same matches and scores (tests/test_arrays.py). Phrases
run through Whoosh's matchers and :class:`BestSectionPerArticle`. Both give
every matching article, so totals are exact.

An article whose title is the query (its content words) comes first, its
score raised by the best score found (so scores fall with the rank). Each
article appears once; two articles with the same title whose best sections
are near-identical (the same page crawled twice) are shown as one. Ties are
broken by article id, so the order is deterministic.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from ..analysis import analyze, is_interrogative, normalize_label
from ..engine.arrays import ArrayMatches, holding_any, match_arrays, supports
from ..engine.collector import (
    BestSectionPerArticle,
    Deadline,
    excluding,
    with_index_coordination,
)
from ..engine.context import SearcherContext
from ..engine.evidence import ArticleEvidence, document_table
from ..engine.scoring import ARTICLE_FIELDS, ArticleParameters, article_bm25f, sections_holding
from ..ingest.names import lead_names
from .compile import Parts, QueryPlan, Weights
from .variants import spelled_alike

DEFAULT_PARTS = Parts()

__all__ = [
    "SECTION_RULES",
    "ArticleFeatures",
    "HitFeatures",
    "Ranked",
    "SectionChoice",
    "article_features",
    "choose_sections",
    "explain",
    "rank",
    "score_articles",
    "subject_held",
    "subject_in_title",
    "subject_words",
    "word_coverage",
]

# What the ranking knows about a query's matches, however it was searched.
Matches = ArrayMatches | BestSectionPerArticle


@dataclass
class Ranked:
    """An article in the ranking: its score, the section it is shown by, and
    the ids of its copies merged into it."""

    score: float
    docnum: int
    article_id: str
    title: str
    searcher: Searcher = field(repr=False)
    duplicates: list[str] = field(default_factory=list)
    titled: bool = False  # its title is the query: shown by its lead
    # What the score is made of (see score_articles), and the rule that
    # chose the section.
    features: HitFeatures = field(default_factory=lambda: HitFeatures())
    rule: str = "best-scored section"
    _stored: tuple[int, dict] | None = field(default=None, repr=False)

    @property
    def stored(self) -> dict:
        """The stored fields of the section it is shown by, read when first
        asked for: of the articles ranked, only a page's are shown."""
        if self._stored is None or self._stored[0] != self.docnum:
            self._stored = (self.docnum, self.searcher.stored_fields(self.docnum))
        return self._stored[1]


def _word_terms(plan: QueryPlan) -> dict[tuple[str, bytes], int]:
    """Each term of a plain-words query, with the bit mask of the words it
    matches (in any field); empty for other queries or a single word."""
    if not plan.plain_words or len(plan.words) < 2:
        return {}
    terms: dict[tuple[str, bytes], int] = {}
    for number, (typed, exact, stem) in enumerate(plan.words):
        forms = [(exact, stem), *plan.spellings.get(typed, ())]  # close spellings count too
        keys = [(f"{name}_exact", e) for name in ARTICLE_FIELDS for e, _ in forms]
        if plan.stemming and stem:
            keys += [(name, s) for name in ARTICLE_FIELDS for _, s in forms]
        for name, text in keys:
            key = (name, text.encode("utf-8"))
            terms[key] = terms.get(key, 0) | 1 << number
    return terms


def _same_text(a: dict, b: dict, similarity: float) -> bool:
    """Near-identical best sections: with the same title, the same page
    twice. The measure is difflib's ``quick_ratio`` (the share of characters
    the two texts have in common, counted as multisets), computed with
    Counters: difflib's own loop took 40% of a search on a collection with
    many same-titled pages."""
    first, second = a["text"], b["text"]
    size = len(first) + len(second)
    if not size:
        return True
    if 2.0 * min(len(first), len(second)) / size < similarity:
        return False  # difflib's real_quick_ratio: the lengths alone
    common = _characters(first) & _characters(second)
    return 2.0 * sum(common.values()) / size >= similarity


@lru_cache(maxsize=64)
def _characters(text: str) -> Counter:
    return Counter(text)


def _without_excluded_articles(searcher: Searcher, plan: QueryPlan, ids) -> wq.Query:
    """The plan's query without any section of an article that a top-level
    -word excludes. (In the query, not as a search mask: Whoosh 2.7.4 stops
    collapsing by article when a mask is given.)"""
    articles = _excluded_articles(searcher, plan, ids)
    if not articles:
        return plan.query
    excluded = wq.Or([wq.Term("article_id", article) for article in articles])
    return excluding(plan.query, excluded)


def _article_terms(plan: QueryPlan, variant: float) -> dict[tuple[str, bytes], tuple[int, float]]:
    """Each term of the query's words with its slot in an article's evidence
    (three per word: title, headings, text) and the factor its frequency
    counts with: the stem's (the exact form's without stemming, or for a
    stopword searched as itself), a close spelling's at ``variant``.

    (Exact forms on top of stems, weighted 0.5 as in the section query, left
    every figure of bench/ranking.py as it was or 0.003 lower, and doubled
    the term matchers read for every match.)"""
    terms: dict[tuple[str, bytes], tuple[int, float]] = {}
    for number, (typed, exact_term, stem) in enumerate(plan.words):
        at = 3 * number
        stemmed = plan.stemming and bool(stem)
        forms = [(exact_term, stem, 1.0)]
        forms += [(e, s, variant) for e, s in plan.spellings.get(typed, ())]
        for form_exact, form_stem, weight in forms:
            for offset, name in enumerate(ARTICLE_FIELDS):
                key = (name, form_stem) if stemmed else (f"{name}_exact", form_exact)
                terms[(key[0], key[1].encode("utf-8"))] = (at + offset, weight)
    return terms


def _idfs(searcher: Searcher, plan: QueryPlan) -> list[float]:
    """Each query word's BM25 idf, from the sections that hold it (in any
    field): how rare it is, on the same scale as the section scores."""
    count = searcher.doc_count()
    idfs = []
    for _, exact_term, stem in plan.words:
        if plan.stemming and stem:
            held = sections_holding(searcher, stem)
        else:
            held = sections_holding(searcher, exact_term, "_exact")
        frequency = min(count, held)
        idfs.append(math.log(1 + (count - frequency + 0.5) / (frequency + 0.5)))
    return idfs


@dataclass(frozen=True)
class ArticleFeatures:
    """The features of the article score, one value per matching article (a
    row of :class:`bnsearch.engine.evidence.ArticleEvidence`): its best
    section's BM25F score, BM25F over the whole article, and the word
    coverage factor; the last two None when not computed (article_level 0,
    or no word frequencies recorded)."""

    best_section: np.ndarray
    article_bm25f: np.ndarray | None = None
    coverage: np.ndarray | None = None
    subject: np.ndarray | None = None


@dataclass(frozen=True)
class HitFeatures:
    """One ranked article's features (see ArticleFeatures), and the lift a
    title that is the query adds to its score."""

    best_section: float = 0.0
    article_bm25f: float = 0.0
    coverage: float = 1.0
    subject: float = 1.0
    title_lift: float = 0.0


def article_features(
    evidence: ArticleEvidence,
    idfs: list[float],
    weights: Weights,
    parameters: ArticleParameters,
    subjects: Iterable[int] = (),
) -> ArticleFeatures:
    """The features of every matching article, from either path's evidence;
    the whole-article features only with ``idfs`` (article evidence asked for).
    ``subjects``: the numbers of the query's words that name its subject."""
    if not idfs or not evidence.recorded:
        return ArticleFeatures(evidence.best)
    frequencies = evidence.frequencies
    bm25f = article_bm25f(evidence.lengths, evidence.table.means, frequencies, idfs, parameters)
    return ArticleFeatures(
        evidence.best,
        bm25f,
        word_coverage(frequencies, idfs, weights.coverage),
        subject_held(frequencies, len(idfs), list(subjects), weights.subject_absent),
    )


def score_articles(features: ArticleFeatures, weights: Weights) -> np.ndarray:
    """The article score, for either match path: (section_level × its best
    section's score + article_level × BM25F over the whole article) × its
    word coverage factor × the subject factor (docs/ranking.md)."""
    scores = weights.section_level * features.best_section
    if features.article_bm25f is not None:
        scores = scores + weights.article_level * features.article_bm25f
    for factor in (features.coverage, features.subject):
        if factor is not None:
            scores = scores * factor
    return scores


def explain(
    entry: Ranked,
    weights: Weights,
    names: list[str] | None = None,
    exonyms: list[tuple[str, str]] | None = None,
) -> dict:
    """What a hit's score is made of, as contributions that sum to it, and
    why its section was chosen; ``names``: the names its lead gives that
    the query named, searched as its title (names_named); ``exonyms``: the
    (typed word, Bengali name) pairs whose name the hit's section holds
    (exonyms_held)."""
    f = entry.features
    factor = f.coverage * f.subject
    contributions = {
        "best section (BM25F)": weights.section_level * f.best_section * factor,
        "whole article (BM25F)": weights.article_level * f.article_bm25f * factor,
        "title is the query": f.title_lift,
    }
    return {
        "score": entry.score,
        "contributions": {name: round(value, 6) for name, value in contributions.items()},
        "features": {
            "best section BM25F": round(f.best_section, 6),
            "article BM25F": round(f.article_bm25f, 6),
            "word coverage factor": round(f.coverage, 6),
            "genitive subject factor": round(f.subject, 6),
            "section_level": weights.section_level,
            "article_level": weights.article_level,
        },
        "section rule": entry.rule,
        "title names": names or [],
        "Bengali names": [list(pair) for pair in exonyms or []],
    }


def exonyms_held(
    context: SearcherContext, searcher: Searcher, docnum: int, plan: QueryPlan
) -> list[tuple[str, str]]:
    """The (typed word, Bengali name) pairs of the query's English names
    of countries and languages (চায়নার: চীন) whose Bengali name section
    ``docnum`` holds, in its title, heading or text."""
    held = []
    for typed, found in plan.exonyms.items():
        for exact, stem in found:
            terms = [(name, stem) for name in ARTICLE_FIELDS]
            if holding_any(context, searcher, terms, [docnum]):
                held.append((typed, exact))
    return held


def names_named(
    context: SearcherContext, searcher: Searcher, docnum: int, plan: QueryPlan
) -> list[str]:
    """The names the lead of section ``docnum``'s article gives its subject
    (bnsearch.ingest.names) that the query names, when the index searched
    them with the title: its title field is then longer than the title."""
    stems = {stem for _, _, stem in plan.words if stem}
    return [name for name in _names(context, searcher, docnum) if _terms(name) & stems]


def rank(
    context: SearcherContext,
    searcher: Searcher,
    plan: QueryPlan,
    ids,
    count: int,
    deadline: Deadline,
    weights: Weights,
    article: ArticleParameters,
    skip_blocks: bool = True,
    *,
    arrays: bool = True,
) -> tuple[list[Ranked], Matches]:
    """The best ``count`` articles, best first, ties broken by article id; and
    the matches, which know every matching section.

    An article's score joins two kinds of evidence: its best section's BM25F
    score (``weights.section_level``), and BM25F over the whole article —
    title once, every heading, all the text (``weights.article_level``) —
    from the frequencies of the query's words summed over its sections
    (:func:`score_articles`; docs/ranking.md). Word queries are matched on
    arrays, others (phrases) by Whoosh's matchers (all, with ``arrays``
    False); both hand the same :class:`ArticleEvidence` to the scoring.
    """
    article_terms = _article_terms(plan, weights.variant) if weights.article_level else {}
    word_terms = _word_terms(plan)
    slots = 3 * len(plan.words)
    matches: Matches
    if arrays and supports(plan.query):
        matches = match_arrays(
            context,
            searcher,
            plan.query,
            word_terms,
            article_terms,
            slots if article_terms else 0,
            _excluded_articles(searcher, plan, ids),
            deadline.check,
            skip_blocks,
        )
    else:
        matches = BestSectionPerArticle(context, word_terms, deadline, article_terms, slots=slots)
        # needs_current: Whoosh then builds unions whose parts stay positioned
        # (it preloads small ones into arrays otherwise, on segments of up to
        # 5,000 sections), so coordination bonuses and the every-word check
        # see every term.
        query = _without_excluded_articles(searcher, plan, ids)
        query = with_index_coordination(query, searcher.reader())
        searcher.search_with_collector(query, matches, searcher.context(needs_current=True))
    evidence = matches.article_evidence()
    idfs = _idfs(searcher, plan) if article_terms else []
    features = article_features(evidence, idfs, weights, article, subject_words(plan))
    order = evidence.top(score_articles(features, weights), count + _TITLE_WINDOW)
    rows = evidence.rows() if order else {}

    def features_of(name: str, lift: float) -> HitFeatures:
        row = rows[name]
        return HitFeatures(
            float(features.best_section[row]),
            float(features.article_bm25f[row]) if features.article_bm25f is not None else 0.0,
            float(features.coverage[row]) if features.coverage is not None else 1.0,
            float(features.subject[row]) if features.subject is not None else 1.0,
            lift,
        )

    titles = context.column(searcher.reader(), "title")
    titled = _titled(plan, matches, order, titles, lambda d: _names(context, searcher, d))
    # An article whose title is the query comes first (কাতার → কাতার): its
    # score is raised by the best score found, so that scores fall with the
    # rank in every output (trec_eval and ir-measures order a run by score).
    # (No setting: no query of the relevance sets is a bare title, so
    # without it none changed; a reader who types a name expects its page.)
    lift = max((score for _, score in order), default=0.0) if titled else 0.0
    if titled and order:
        order = [(name, score + lift if name in titled else score) for name, score in order]
        order.sort(key=lambda item: (-round(item[1], 6), item[0]))
    kept: list[Ranked] = []
    by_title: dict[str, list[Ranked]] = {}  # only hits with the same title can be copies
    for name, score in order[:count]:
        docnum = matches.best_docnum(name)
        entry = Ranked(
            round(score, 6),
            docnum,
            name,
            titles[docnum],
            searcher,
            titled=name in titled,
            features=features_of(name, lift if name in titled else 0.0),
        )
        same_title = by_title.setdefault(normalize_label(entry.title), [])
        similar = weights.duplicate_similarity
        original = next(
            (k for k in same_title if _same_text(k.stored, entry.stored, similar)), None
        )
        if original is not None:
            original.duplicates.append(name)
        else:
            kept.append(entry)
            same_title.append(entry)
    return kept, matches


def word_coverage(evidence: np.ndarray, idfs: list[float], power: float) -> np.ndarray:
    """Per article (a row of ``evidence``, three slots per query word: its
    frequencies in the title, headings and text), the share of the query's
    word weight — the idfs of the words any of these articles holds — that
    the article holds, to ``power``; 1 for all with fewer than two words or
    ``power`` 0 (see Weights.coverage)."""
    words = len(idfs)
    ones = np.ones(len(evidence))
    if not power or words < 2 or evidence.ndim != 2 or evidence.shape[1] < 3 * words:
        return ones
    held = evidence[:, : 3 * words].reshape(len(evidence), words, 3).max(axis=2) > 0
    weight = np.asarray(idfs) * held.any(axis=0)  # words no article holds count for none
    total = weight.sum()
    if total <= 0:
        return ones
    return ((held @ weight) / total) ** power


def subject_words(plan: QueryPlan) -> list[int]:
    """The numbers of the words that name the question's subject: its first
    word searched, when in the genitive (বাংলাদেশের in বাংলাদেশের রাজধানী
    কোথায়). A Bengali question opens with its topic; a genitive later on
    mostly qualifies the next noun (মেয়েদের in ২০১০ এশিয়ান গেমসে মেয়েদের
    কাবাডিতে সোনা জিতেছিল কোন দেশ, whose answer says মহিলা), and requiring
    it lost that question (docs/ranking.md)."""
    if plan.plain_words and plan.words and plan.words[0][0] in plan.genitives:
        return [0]
    return []


def subject_held(
    evidence: np.ndarray, words: int, subjects: list[int], absent: float
) -> np.ndarray:
    """Per article (a row of ``evidence``, three slots per query word), the
    subject factor: ``absent`` for an article that holds none of the
    question's subject words (বাংলাদেশ in বাংলাদেশের রাজধানী কোথায়) in any
    field, while another article holds one; else 1.
    "X-এর Y" asks about X: a page on Y in general (the stub রাজধানী) does not
    answer it, however well its title and short text match Y."""
    ones = np.ones(len(evidence))
    if absent >= 1 or not subjects or evidence.ndim != 2 or evidence.shape[1] < 3 * words:
        return ones
    held = evidence[:, : 3 * words].reshape(len(evidence), words, 3).max(axis=2) > 0
    holds_subject = held[:, subjects].any(axis=1)
    if not holds_subject.any():
        return ones
    return np.where(holds_subject, 1.0, absent)


def _excluded_articles(searcher: Searcher, plan: QueryPlan, ids) -> list[str]:
    """The articles a top-level -word excludes."""
    if plan.excluded is None:
        return []
    return sorted({ids[docnum] for docnum in searcher.docs_for_query(plan.excluded)})


def _headed(c: _Candidates, title: str, docnums: list[int], parts: Parts) -> list[int]:
    """The sections whose heading names a query word that the article's
    subject does not (also as the start of a compound: নিয়মকানুন for নিয়ম),
    best first. The subject is named by the title (also with two adjacent
    words written as one: বীরশ্রেষ্ঠ for বীর শ্রেষ্ঠ) and by the lead's defining
    sentence, which says what the article is about (র‍্যাব in র‍্যাপিড অ্যাকশন
    ব্যাটালিয়নের; দাবা "একটি খেলা"): a question asks about its
    subject by such a word, and a heading that merely names it (র‍্যাব
    ব্যাটালিয়নসমূহ) is no better an answer than any other section. A word
    that begins a compound of the subject is the subject's too (বৌদ্ধ in
    বাংলাদেশে বৌদ্ধধর্ম): every section is about it."""
    if not parts.heading_rule:
        return []
    named = _terms(title) | (_joined_title(title) if parts.titles_written_apart else frozenset())
    found = _naming(c, named, docnums)
    if found and parts.lead_subject:  # the lead is read only then
        subject = _lead_subject(c.context, c.searcher, docnums[0])
        if subject:
            found = _naming(c, named | subject, found)
    return found


@lru_cache(maxsize=1 << 12)
def _joined_title(title: str) -> frozenset[str]:
    """The stem terms of a title's adjacent words written as one (বীর শ্রেষ্ঠ:
    বীরশ্রেষ্ঠ): Bengali writes compounds either way (see compile.join_words),
    and a question may write solid the name its title writes apart."""
    words = title.split()
    return frozenset().union(*(_terms(a + b) for a, b in itertools.pairwise(words)))


def _naming(c: _Candidates, subject: frozenset[str], docnums: list[int]) -> list[int]:
    """Those of ``docnums`` whose heading names a query word that the
    ``subject`` terms do not."""
    plan = c.plan
    wanted = {
        stem
        for typed, _, word_stem in plan.words
        for stem in (word_stem, *(s for _, s in plan.related.get(typed, ())))
        if len(stem or "") >= 3 and not any(term.startswith(stem) for term in subject)
    }
    if not wanted:
        return []
    headings = c.context.column(c.searcher.reader(), "heading")
    found = []
    for docnum in docnums:
        heading = headings[docnum]
        terms = _terms(heading) if heading else frozenset()
        if any(term.startswith(stem) for term in terms for stem in wanted):
            found.append(docnum)
    return found


# Where a sentence ends (a full stop only before a space: not in 23.5 or
# U.S.A), and how far into a lead the defining sentence is looked for.
_SENTENCE_END = re.compile(r"[।?!\n]|\.(?=\s)")
_DEFINING_WITHIN = 600


def _defining_sentence(text: str, title: frozenset[str]) -> frozenset[str]:
    """The stem terms of a lead's defining sentence: its first sentence that
    names a word of the ``title`` (র‍্যাপিড অ্যাকশন ব্যাটালিয়ন বা র‍্যাব …), else
    its first. A lead may begin with something else: coordinates
    (স্থানাঙ্ক: …) or a maintenance notice (এই নিবন্ধটিতে কোনো উৎস বা
    তথ্যসূত্র উদ্ধৃত করা হয়নি …), as 581 of the shared corpus's 1,934
    articles do. (It is no setting: where the relevance sets' questions
    meet the heading rule, the first sentence defines, so taking the first
    changed none.)"""
    sentences = [part for part in _SENTENCE_END.split(text[:_DEFINING_WITHIN]) if part.strip()]
    for sentence in sentences:
        terms = _terms(sentence)
        if terms & title:
            return terms
    return _terms(sentences[0]) if sentences else frozenset()


def _lead_subject(context: SearcherContext, searcher: Searcher, docnum: int) -> frozenset[str]:
    """The stem terms of the defining sentence of the lead of the article
    that section ``docnum`` belongs to (empty when there is none), kept by
    the searcher's context: reading a lead's stored text was half of
    choosing the sections."""
    lead = _lead_docnum(context, searcher.reader(), docnum)
    if lead is None:
        return frozenset()

    def read() -> frozenset[str]:
        stored = searcher.stored_fields(lead)
        title = _terms(stored.get("title") or "")
        return _defining_sentence(stored.get("text") or "", title)

    return context.lead_subject(lead, read)


def _lead_docnum(context: SearcherContext, reader: IndexReader, docnum: int) -> int | None:
    """The lead of the article that section ``docnum`` belongs to. An
    article's sections are consecutive documents of one segment, its lead
    (ordinal 0, always written) first."""
    table = document_table(context, reader)
    ordinals, articles = table.ordinals, table.article_of
    article = articles[docnum]
    while docnum > 0 and ordinals[docnum] != 0 and articles[docnum - 1] == article:
        docnum -= 1
    return int(docnum) if ordinals[docnum] == 0 and articles[docnum] == article else None


@lru_cache(maxsize=1 << 12)
def _title_length(title: str) -> int:
    """How many terms the title field holds for ``title`` alone (more
    when it holds names from the lead too)."""
    return sum(1 for t in analyze(title, "stem") if t.term)


@lru_cache(maxsize=1 << 12)
def _terms(text: str) -> frozenset[str]:
    """The stem terms of a title or heading (headings repeat: ইতিহাস, ভূগোল)."""
    return frozenset(t.term for t in analyze(text, "stem") if t.term)


# Articles beyond the page that are looked at for a title that is the query.
_TITLE_WINDOW = 20


def _titled(
    plan: QueryPlan,
    matches: Matches,
    order: list[tuple[str, float]],
    titles,
    names: Callable[[int], tuple[str, ...]],
) -> set[str]:
    """The articles of ``order`` whose title, or a name its lead gives
    (``names`` of a section's article), is the query. Only those whose title
    fields matched every query word (the evidence says so) are read."""
    if not plan.words:
        return set()
    query = _title_key(" ".join(typed for typed, _, _ in plan.words))
    words = len(plan.words)
    found = set()
    for name, _ in order:
        if not matches.title_has_every_word(name, words):
            continue
        docnum = matches.best_docnum(name)
        if _title_key(titles[docnum]) == query or any(
            _title_key(other) == query for other in names(docnum)
        ):
            found.add(name)
    return found


def _names(context: SearcherContext, searcher: Searcher, docnum: int) -> tuple[str, ...]:
    """The names the lead of section ``docnum``'s article gives its subject
    (bnsearch.ingest.names) when the index searched them with its title:
    its title field is then longer than the title (read from the column),
    and only then is the lead's stored text read, once per searcher (the
    title lift, the subject's lead and --explain all ask)."""
    reader = searcher.reader()
    title = context.column(reader, "title")[docnum]
    if reader.doc_field_length(docnum, "title", 0) <= _title_length(title):
        return ()
    lead = _lead_docnum(context, reader, docnum)
    if lead is None:
        return ()
    return context.lead_names(
        lead, lambda: lead_names(title, searcher.stored_fields(lead).get("text") or "")
    )


def _title_key(text: str) -> frozenset[str] | None:
    """The stems of a title's (or query's) content words; None when it has none."""
    stems = frozenset(term for term in _terms(text) if not is_interrogative(term))
    return stems or None


def _with_text(context: SearcherContext, searcher: Searcher, docnums: list[int]) -> list[int]:
    """Those of ``docnums`` that have text, or all when none has. A heading
    with no text of its own (its text lost with a table, or all in its
    subsections) shows nothing: not while a section with text matches."""
    has_text = document_table(context, searcher.reader()).has_text
    return [d for d in docnums if has_text[d]] or docnums


def _outside_references(
    context: SearcherContext, searcher: Searcher, docnums: list[int]
) -> list[int]:
    """Those of ``docnums`` that are not reference or link-list sections
    (তথ্যসূত্র, পাদটীকা, বহিঃসংযোগ, আরও দেখুন), or all when all are: a
    footnote that names the query's words does not answer it while a
    section of the article's own text matches."""
    is_reference = document_table(context, searcher.reader()).is_reference
    return [d for d in docnums if not is_reference[d]] or docnums


@dataclass(frozen=True)
class SectionChoice:
    """The section an article is shown by, and the rule that chose it."""

    docnum: int
    rule: str


@dataclass
class _Candidates:
    """What the section rules read for one article: its matching sections,
    best-scored first, and what the query's words are known to be held by."""

    context: SearcherContext
    searcher: Searcher
    plan: QueryPlan
    parts: Parts
    matches: Matches
    entry: Ranked
    ordered: list[int]
    idfs: list[float]
    related: dict[int, int]
    complete: set[int] | None


def _by_title(c: _Candidates) -> list[int]:
    """The query names the article (its title is the query, or holds every
    word of it: রবীন্দ্রনাথ for রবীন্দ্রনাথ ঠাকুর): its lead introduces it. (No
    setting: no question of the relevance sets is a bare name, so it
    changes none; it mends what a reader of a name sees first.)"""
    if not c.entry.titled:
        words = len(c.plan.words)
        named = c.plan.plain_words and words > 0
        if not named or not c.matches.title_has_every_word(c.entry.article_id, words):
            return []
    return sorted(c.ordered, key=lambda d: c.matches.ordinal(d) != 0)


def _by_heading(c: _Candidates) -> list[int]:
    return _headed(c, c.entry.title, c.ordered, c.parts)


def _by_subject_lead(c: _Candidates) -> list[int]:
    """A question about a subject named in the genitive (জাপানের রাজধানী
    কোথায়), in the subject's article (its title, or a name its lead gives,
    names the subject): the lead, when it holds every other word of the
    question. A lead states what is most asked of its subject: capital,
    population, founding, currency."""
    if not c.parts.subject_lead or not c.idfs or not c.plan.genitives:
        return []
    names = _names(c.context, c.searcher, c.entry.docnum)
    named = subject_in_title(c.plan, "\n".join((c.entry.title, *names)))
    if not named:
        return []
    every = (1 << len(c.plan.words)) - 1
    words = c.matches.section_words(c.entry.article_id)
    for docnum in c.ordered:
        if c.matches.ordinal(docnum) == 0:
            return [docnum] if words.get(docnum, 0) | named == every else []
    return []


def subject_in_title(plan: QueryPlan, title: str) -> int:
    """The bit mask of the query's words in the genitive that name ``title``
    (the subject's article): a title term starts with the word's stem
    (জাপান of জাপানের), or is the same word spelled otherwise (লাটভিয়া,
    title লাতভিয়া). 0 for a question with no genitive."""
    if not plan.genitives:
        return 0
    terms = _terms(title)
    mask = 0
    for number, (typed, _, stem) in enumerate(plan.words):
        if typed in plan.genitives and stem:
            if any(term.startswith(stem) or spelled_alike(stem, term) for term in terms):
                mask |= 1 << number
    return mask


def _by_words_held(c: _Candidates) -> list[int]:
    if not c.idfs:
        return [d for d in c.ordered if c.complete is None or d in c.complete]
    words = c.matches.section_words(c.entry.article_id)
    everywhere = _in_joined_title(c.plan, c.entry.title, c.parts)
    if c.related or everywhere:
        words = {d: mask | everywhere | c.related.get(d, 0) for d, mask in words.items()}
    if c.parts.most_word_weight:
        return _holding_most(c.idfs, words, c.ordered)
    return _holding_every(c.idfs, words, c.ordered)


# The section rules, in order: the first that names sections chooses the
# best-scored of them (docs/ranking.md); the last resort is the best-scored
# section of all.
SECTION_RULES: tuple[tuple[str, Callable[[_Candidates], list[int]]], ...] = (
    ("title is the query: its lead", _by_title),
    ("heading names a query word the subject lacks", _by_heading),
    ("the genitive subject's article: its lead holds the question", _by_subject_lead),
    ("holds the query's words", _by_words_held),
)


def choose_sections(
    context: SearcherContext,
    searcher: Searcher,
    plan: QueryPlan,
    strict: Callable[[], QueryPlan],
    ranked: list[Ranked],
    matches: Matches,
    parts: Parts = DEFAULT_PARTS,
) -> dict[str, SectionChoice]:
    """The section each ranked article is shown by (article id → choice):
    the first of SECTION_RULES that names sections decides; sections
    without text are not shown while one with text matches. The article's
    rank and score are not the rules' to change.

    Which words a section holds is known two ways, by the kind of query.
    For plain words the ranking recorded it, match by match, from the term
    matchers (no second search). Phrases, prefixes and OR groups cannot be
    read off term matchers (a phrase's words may all be there, apart), so
    the AND form (``strict()``) is searched within the ranked articles, and
    a section holds every word or is not told apart.
    """
    idfs: list[float] = []
    related: dict[int, int] = {}
    complete: set[int] | None = None
    if matches.knows_words:
        idfs = _idfs(searcher, plan)
        if plan.related:
            sections = (d for e in ranked for _, d in matches.ranked_sections(e.article_id))
            related = _holding_related(context, plan, searcher, sections)
    elif not plan.plain_words:
        articles = wq.Or([wq.Term("article_id", entry.article_id) for entry in ranked])
        complete = set(searcher.docs_for_query(wq.And([strict().query, articles])))
    choices = {}
    for entry in ranked:
        ordered = [d for _, d in matches.ranked_sections(entry.article_id)]
        if parts.skip_headings_without_text:
            ordered = _with_text(context, searcher, ordered)
        if parts.skip_reference_sections:
            ordered = _outside_references(context, searcher, ordered)
        candidates = _Candidates(
            context, searcher, plan, parts, matches, entry, ordered, idfs, related, complete
        )
        choice = SectionChoice(entry.docnum, "best-scored section")
        for rule, sections in SECTION_RULES:
            found = sections(candidates)
            if found:
                if rule == "holds the query's words":
                    rule = (
                        "holds the most of the query's word weight" if idfs else "holds every word"
                    )
                choice = SectionChoice(found[0], rule)
                break
        else:
            if ordered:
                choice = SectionChoice(ordered[0], "best-scored section")
        choices[entry.article_id] = choice
    return choices


def _in_joined_title(plan: QueryPlan, title: str, parts: Parts = DEFAULT_PARTS) -> int:
    """The bit mask of the query words that are two adjacent words of
    ``title`` written as one: every section holds them, as it holds its
    title (বীরশ্রেষ্ঠ, in every section of বীর শ্রেষ্ঠ)."""
    if not parts.titles_written_apart:
        return 0
    joined = _joined_title(title)
    mask = 0
    for number, (_, _, stem) in enumerate(plan.words):
        if stem and stem in joined:
            mask |= 1 << number
    return mask


def _holding_related(
    context: SearcherContext, plan: QueryPlan, searcher: Searcher, docnums: Iterable[int]
) -> dict[int, int]:
    """Those of ``docnums`` that hold a query word's related form (প্রতিষ্ঠা
    for প্রতিষ্ঠিত হয়; see QueryPlan.related), with the bit mask of those
    words. Only their posting blocks are read: on the 1 GB collection of
    bench/scale.py, reading a related form's whole posting list took a
    question from 4 to 11 ms."""
    found: dict[int, int] = {}
    docnums = list(docnums)
    for number, (typed, _, _) in enumerate(plan.words):
        forms = plan.related.get(typed, ())
        terms = [(name, stem) for _, stem in forms for name in ARTICLE_FIELDS]
        for docnum in holding_any(context, searcher, terms, docnums) if terms else ():
            found[docnum] = found.get(docnum, 0) | 1 << number
    return found


def _holding_every(idfs: list[float], words: dict[int, int], docnums: list[int]) -> list[int]:
    """Those of ``docnums`` that hold every query word (an ablation of
    _holding_most)."""
    every = (1 << len(idfs)) - 1
    return [d for d in docnums if words.get(d) == every]


def _holding_most(idfs: list[float], words: dict[int, int], docnums: list[int]) -> list[int]:
    """Those of ``docnums`` whose query words (``words``: a bit mask per
    section) carry the most idf weight, in their order: those with every
    word, when one has them all."""

    def weight(docnum: int) -> float:
        mask = words.get(docnum, 0)
        return round(sum(idf for number, idf in enumerate(idfs) if mask >> number & 1), 6)

    weights = [weight(d) for d in docnums]
    most = max(weights, default=0.0)
    return [d for d, w in zip(docnums, weights, strict=True) if w == most]
