"""Bengali text analysis: one pipeline for documents and queries.

Two analyzers are built from the same small parts:

* ``exact_analyzer()``: ICU tokenizer + tier-0 normalization. Every word keeps
  its position; used for phrases and exact-form boosts.
* ``stem_analyzer()``: tokenizer + tier 0 + tier 1 + stopwords + light stemmer;
  the main recall field.

:func:`analyze` shows what the index sees for a text, token by token.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

from .filters import (
    INTERROGATIVES,
    STOPWORDS,
    BengaliAnalyzer,
    BengaliStemFilter,
    BengaliStopFilter,
    TermFilter,
    Tier0Filter,
    Tier1Filter,
    clear_caches,
    is_interrogative,
    is_stopword,
    stem,
)
from .normalize import fold_digits, normalize_label, normalize_tier0, normalize_tier1
from .tokenizer import BengaliTokenizer, Span, word_spans

__all__ = [
    "ANALYZER_VERSION",
    "INTERROGATIVES",
    "STOPWORDS",
    "AnalyzedToken",
    "BengaliAnalyzer",
    "BengaliStemFilter",
    "BengaliStopFilter",
    "BengaliTokenizer",
    "Field",
    "Span",
    "TermFilter",
    "Tier0Filter",
    "Tier1Filter",
    "analyze",
    "clear_caches",
    "exact_analyzer",
    "exact_term",
    "fold_digits",
    "is_interrogative",
    "is_stopword",
    "normalize_label",
    "normalize_tier0",
    "normalize_tier1",
    "span_terms",
    "stem",
    "stem_analyzer",
    "stem_term",
    "term_functions",
    "word_spans",
]

# Bump on ANY change to tokenization, normalization, stopwords, protected words
# or stemming rules: an index records it and refuses to mix versions.
# tests/test_analyzer_version.py fails when the rules change without a bump.
ANALYZER_VERSION = "bn-analysis-3"

Field = Literal["stem", "exact"]


def exact_analyzer() -> BengaliAnalyzer:
    """Tokenizer + tier 0: phrases and exact forms."""
    return BengaliAnalyzer(BengaliTokenizer(), Tier0Filter())


def stem_analyzer() -> BengaliAnalyzer:
    """Tokenizer + tier 0 + tier 1 + stopwords + stemmer: the main field."""
    return BengaliAnalyzer(
        BengaliTokenizer(), Tier0Filter(), Tier1Filter(), BengaliStopFilter(), BengaliStemFilter()
    )


_ANALYZERS: dict[str, BengaliAnalyzer] = {"exact": exact_analyzer(), "stem": stem_analyzer()}


def exact_term(surface: str) -> str:
    """The exact-field term of one surface token."""
    return _ANALYZERS["exact"].term(surface) or ""


def stem_term(surface: str, attached: bool = False) -> str | None:
    """The stem-field term of one surface token, or None when it is dropped."""
    return _ANALYZERS["stem"].term(surface, attached)


def term_functions():
    """The memoized exact and stem term functions (each with its ``memo``
    dict): for loops over every word of a text."""
    return _ANALYZERS["exact"].term_function(), _ANALYZERS["stem"].term_function()


def span_terms(text: str, spans: Sequence[Span]) -> tuple[list[str], list[str | None]]:
    """The exact and stem terms of the words of ``text`` at ``spans``.

    The same as calling :func:`exact_term` and :func:`stem_term` per word, with
    the memo dicts read directly: snippets examine whole sections per query.
    """
    exact, stemmed = term_functions()
    exact_of, stem_of = exact.memo, stemmed.memo  # computing what they lack
    exacts: list[str] = []
    stems: list[str | None] = []
    for start, end, attached in spans:
        surface = text[start:end]
        exacts.append(exact_of[surface] or "")
        stems.append(stemmed(surface, True) if attached else stem_of[surface])
    return exacts, stems


class AnalyzedToken(NamedTuple):
    """One word of the original text and the term indexed for it."""

    text: str
    start: int
    end: int
    term: str | None  # None: dropped as a stopword


def analyze(text: str, field: Field = "stem") -> list[AnalyzedToken]:
    """Every word of ``text`` with its offsets and its indexed term.

    Runs the field's own analyzer, so this is exactly what the index stores.
    """
    analyzer = _ANALYZERS.get(field)
    if analyzer is None:
        raise ValueError(f"unknown field {field!r}: expected 'stem' or 'exact'")
    return [
        AnalyzedToken(
            text[token.startchar : token.endchar],
            token.startchar,
            token.endchar,
            None if token.stopped else token.text,
        )
        for token in analyzer(text, positions=True, chars=True, removestops=False)
    ]
