"""Did you mean: closer, frequent index terms for query words that (almost)
matched nothing."""

from __future__ import annotations

import heapq

from whoosh.searching import Searcher
from whoosh.support.levenshtein import damerau_levenshtein

from ..analysis.distance import within_one_edit
from ..errors import QueryError
from .compile import QueryPlan

__all__ = [
    "FEW_RESULTS",
    "MAX_COMPLETIONS",
    "close_terms",
    "completions",
    "did_you_mean",
    "suggestions",
]

MAX_COMPLETIONS = 50
# A query that found fewer articles than this gets spelling suggestions (a
# page of results); one that found more was understood, and a suggestion
# would only change its meaning (bangladesh er rajdhani → rajshahi).
FEW_RESULTS = 10

# A query word found in at most RARE_WORD sections gets a suggestion when a
# close index term (one edit, then two) is found in at least FREQUENT_FACTOR
# times as many.
RARE_WORD = 5
FREQUENT_FACTOR = 10
# Candidates share the word's first characters (a third of it, 2 to 4 code
# points). Whoosh 2.7's codec keeps no word graph, so the word would be
# compared with every term otherwise: 1.4-2.7 s a word on the shared corpus.


def _suggestion_prefix(word: str) -> int:
    return max(2, min(4, len(word) // 3))


def suggestions(searcher: Searcher, plan: QueryPlan) -> dict[str, list[str]]:
    """Closer, frequent index terms for query words that (almost) matched nothing."""
    found: dict[str, list[str]] = {}
    for typed, exact, stem in plan.words:
        if typed.isascii() and plan.spellings.get(typed):
            continue  # read as romanized Bengali: a Latin spelling would change its meaning
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
                for s in close_terms(searcher, exact, distance)
                if s != exact
            }
            frequent = sorted((s for s, n in options.items() if n >= enough), key=options.get)
            if frequent:
                found[typed] = frequent[::-1][:3]
                break
    return found


def close_terms(searcher: Searcher, word: str, distance: int, limit: int = 10) -> list[str]:
    """The ``limit`` most frequent terms of the exact body field within
    ``distance`` edits of ``word`` (Damerau-Levenshtein) that share its
    first characters, ties to the alphabetically first. Whoosh's corrector
    finds the same terms, but computes the distance to every term with the
    prefix; here a term whose length alone puts it too far is skipped
    (28 ms → 9 ms for স্থা on the shared corpus)."""
    close = []
    for btext in searcher.reader().expand_prefix("body_exact", word[: _suggestion_prefix(word)]):
        term = btext.decode("utf-8")
        if abs(len(term) - len(word)) > distance:
            continue
        if (
            within_one_edit(term, word)
            if distance == 1
            else (damerau_levenshtein(term, word, limit=distance) <= distance)
        ):
            close.append(term)
    frequency = {term: searcher.frequency("body_exact", term) for term in close}
    return sorted(close, key=lambda term: (-frequency[term], term))[:limit]


def did_you_mean(text: str, found: dict[str, list[str]]) -> str | None:
    """The query with each word that has suggestions replaced by the best one."""
    if not found:
        return None
    return " ".join(found[word][0] if word in found else word for word in text.split())


def completions(searcher: Searcher, prefix: str, limit: int) -> list[str]:
    """The index's words (as written) that start with ``prefix``, those in
    the most sections first (ties alphabetically): for a search box."""
    from ..analysis import normalize_tier0
    from .compile import MIN_PREFIX

    start = normalize_tier0(prefix.strip())
    if len(start) < MIN_PREFIX:
        raise QueryError(f"a completion needs at least {MIN_PREFIX} letters")
    reader = searcher.reader()
    counted = (
        (reader.doc_frequency("body_exact", term), term)
        for term in reader.expand_prefix("body_exact", start)
    )
    best = heapq.nsmallest(min(limit, MAX_COMPLETIONS), counted, key=lambda p: (-p[0], p[1]))
    return [term.decode("utf-8") for _, term in best]
