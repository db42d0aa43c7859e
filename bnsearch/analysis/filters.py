"""Whoosh filters for the analysis chain, each a pure function on one term.

Every filter here is a :class:`TermFilter`: its ``term(text, attached)`` maps
one token's text to its new text, or to None to drop the token as a stopword.
That makes each part usable on its own as a plain function, and lets
:class:`BengaliAnalyzer` run a whole chain as one memoized function per
distinct surface form. Bengali vocabulary is Zipfian: millions of tokens have
only a few hundred thousand forms, so the per-token work is done once.

The filters keep no state: Whoosh pickles analyzers into the index schema and
these unpickle by module path alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from whoosh.analysis import CompositeAnalyzer, Filter, Token

from .normalize import normalize_tier0, normalize_tier1
from .stemmer import BengaliStemmer
from .tokenizer import BengaliTokenizer, indexed_terms

__all__ = [
    "INTERROGATIVES",
    "STOPWORDS",
    "BengaliAnalyzer",
    "BengaliStemFilter",
    "BengaliStopFilter",
    "FusedTerms",
    "Memo",
    "TermFilter",
    "Tier0Filter",
    "Tier1Filter",
    "clear_caches",
    "is_interrogative",
    "is_stopword",
    "stem",
]

_CACHE_SIZE = 1 << 19


def _read_word_list(name: str) -> list[str]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    words = []
    for line in text.splitlines():
        words.extend(line.split("#", 1)[0].split())
    return words


def _normalize_both(word: str) -> str:
    return normalize_tier1(normalize_tier0(word))


STOPWORDS: frozenset[str] = frozenset(map(_normalize_both, _read_word_list("stopwords.txt")))
# Question words: dropped from queries (bnsearch.search.compile), never stemmed.
INTERROGATIVES: frozenset[str] = frozenset(
    map(_normalize_both, _read_word_list("interrogatives.txt"))
)

# Bare inflections: what is left of Qatarকে or FIFAর after the script split.
_SUFFIX_FRAGMENTS = frozenset(
    map(_normalize_both, "র এর ের কে তে এ য় য়ের য়ে টি টা রা দের গুলো গুলি".split())
)


def _build_stemmer() -> BengaliStemmer:
    entries = _read_word_list("protected.txt")
    words = [_normalize_both(w) for w in entries if not w.startswith("-")]
    endings = [_normalize_both(w[1:]) for w in entries if w.startswith("-")]
    return BengaliStemmer(STOPWORDS, [*words, *INTERROGATIVES], endings)


_STEMMER = _build_stemmer()


def is_stopword(term: str) -> bool:
    """Whether a tier-1 normalized term is a stopword."""
    return term in STOPWORDS


def is_interrogative(term: str) -> bool:
    """Whether a tier-1 normalized term is a question word or particle."""
    return term in INTERROGATIVES


@lru_cache(maxsize=_CACHE_SIZE)
def stem(term: str) -> str | None:
    """Stem a tier-1 normalized term; None for a function word with a particle."""
    return _STEMMER.stem(term)


class TermFilter(Filter):
    """A filter that maps each token's text through :meth:`term`."""

    def term(self, text: str, attached: bool = False) -> str | None:
        """The new text of a token, or None to drop it as a stopword.

        ``attached`` is True for a piece split off a Latin word at a script
        change (the কে of Qatarকে).
        """
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        term = self.term
        for token in tokens:
            if not token.stopped:
                text = term(token.text, getattr(token, "attached", False))
                if text is None:
                    if token.removestops:
                        continue
                    token.stopped = True
                else:
                    token.text = text
            yield token


class Tier0Filter(TermFilter):
    """Tier-0 Unicode repair (every field)."""

    def term(self, text: str, attached: bool = False) -> str:
        return normalize_tier0(text)


class Tier1Filter(TermFilter):
    """Tier-1 spelling folds (main field)."""

    def term(self, text: str, attached: bool = False) -> str:
        return normalize_tier1(text)


class BengaliStopFilter(TermFilter):
    """Drop stopwords and bare case endings split off Latin words.

    Positions are kept: the next word keeps its own number. With
    ``removestops=False`` (highlighting, query parsing) the token is passed on
    marked ``stopped`` instead.
    """

    def term(self, text: str, attached: bool = False) -> str | None:
        if not text or text in STOPWORDS or (attached and text in _SUFFIX_FRAGMENTS):
            return None
        return text


class BengaliStemFilter(TermFilter):
    """Light noun stemmer; a function word plus a particle counts as a stopword."""

    is_morph = True

    def term(self, text: str, attached: bool = False) -> str | None:
        return stem(text)


class Memo(dict):
    """``compute(key)`` for each key, computed on a miss and kept: read with
    ``memo[key]``, or ``map(memo.__getitem__, keys)`` for a whole text in C.
    Cleared when it holds ``limit`` keys, so its memory stays bounded."""

    def __init__(self, compute: Callable[[Any], Any], limit: int = _CACHE_SIZE) -> None:
        super().__init__()
        self.compute, self.limit = compute, limit

    def __missing__(self, key: Any) -> Any:
        if len(self) >= self.limit:
            self.clear()
        result = self[key] = self.compute(key)
        return result


class FusedTerms:
    """One memoized function equal to applying a chain of term filters in order.

    ``memo`` maps a surface form to its result, computing it on a miss; the
    tokenizer loop reads it directly. A chain that begins with another
    chain (the stem chain with the exact one: tier 0) computes a miss from
    that chain's memo, so the shared steps run once per form.
    """

    def __init__(self, filters: Sequence[TermFilter]) -> None:
        self.steps = [f.term for f in filters]
        self.memo = Memo(self._compute_new)
        self.base: FusedTerms | None = None  # a chain this one begins with
        self.rest = self.steps

    def compute(self, text: str, attached: bool = False) -> str | None:
        for step in self.steps:
            result = step(text, attached)
            if result is None:
                return None
            text = result
        return text

    def _compute_new(self, text: str) -> str | None:
        base = self.base
        if base is None:
            return self.compute(text)
        result = base.memo[text]
        for step in self.rest:
            if result is None:
                return None
            result = step(result, False)
        return result

    def __call__(self, text: str, attached: bool = False) -> str | None:
        if attached:  # rare, and the result depends on more than the text
            return self.compute(text, True)
        return self.memo[text]


_FUSED: dict[tuple[type, ...], FusedTerms] = {}


def _fused_term_function(filters: Sequence[TermFilter]) -> FusedTerms:
    """The shared :class:`FusedTerms` of a filter chain (filters are stateless)."""
    key = tuple(type(f) for f in filters)
    fused = _FUSED.get(key)
    if fused is None:
        fused = _FUSED[key] = FusedTerms(filters)
        for other, chain in _FUSED.items():  # link chains that begin with another
            _link(key, fused, other, chain)
            _link(other, chain, key, fused)
    return fused


def _link(key: tuple, fused: FusedTerms, other: tuple, chain: FusedTerms) -> None:
    """Let ``fused`` compute through ``chain`` when ``other`` begins ``key``
    (the longest such chain)."""
    if len(other) >= len(key) or key[: len(other)] != other:
        return
    if fused.base is None or len(fused.steps) - len(fused.rest) < len(other):
        fused.base, fused.rest = chain, fused.steps[len(other) :]


def clear_caches() -> None:
    """Forget every memoized term (benchmarks use this to measure cold runs)."""
    stem.cache_clear()
    for fused in _FUSED.values():
        fused.memo.clear()


class BengaliAnalyzer(CompositeAnalyzer):
    """A tokenizer followed by term filters, run as one step per token.

    Behaves exactly like the same Whoosh chain, but the filters' term
    functions are composed into one memoized function, so each distinct
    surface form is normalized and stemmed once per process.
    """

    def __call__(self, value: str, no_morph: bool = False, **kwargs: object) -> Iterator[Token]:
        tokenizer, filters = self.items[0], self.items[1:]
        if no_morph:
            filters = [f for f in filters if not f.is_morph]
        if not (
            isinstance(tokenizer, BengaliTokenizer)
            and all(isinstance(f, TermFilter) for f in filters)
        ):
            return super().__call__(value, no_morph=no_morph, **kwargs)
        return tokenizer(value, term=_fused_term_function(filters), **kwargs)

    def indexed_terms(self, value: str) -> list[str | None] | None:
        """The term of each word of ``value`` by position (None: not
        indexed), as a call with positions yields them; None when the chain
        is not one fused loop."""
        tokenizer, filters = self.items[0], self.items[1:]
        if not (
            isinstance(tokenizer, BengaliTokenizer)
            and all(isinstance(f, TermFilter) for f in filters)
        ):
            return None
        return indexed_terms(value, _fused_term_function(filters))

    def term(self, surface: str, attached: bool = False) -> str | None:
        """The term this analyzer indexes for one surface token (None: dropped)."""
        return self.term_function()(surface, attached)

    def term_function(self) -> FusedTerms:
        """The memoized function behind :meth:`term`, for loops over many tokens."""
        return _fused_term_function(self.items[1:])
