"""Running a query: ranking sections, grouping them by article, snippets.

Sections are ranked with BM25F over the title, heading and body fields (stem
and exact), reference sections discounted. Each article appears once,
represented by its best section; two articles with the same title whose best
sections are near-identical (the same page crawled twice) are shown as one.
Ties are broken by article id, so the order is deterministic.
"""

from __future__ import annotations

import difflib
import heapq
import math
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.collectors import Collector
from whoosh.reading import IndexReader, SegmentReader
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.searching import Searcher
from whoosh.support.levenshtein import damerau_levenshtein
from whoosh.util.numeric import byte_to_length

from .analysis import normalize_label
from .errors import QueryError, QueryTooBroadError
from .query import MAX_EXPANSIONS, Filter, Group, QueryPlan, Weights, compile_query, parse
from .snippets import Snippet, make_snippet, match_spans

__all__ = [
    "DEFAULT_TIMEOUT",
    "DEFAULT_WEIGHTS",
    "Deadline",
    "Hit",
    "Results",
    "SectionHit",
    "SectionWeighting",
    "query_spans",
    "run_search",
]

_T = TypeVar("_T")
DEFAULT_WEIGHTS = Weights()  # see Weights for how they were chosen
REFERENCE_DISCOUNT = 0.3  # reference and link-list sections rank lower
DUPLICATE_SIMILARITY = 0.9  # best sections at least this alike: one article
# "Did you mean": a query word found in at most RARE_WORD sections gets a
# suggestion when a close index term (one edit, then two) is found in at
# least FREQUENT_FACTOR times as many.
RARE_WORD = 5
FREQUENT_FACTOR = 10
# Candidates share the word's first characters (a third of it, 2 to 4 code
# points). Whoosh 2.7's codec keeps no word graph, so the word would be
# compared with every term otherwise: 1.4-2.7 s a word on the shared corpus.


# Seconds a search may take before it ends with QueryTooBroadError. The
# slowest ordinary query on the shared corpus takes well under a second.
DEFAULT_TIMEOUT = 10.0
_CHECK_EVERY = 256  # matches collected between two looks at the clock


class Deadline:
    """The time a search must end by; ``check()`` raises QueryTooBroadError
    after it. ``seconds=None``: no limit."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.end = math.inf if seconds is None else time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise QueryTooBroadError(
                f"query too broad: the search took longer than {self.seconds:g} s; "
                "use rarer words, fewer words or longer prefixes"
            )


def _suggestion_prefix(word: str) -> int:
    return max(2, min(4, len(word) // 3))


# Per index reader: made once, read by every query. (Searchers are kept per
# thread, so nothing here is shared between threads.)
_PER_READER: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _per_reader(reader: IndexReader, key: object, make: Callable[[], _T]) -> _T:
    cache = _PER_READER.get(reader)
    if cache is None:
        cache = _PER_READER[reader] = {}
    found = cache.get(key)
    if found is None:
        found = cache[key] = make()
    return found


def _column(reader: IndexReader, name: str):
    """The reader's column ``name``: making one reads the column's whole
    offset table, a millisecond or two per segment on the shared corpus."""
    return _per_reader(reader, ("column", name), lambda: reader.column_reader(name))


def _reference_sections(reader: IndexReader) -> frozenset[int]:
    """The reader's reference sections: one read of a short posting list,
    rather than a column lookup for every match of every query."""

    def read() -> frozenset[int]:
        term = reader.schema["is_reference"].to_bytes(True)
        if ("is_reference", term) not in reader:
            return frozenset()
        return frozenset(reader.postings("is_reference", term).all_ids())

    return _per_reader(reader, "reference sections", read)


_REPLACE_EVERY = 16


class BestSectionPerArticle(Collector):
    """Every matching article with its best section: the highest score after
    the weighting's ``final()``, ties to the lower ordinal.

    Whoosh's CollapseCollector scores each section twice and picks an
    article's best section by the score before ``final()``, so a reference
    section could stand for its article with its discounted score.

    With ``word_terms`` (each query term's bit mask of the words it stands
    for), every match also records whether it matched all of those words.
    """

    def __init__(
        self,
        word_terms: dict[tuple[str, bytes], int] | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        self.word_terms = word_terms or {}
        self.deadline = deadline or Deadline(None)
        self.all_words = 0
        for mask in self.word_terms.values():
            self.all_words |= mask

    def prepare(self, top_searcher: Searcher, q: wq.Query, context) -> None:
        super().prepare(top_searcher, q, context)
        weighting = top_searcher.weighting
        self._final = weighting.final if weighting.use_final else None
        self._ordinals = _column(top_searcher.reader(), "ordinal")
        self.best: dict[str, tuple[float, int]] = {}  # article id → score, docnum
        # Every match, per article: score, docnum, whether it has every word.
        self.sections: dict[str, list[tuple[float, int, bool]]] = {}

    def collect_matches(self) -> None:
        matcher, offset, best, final = self.matcher, self.offset, self.best, self._final
        segment, ordinals, sections = self.subsearcher, self._ordinals, self.sections
        word_terms, all_words = self.word_terms, self.all_words
        ids = _column(segment.reader(), "article_id")
        leaves = _word_leaves(matcher, word_terms) if word_terms else []
        seen_docs = 0
        while matcher.is_active():
            # Now and then drop finished sub-matchers (as Whoosh's own
            # collectors do): a union keeps asking them otherwise.
            seen_docs += 1
            if seen_docs % _REPLACE_EVERY == 0:
                matcher = matcher.replace(0)
                if not matcher.is_active():
                    break
            if seen_docs % _CHECK_EVERY == 0:
                self.deadline.check()
            sub_docnum = matcher.id()
            score = matcher.score()
            if final is not None:  # the segment's own docnum: no lookup by offset
                score = final(segment, sub_docnum, score)
            docnum = offset + sub_docnum
            article = ids[sub_docnum]
            complete = bool(leaves) and _words_matched(sub_docnum, leaves) == all_words
            matched = sections.get(article)
            if matched is None:
                sections[article] = [(score, docnum, complete)]
            else:
                matched.append((score, docnum, complete))
            seen = best.get(article)
            if (
                seen is None
                or score > seen[0]
                or (score == seen[0] and ordinals[docnum] < ordinals[seen[1]])
            ):
                best[article] = (score, docnum)
            matcher.next()

    def collect(self, sub_docnum: int) -> None:  # collect_matches does the work
        raise NotImplementedError

    def sort_key(self, sub_docnum: int) -> None:
        raise NotImplementedError

    def ranked_sections(self, article: str, complete: bool = False) -> list[tuple[float, int]]:
        """The article's matching sections (score, docnum), best first, ties
        to the lower ordinal; with ``complete``, only those with every word."""
        ordinals = self._ordinals
        matched = [m for m in self.sections.get(article, ()) if m[2] or not complete]
        matched.sort(key=lambda m: (-m[0], ordinals[m[1]]))
        return [(score, docnum) for score, docnum, _ in matched]

    def top(self, count: int) -> list[tuple[float, int]]:
        """The best ``count`` articles' (score, docnum), best first; ties
        broken by article id. Scores are rounded to 6 decimals, so that sums
        added in another order still tie."""
        ranked = heapq.nsmallest(
            count, self.best.items(), key=lambda item: (-round(item[1][0], 6), item[0])
        )
        return [(round(score, 6), docnum) for _, (score, docnum) in ranked]


def _word_leaves(matcher, word_terms: dict[tuple[str, bytes], int]) -> list[tuple[object, int]]:
    """The matcher tree's term matchers, each with the bit mask of the words
    its term stands for. Found once per segment: ``replace()`` rebuilds the
    tree's inner nodes but keeps its term matchers."""
    leaves, stack = [], [matcher]
    while stack:
        node = stack.pop()
        term = node.term()
        if term is None:
            stack.extend(node.children())
        elif words := word_terms.get(term):
            leaves.append((node, words))
    return leaves


def _words_matched(docnum: int, leaves: list[tuple[object, int]]) -> int:
    """The bit mask of the words whose terms match document ``docnum``, the
    one the matcher tree is on (each term matcher stays at its next match)."""
    mask = 0
    for leaf, words in leaves:
        if leaf.is_active() and leaf.id() == docnum:
            mask |= words
    return mask


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


class SectionWeighting(BM25F):
    """BM25F, with reference sections' scores multiplied by a discount."""

    use_final = True

    def __init__(self, reference_discount: float = REFERENCE_DISCOUNT, **kwargs: float) -> None:
        super().__init__(**kwargs)
        self.reference_discount = reference_discount
        self._last: tuple[IndexReader | None, frozenset[int]] = (None, frozenset())

    def scorer(self, searcher: Searcher, fieldname: str, text: bytes, qf: int = 1):
        reader = searcher.reader()
        if not searcher.schema[fieldname].scorable or not isinstance(reader, SegmentReader):
            return super().scorer(searcher, fieldname, text, qf=qf)
        B = self._field_B.get(fieldname, self.B)
        return LengthTableScorer(searcher, fieldname, text, B, self.K1, qf=qf)

    def final(self, searcher: Searcher, docnum: int, score: float) -> float:
        reader, references = self._last  # one tuple: weightings may be shared by threads
        if reader is not searcher.reader():
            reader = searcher.reader()
            references = _reference_sections(reader)
            self._last = (reader, references)
        return score * self.reference_discount if docnum in references else score


class LengthTableScorer(BM25FScorer):
    """Whoosh's BM25F scorer, with the field's length byte of every section
    read once per segment and the length part of the formula computed once
    per length byte: Whoosh looks each length up in the column file, which
    was a tenth of the time of a query matching thousands of sections. The
    scores are the same, operation for operation."""

    def __init__(
        self, searcher: Searcher, fieldname: str, text: bytes, B: float, K1: float, qf: int = 1
    ) -> None:
        super().__init__(searcher, fieldname, text, B, K1, qf=qf)
        reader = searcher.reader()
        self._lengths = _length_bytes(reader, fieldname)
        key = ("length norms", fieldname, B, K1, self.avgfl)
        self._norms = _per_reader(reader, key, lambda: _length_norms(B, K1, self.avgfl))
        self._k1_plus_1 = K1 + 1

    def score(self, matcher) -> float:
        tf = matcher.weight()
        return self.idf * ((tf * self._k1_plus_1) / (tf + self._norms[self._lengths[matcher.id()]]))


def _length_bytes(reader: SegmentReader, fieldname: str) -> bytes:
    """One byte per section: its ``fieldname`` length as Whoosh stores it
    (0 where the field is empty, so no term of it can match there)."""

    def read() -> bytes:
        count = reader.doc_count_all()
        perdoc = reader._perdoc  # Whoosh 2.7.4's per-document reader (pinned)
        column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        raw = b"" if column is None else column._dbfile.get(column._basepos, column._count)
        return bytes(raw).ljust(count, b"\0")

    return _per_reader(reader, ("lengths", fieldname), read)


def _length_norms(B: float, K1: float, avgfl: float) -> list[float]:
    """BM25's ``K1 * ((1 - B) + B * fl / avgfl)`` for each length byte (byte
    0, never scored, as length 1, the default Whoosh's scorer asks for)."""
    return [K1 * ((1 - B) + B * (byte_to_length(b) if b else 1) / avgfl) for b in range(256)]


@dataclass
class SectionHit:
    """One matching section of an article."""

    section: str  # heading path; "" for the lead
    ordinal: int
    score: float
    snippet: str
    highlights: list[tuple[int, int]]
    text: str  # the whole section as written


@dataclass
class Hit:
    """One article in the results, represented by its best section."""

    rank: int
    id: str
    title: str
    section: str  # heading path of the best section; "" for the lead
    ordinal: int
    score: float
    snippet: str
    highlights: list[tuple[int, int]]  # [start, end) spans into snippet
    text: str  # the best section's whole text, as written
    sections: list[SectionHit] = field(default_factory=list)  # with sections=True
    duplicates: list[str] = field(default_factory=list)  # ids shown as this hit

    def to_dict(self) -> dict:
        data = {
            "rank": self.rank,
            "id": self.id,
            "title": self.title,
            "section": self.section,
            "score": round(self.score, 4),
            "snippet": self.snippet,
            "highlights": [list(span) for span in self.highlights],
        }
        if self.sections:
            data["sections"] = [
                {
                    "section": s.section,
                    "score": round(s.score, 4),
                    "snippet": s.snippet,
                    "highlights": [list(span) for span in s.highlights],
                }
                for s in self.sections
            ]
        if self.duplicates:
            data["duplicates"] = self.duplicates
        return data


@dataclass
class Results(Sequence[Hit]):
    """One page of hits, the number of matching articles and suggestions."""

    query: str
    total: int
    page: int
    limit: int
    hits: list[Hit]
    suggestions: dict[str, list[str]] = field(default_factory=dict)  # word → better words
    did_you_mean: str | None = None  # the query with the best suggestions
    notices: list[str] = field(default_factory=list)  # how the query was cut down

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, index):  # type: ignore[override]
        return self.hits[index]

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.limit)) if self.limit else 1

    def to_dict(self) -> dict:
        data = {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "limit": self.limit,
            "hits": [hit.to_dict() for hit in self.hits],
        }
        if self.did_you_mean:
            data["did_you_mean"] = self.did_you_mean
        if self.notices:
            data["notices"] = self.notices
        return data


def _plan(
    text: str,
    section: str | None,
    weights: Weights,
    stemming: bool,
    searcher: Searcher | None = None,
    deadline: Deadline | None = None,
) -> QueryPlan:
    tree = parse(text)
    if section:
        section_words = parse(section)
        if section_words.nodes:
            tree = Group((*tree.nodes, Filter("section", section_words)))
    frequency, sections, expand = None, 0, None
    if searcher is not None:
        sections = searcher.doc_count()

        def frequency(stem: str) -> int:
            return max(searcher.doc_frequency(f, stem) for f in ("title", "heading", "body"))

        def expand(name: str, prefix: str) -> tuple[list[str], int]:
            return _expand_prefix(searcher, name, prefix, deadline or Deadline(None))

    plan = compile_query(
        tree, weights, stemming=stemming, frequency=frequency, sections=sections, expand=expand
    )
    if plan.query is None:
        what = "an empty query" if not text.strip() else f"nothing to search for in {text!r}"
        raise QueryError(f"{what}: type one or more words")
    return plan


def _expand_prefix(
    searcher: Searcher, name: str, prefix: str, deadline: Deadline
) -> tuple[list[str], int]:
    """The MAX_EXPANSIONS terms of field ``name`` with ``prefix`` found in
    the most sections (ties to the alphabetically first), and how many
    terms have the prefix."""
    reader = searcher.reader()
    counted = []
    for number, btext in enumerate(reader.expand_prefix(name, prefix), 1):
        if number % _CHECK_EVERY == 0:
            deadline.check()
        counted.append((-reader.doc_frequency(name, btext), btext))
    best = heapq.nsmallest(MAX_EXPANSIONS, counted)
    return [btext.decode("utf-8") for _, btext in best], len(counted)


def _spans(text: str, plan: QueryPlan) -> list[tuple[int, int]]:
    return match_spans(text, plan.stems, plan.exact, plan.phrases, plan.prefixes)


def _snippet(text: str, plan: QueryPlan, size: int) -> Snippet:
    return make_snippet(text, _spans(text, plan), size=size)


def query_spans(query: str, text: str) -> list[tuple[int, int]]:
    """Where a query's words (in any form) are in ``text``: for showing a
    whole section with its matches marked."""
    return _spans(text, compile_query(parse(query), DEFAULT_WEIGHTS))


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


def _suggestions(searcher: Searcher, plan: QueryPlan) -> dict[str, list[str]]:
    """Closer, frequent index terms for query words that (almost) matched nothing."""
    found: dict[str, list[str]] = {}
    for typed, exact, stem in plan.words:
        count = max(
            searcher.doc_frequency(name, term)
            for name, term in (("body", stem), ("title", stem), ("body_exact", exact))
            if term
        )
        if count > RARE_WORD or len(exact) < 3:
            continue
        # A word found nowhere: any close term will do; else a much commoner one.
        enough = FREQUENT_FACTOR * count if count else 1
        # Two edits only for a word found nowhere: twice the candidates.
        for distance in (1, 2) if count == 0 else (1,):
            options = {
                s: searcher.doc_frequency("body_exact", s)
                for s in _close_terms(searcher, exact, distance)
                if s != exact
            }
            frequent = sorted((s for s, n in options.items() if n >= enough), key=options.get)
            if frequent:
                found[typed] = frequent[::-1][:3]
                break
    return found


def _close_terms(searcher: Searcher, word: str, distance: int, limit: int = 10) -> list[str]:
    """The ``limit`` most frequent terms of the exact body field within
    ``distance`` edits of ``word`` (Damerau-Levenshtein) that share its
    first characters, ties to the alphabetically first. Whoosh's corrector
    finds the same terms, but computes the distance to every term with the
    prefix; here a term whose length alone puts it too far is skipped
    (28 ms → 9 ms for স্থা on the shared corpus)."""
    close = []
    for btext in searcher.reader().expand_prefix("body_exact", word[: _suggestion_prefix(word)]):
        term = btext.decode("utf-8")
        if abs(len(term) - len(word)) <= distance and (
            damerau_levenshtein(term, word, limit=distance) <= distance
        ):
            close.append(term)
    frequency = {term: searcher.frequency("body_exact", term) for term in close}
    return sorted(close, key=lambda term: (-frequency[term], term))[:limit]


@dataclass
class _Ranked:
    """An article in the ranking: its score, the stored fields of the section
    it is shown by, and the ids of its copies merged into it."""

    score: float
    docnum: int
    stored: dict
    duplicates: list[str] = field(default_factory=list)


def _ranked(
    searcher: Searcher, plan: QueryPlan, ids, count: int, deadline: Deadline
) -> tuple[list[_Ranked], BestSectionPerArticle]:
    """The best ``count`` articles, best first, ties broken by article id; and
    the collector, which knows every match."""
    query = _without_excluded_articles(searcher, plan, ids)
    collector = BestSectionPerArticle(_word_terms(plan), deadline)
    # needs_current: Whoosh then builds unions whose parts stay positioned
    # (it preloads small ones into arrays otherwise, on segments of up to 5,000
    # sections), so coordination bonuses and _words_matched see every term.
    searcher.search_with_collector(query, collector, searcher.context(needs_current=True))
    kept: list[_Ranked] = []
    by_title: dict[str, list[_Ranked]] = {}  # only hits with the same title can be copies
    for score, docnum in collector.top(count):
        stored = searcher.stored_fields(docnum)
        same_title = by_title.setdefault(normalize_label(stored["title"]), [])
        original = next((k for k in same_title if _same_text(k.stored, stored)), None)
        if original is not None:
            original.duplicates.append(stored["article_id"])
        else:
            entry = _Ranked(score, docnum, stored)
            kept.append(entry)
            same_title.append(entry)
    return kept, collector


def _prefer_sections_with_every_word(
    searcher: Searcher,
    text: str,
    section: str | None,
    weights: Weights,
    plan: QueryPlan,
    ranked: list[_Ranked],
    matches: BestSectionPerArticle,
    deadline: Deadline,
) -> None:
    """Show each ranked article by its best-ranked section that matches every
    word of the query (the query's AND form), when it has one: the article's
    rank and score stay, its section may change.

    For plain words the ranking itself recorded which sections have every
    word; otherwise the AND form is searched within the ranked articles.
    """
    if plan.plain_words and not matches.word_terms:
        return  # one word (or none): every matching section has it
    if matches.word_terms:
        complete = None  # the ranking recorded it
    else:
        strict = _plan(
            text, section, replace(weights, operator="and"), plan.stemming, searcher, deadline
        )
        articles = wq.Or([wq.Term("article_id", entry.stored["article_id"]) for entry in ranked])
        complete = set(searcher.docs_for_query(wq.And([strict.query, articles])))
    for entry in ranked:
        article = entry.stored["article_id"]
        if complete is None:
            candidates = [d for _, d in matches.ranked_sections(article, complete=True)]
        else:
            candidates = [d for _, d in matches.ranked_sections(article) if d in complete]
        if candidates and candidates[0] != entry.docnum:
            entry.docnum, entry.stored = candidates[0], searcher.stored_fields(candidates[0])


def run_search(
    searcher: Searcher,
    text: str,
    *,
    limit: int = 10,
    page: int = 1,
    section: str | None = None,
    sections: bool = False,
    stemming: bool = True,
    weights: Weights = DEFAULT_WEIGHTS,
    snippet_size: int = 240,
    snippets: bool = True,
    suggest: bool = True,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Results:
    """Search with a Whoosh searcher whose weighting is SectionWeighting.

    ``snippets=False`` leaves hits without snippets (evaluation needs none).
    A search that takes longer than ``timeout`` seconds ends with
    QueryTooBroadError (None: no limit).
    """
    if limit < 1 or page < 1:
        raise QueryError("limit and page must be 1 or more")
    deadline = Deadline(timeout)
    wanted = limit * page
    # A few more than needed, so that ties at the cut and merged duplicates
    # cannot change the page.
    count = wanted + limit + 5
    plan = _plan(text, section, weights, stemming, searcher, deadline)
    if searcher.doc_count() == 0:  # nothing indexed yet (Whoosh has no columns then)
        return Results(text, 0, page, limit, [], notices=plan.notices)
    ids = _column(searcher.reader(), "article_id")
    ranked, matches = _ranked(searcher, plan, ids, count, deadline)
    total = len(matches.best) - sum(len(entry.duplicates) for entry in ranked)
    page_hits = ranked[wanted - limit : wanted]
    if weights.operator == "or" and weights.best_section_matches_all and page_hits:
        _prefer_sections_with_every_word(
            searcher, text, section, weights, plan, page_hits, matches, deadline
        )

    hits = []
    for rank, entry in enumerate(page_hits, wanted - limit + 1):
        deadline.check()
        stored = entry.stored
        snippet = _snippet(stored["text"], plan, snippet_size) if snippets else Snippet("")
        hit = Hit(
            rank=rank,
            id=stored["article_id"],
            title=stored["title"],
            section=stored["heading_path"],
            ordinal=stored["ordinal"],
            score=entry.score,
            snippet=snippet.text,
            highlights=list(snippet.highlights),
            text=stored["text"],
            duplicates=entry.duplicates,
        )
        if sections:
            hit.sections = _other_sections(searcher, plan, hit, matches, snippet_size)
        hits.append(hit)
    suggestions = _suggestions(searcher, plan) if suggest else {}
    did_you_mean = None
    if suggestions:
        did_you_mean = " ".join(
            suggestions[word][0] if word in suggestions else word for word in text.split()
        )
    return Results(text, total, page, limit, hits, suggestions, did_you_mean, plan.notices)


def _other_sections(
    searcher: Searcher, plan: QueryPlan, hit: Hit, matches: BestSectionPerArticle, size: int
) -> list[SectionHit]:
    """The article's other sections whose own heading or text matched (every
    section carries the title, so a title match alone does not count), with
    the scores the ranking gave them."""
    found = []
    for score, docnum in matches.ranked_sections(hit.id):
        stored = searcher.stored_fields(docnum)
        if stored["ordinal"] == hit.ordinal:
            continue
        snippet = _snippet(stored["text"], plan, size)
        if not snippet.highlights and not _spans(stored["heading"], plan):
            continue
        found.append(
            SectionHit(
                stored["heading_path"],
                stored["ordinal"],
                round(score, 6),
                snippet.text,
                list(snippet.highlights),
                stored["text"],
            )
        )
    return found
