"""Collecting matches: every matching article with its best section.

The collector also records, per match, whether the section holds every word
of the query, read from the term matchers the match is on, and ends the
search when its time runs out.
"""

from __future__ import annotations

import heapq
import math
import time

from whoosh import query as wq
from whoosh.collectors import Collector
from whoosh.searching import Searcher

from ..errors import QueryTooBroadError
from .cache import column

__all__ = ["CHECK_EVERY", "DEFAULT_TIMEOUT", "BestSectionPerArticle", "Deadline"]

# Seconds a search may take before it ends with QueryTooBroadError. The
# slowest ordinary query on the shared corpus takes well under a second.
DEFAULT_TIMEOUT = 10.0
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
                f"query too broad: the search took longer than {self.seconds:g} s; "
                "use rarer words, fewer words or longer prefixes"
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
        self._ordinals = column(top_searcher.reader(), "ordinal")
        self.best: dict[str, tuple[float, int]] = {}  # article id → score, docnum
        # Every match, per article: score, docnum, whether it has every word.
        self.sections: dict[str, list[tuple[float, int, bool]]] = {}

    def collect_matches(self) -> None:
        matcher, offset, best, final = self.matcher, self.offset, self.best, self._final
        segment, ordinals, sections = self.subsearcher, self._ordinals, self.sections
        word_terms, all_words = self.word_terms, self.all_words
        ids = column(segment.reader(), "article_id")
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
            if seen_docs % CHECK_EVERY == 0:
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
