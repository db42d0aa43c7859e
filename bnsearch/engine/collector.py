"""Collecting matches: every matching article with its best section.

The collector also records, per match, which of the query's words the
section holds and adds the words' frequencies to its article's evidence
(both read from the term matchers the match is on), and ends the search when
its time runs out.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import numpy as np
from whoosh import query as wq
from whoosh.collectors import Collector
from whoosh.matching import ConstantScoreWrapperMatcher, CoordMatcher, UnionMatcher
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from ..defaults import DEFAULT_TIMEOUT
from ..errors import QueryTooBroadError
from ..model import Message
from .context import SearcherContext
from .evidence import ArticleEvidence, document_table
from .scoring import REFERENCE_DISCOUNT

__all__ = [
    "CHECK_EVERY",
    "DEFAULT_TIMEOUT",
    "BestSectionPerArticle",
    "Deadline",
    "excluding",
    "with_index_coordination",
]

# DEFAULT_TIMEOUT (bnsearch.defaults): seconds a search may take before it
# ends with QueryTooBroadError; the slowest ordinary query on the shared
# corpus takes well under a second.
CHECK_EVERY = 256  # matches collected between two looks at the clock


class Deadline:
    """The time a search must end by; ``check()`` raises QueryTooBroadError
    after it. ``seconds=None``: no limit."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.end = math.inf if seconds is None else time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise QueryTooBroadError(
                Message(
                    "timeout",
                    "the search ran out of its time budget ({seconds:g} s): give it more "
                    "(--timeout), or search for rarer words, fewer words or longer prefixes",
                    seconds=self.seconds,
                )
            )


_REPLACE_EVERY = 16


class BestSectionPerArticle(Collector):
    """Every matching article with its best section: the highest score after
    the weighting's ``final()``, ties to the lower ordinal.

    Whoosh's CollapseCollector scores each section twice and picks an
    article's best section by the score before ``final()``, so a reference
    section could stand for its article with its discounted score.

    With ``word_terms`` (each query term's bit mask of the words it stands
    for), every match also records whether it matched all of those words.

    With ``article_terms`` (each query term's slot in an article's evidence
    and the factor its frequency counts with), every match adds the
    frequencies of the terms it holds to its article's evidence
    (:attr:`evidence`, one list of ``3 × words`` floats per article, see
    :func:`bnsearch.engine.scoring.article_bm25f`): the title's once, as
    every section repeats it; headings and text summed over the sections,
    a reference section's discounted.
    """

    def __init__(
        self,
        context: SearcherContext,
        word_terms: dict[tuple[str, bytes], int] | None = None,
        deadline: Deadline | None = None,
        article_terms: dict[tuple[str, bytes], tuple[int, float]] | None = None,
        slots: int = 0,
    ) -> None:
        self.facts_of = context
        self.word_terms = word_terms or {}
        self.deadline = deadline or Deadline(None)
        self.article_terms = article_terms or {}
        self.slots = slots

    def prepare(self, top_searcher: Searcher, q: wq.Query, context) -> None:
        super().prepare(top_searcher, q, context)
        weighting = top_searcher.weighting
        self._final = weighting.final if weighting.use_final else None
        # A reference section's evidence is discounted as its score is.
        self._discount = getattr(weighting, "reference_discount", REFERENCE_DISCOUNT)
        self._reader = top_searcher.reader()
        self._ordinals = self.facts_of.column(self._reader, "ordinal")
        self.best: dict[str, tuple[float, int]] = {}  # article id → score, docnum
        # Every match, per article: score, docnum, the bit mask of the words
        # it holds (with word_terms).
        self.sections: dict[str, list[tuple[float, int, int]]] = {}
        self.evidence: dict[str, list[float]] = {}  # article id → term frequencies

    def collect_matches(self) -> None:
        matcher, offset, best, final = self.matcher, self.offset, self.best, self._final
        segment, ordinals, sections = self.subsearcher, self._ordinals, self.sections
        word_terms = self.word_terms
        facts = self.facts_of.facts(segment.reader())
        ids = facts.column("article_id")
        leaves = _word_leaves(matcher, word_terms) if word_terms else []
        slotted = _slotted_leaves(matcher, self.article_terms) if self.article_terms else []
        references = facts.references()
        evidence, slots = self.evidence, self.slots
        seen_docs = 0
        while matcher.is_active():
            # Now and then drop finished sub-matchers (as Whoosh's own
            # collectors do): a union keeps asking them otherwise.
            seen_docs += 1
            if seen_docs % _REPLACE_EVERY == 0:
                matcher = matcher.replace(0)
                if not matcher.is_active():
                    break
            if seen_docs % CHECK_EVERY == 0:
                self.deadline.check()
            sub_docnum = matcher.id()
            score = matcher.score()
            if final is not None:  # the segment's own docnum: no lookup by offset
                score = final(segment, sub_docnum, score)
            docnum = offset + sub_docnum
            article = ids[sub_docnum]
            words = _words_matched(sub_docnum, leaves) if leaves else 0
            matched = sections.get(article)
            if matched is None:
                sections[article] = [(score, docnum, words)]
            else:
                matched.append((score, docnum, words))
            seen = best.get(article)
            if (
                seen is None
                or score > seen[0]
                or (score == seen[0] and ordinals[docnum] < ordinals[seen[1]])
            ):
                best[article] = (score, docnum)
            if slotted:
                found = evidence.get(article)
                if found is None:
                    found = evidence[article] = [0.0] * slots
                scale = self._discount if sub_docnum in references else 1.0
                for is_active, leaf_id, weight, slot, factor, title in slotted:
                    if is_active() and leaf_id() == sub_docnum:
                        frequency = weight() * factor
                        if title:  # the same in every section: counted once
                            if frequency > found[slot]:
                                found[slot] = frequency
                        else:
                            found[slot] += frequency * scale
            matcher.next()

    def collect(self, sub_docnum: int) -> None:  # collect_matches does the work
        raise NotImplementedError

    def sort_key(self, sub_docnum: int) -> None:
        raise NotImplementedError

    def ranked_sections(self, article: str) -> list[tuple[float, int]]:
        """The article's matching sections (score, docnum), best first, ties
        to the lower ordinal."""
        ordinals = self._ordinals
        matched = sorted(self.sections.get(article, ()), key=lambda m: (-m[0], ordinals[m[1]]))
        return [(m[0], m[1]) for m in matched]

    def ordinal(self, docnum: int) -> int:
        """A matched section's ordinal in its article (0: the lead)."""
        return self._ordinals[docnum]

    @property
    def total(self) -> int:
        """How many articles matched."""
        return len(self.best)

    @property
    def knows_words(self) -> bool:
        """Whether each match recorded which query words it holds."""
        return bool(self.word_terms)

    def best_docnum(self, article: str) -> int:
        return self.best[article][1]

    def section_words(self, article: str) -> dict[int, int]:
        """The article's matching sections, each with the bit mask of the
        query words it holds."""
        return {docnum: words for _, docnum, words in self.sections.get(article, ())}

    def article_evidence(self) -> ArticleEvidence:
        """Every matching article's evidence (:class:`ArticleEvidence`)."""
        table = document_table(self.facts_of, self._reader)
        names = list(self.best)
        slots = self.slots if self.article_terms else 0
        frequencies = [self.evidence.get(name, [0.0] * slots) for name in names]
        return ArticleEvidence(
            table,
            np.array([table.numbers[name] for name in names], dtype=np.int64),
            np.array([self.best[name][0] for name in names], dtype=np.float64),
            np.array(frequencies, dtype=np.float64).reshape(len(names), slots),
        )

    def title_has_every_word(self, article: str, words: int) -> bool:
        """Whether the article's title holds each of the first ``words`` query
        words (known only with article evidence)."""
        evidence = self.evidence.get(article)
        return evidence is not None and all(evidence[3 * w] for w in range(words))


def _term_leaves(matcher, terms: dict) -> Iterator[tuple[object, object]]:
    """The matcher tree's term matchers whose (field, term) is in ``terms``,
    each with what ``terms`` holds for it. Found once per segment:
    ``replace()`` rebuilds the tree's inner nodes but keeps its term matchers."""
    stack = [matcher]
    while stack:
        node = stack.pop()
        term = node.term()
        if term is None:
            stack.extend(node.children())
        elif (found := terms.get(term)) is not None:
            yield node, found


def _word_leaves(matcher, word_terms: dict[tuple[str, bytes], int]) -> list[tuple[object, int]]:
    """The term matchers of the query's words, each with the bit mask of the
    words its term stands for."""
    return [(node, words) for node, words in _term_leaves(matcher, word_terms) if words]


def _slotted_leaves(matcher, article_terms: dict[tuple[str, bytes], tuple[int, float]]) -> list:
    """The term matchers that carry article evidence: for each, its bound
    is_active, id and weight methods (read for every match), its evidence
    slot and factor, and whether it is a title slot."""
    return [
        (node.is_active, node.id, node.weight, slot, factor, slot % 3 == 0)
        for node, (slot, factor) in _term_leaves(matcher, article_terms)
    ]


def _words_matched(docnum: int, leaves: list[tuple[object, int]]) -> int:
    """The bit mask of the words whose terms match document ``docnum``, the
    one the matcher tree is on (each term matcher stays at its next match)."""
    mask = 0
    for leaf, words in leaves:
        if leaf.is_active() and leaf.id() == docnum:
            mask |= words
    return mask


# --- coordination counted over the index ----------------------------------------------


def with_index_coordination(query: wq.Query, reader: IndexReader) -> wq.Query:
    """``query`` with each OR that has a coordination bonus counting the
    query terms the whole index holds, as the array engine counts them
    (:mod:`bnsearch.engine.arrays`): Whoosh's ``CoordMatcher`` counts the
    terms of the segment it runs on, so a section's score would depend on
    which other sections were written in the same commit."""

    def rewrite(node: wq.Query) -> wq.Query:
        if type(node) is wq.Or and node.scale and len(node.subqueries) > 1:
            held = sum(
                1
                for sub in node.subqueries
                for fieldname, text in sub.iter_all_terms(phrases=True)
                if reader.doc_frequency(fieldname, text)
            )
            subs = [rewrite(sub) for sub in node.subqueries]
            return _IndexCoordinatedOr(subs, node.boost, node.scale, held)
        return node.apply(rewrite)

    return rewrite(query)


class _IndexCoordinatedOr(wq.Or):
    """OR with the coordination bonus of Whoosh's DefaultOr, its term count
    given (the index's) rather than counted in each segment."""

    def __init__(self, subqueries: list, boost: float, scale: float, terms: int) -> None:
        super().__init__(subqueries, boost=boost, scale=scale)
        self.terms = terms

    def apply(self, fn):
        subs = [fn(sub) for sub in self.subqueries]
        return type(self)(subs, self.boost, self.scale, self.terms)

    def _matcher(self, subs, searcher, context):
        reader = searcher.reader()
        matcher = self._tree_matcher(
            subs, UnionMatcher, searcher, context, lambda q: q.estimate_size(reader)
        )
        if self.terms and any(matcher.term_matchers()):
            matcher = _GivenCoordination(matcher, self.scale, self.terms)
        return matcher


class _GivenCoordination(CoordMatcher):
    """Whoosh's CoordMatcher with the number of terms given."""

    def __init__(self, child, scale: float, terms: int) -> None:
        super().__init__(child, scale=scale)
        self._termcount = terms

    def _replacement(self, newchild):
        return type(self)(newchild, self._scale, self._termcount)


def excluding(query: wq.Query, excluded: wq.Query) -> wq.Query:
    """``query``'s matches that ``excluded`` does not match, scored as
    ``query`` scores them. (Whoosh scores a NOT's matches 1 each within an
    AND, and its AndNot misses the exclusion of a segment's first document
    when the excluded part is an OR of many terms.)"""
    return wq.And([query, _ScoredZero(wq.Not(excluded))])


class _ScoredZero(wq.WrappingQuery):
    """A query whose matches score 0 (Whoosh's ConstantScoreQuery keeps the
    child's scores when the search needs current matches, as ours do)."""

    def _rewrap(self, child: wq.Query) -> wq.Query:
        return type(self)(child)

    def matcher(self, searcher, context=None):
        return ConstantScoreWrapperMatcher(self.child.matcher(searcher, context), 0.0)
