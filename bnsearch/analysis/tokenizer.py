"""Word segmentation with ICU's UAX #29 word break iterator.

Tokens are spans of the ORIGINAL text, in Python (code point) offsets, so a
snippet or highlight can be cut from the text exactly as the user gave it.
ICU keeps conjuncts, hasanta, nukta (both encodings), khanda ta, ZWJ and ZWNJ
inside a word and splits at danda, punctuation, hyphens and dashes. On top of
that, a word that changes script between Latin and Bengali is split
(``Qatarকে`` → ``Qatar`` + ``কে``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator

from whoosh.analysis import Token, Tokenizer

from .icu import ASTRAL, breaker, utf16_to_codepoint

__all__ = ["BengaliTokenizer", "Span", "word_spans"]

# ICU word rule status: 0-99 none (spaces, punctuation, symbols, emoji),
# 100+ number, letter, kana, ideographic.
_WORD_STATUS = 100

_LATIN = "A-Za-z\u00c0-\u024f"
_BENGALI = "\u0980-\u09ff"
# Latin letters are rare in Bengali text: find their runs, then look at the
# characters on either side for a script change (scanning every Bengali
# character for a following Latin one would cost far more).
_LATIN_RUN = re.compile(f"[{_LATIN}]+")
_BENGALI_CHARS = re.compile(f"[{_BENGALI}]")

_local = threading.local()


# One word of the original text, ``text[start:end]``, as a plain tuple
# (start, end, attached) because millions are made; ``attached`` is True when
# the word was cut off the previous one at a script change, so it may be a
# bare case ending (the কে of Qatarকে).
Span = tuple[int, int, bool]


def word_spans(text: str) -> list[Span]:
    """The words of ``text`` as code point spans, in order."""
    spans = list(_icu_spans(text))
    changes = _script_changes(text)
    return _split_at(spans, changes) if changes else spans


def _cached_word_spans(text: str) -> list[Span]:
    """word_spans, remembering the last text of this thread: an index gives the
    same string to a stem and an exact field one after the other."""
    last = getattr(_local, "last", None)
    if last is not None and last[0] is text:
        return last[1]
    spans = word_spans(text)
    _local.last = (text, spans)
    return spans


def _cached_surfaces(text: str) -> tuple[list[str], list[int]]:
    """Each word of ``text`` as written, and the positions of those cut off
    at a script change; remembered for the last text of this thread, as
    the spans are."""
    last = getattr(_local, "surfaces", None)
    if last is not None and last[0] is text:
        return last[1], last[2]
    spans = _cached_word_spans(text)
    surfaces = [text[start:end] for start, end, _ in spans]
    attached = [pos for pos, span in enumerate(spans) if span[2]]
    _local.surfaces = (text, surfaces, attached)
    return surfaces, attached


def _script_changes(text: str) -> list[int]:
    """Offsets where Latin and Bengali letters meet, in order."""
    changes = []
    bengali_at = _BENGALI_CHARS.match
    for run in _LATIN_RUN.finditer(text):
        start, end = run.span()
        if start and bengali_at(text, start - 1):
            changes.append(start)
        if bengali_at(text, end):
            changes.append(end)
    return changes


def _icu_spans(text: str) -> Iterator[Span]:
    """ICU word segments of ``text`` that have a word rule status."""
    words = breaker("word")
    words.setText(text)
    status = words.getRuleStatus
    to_cp = utf16_to_codepoint(text) if ASTRAL.search(text) else None
    start = 0
    for end in words:
        if status() >= _WORD_STATUS:
            if to_cp is None:
                yield (start, end, False)
            else:
                yield (to_cp[start], to_cp[end], False)
        start = end


def _split_at(spans: list[Span], changes: list[int]) -> list[Span]:
    """Split the spans at the given offsets (sorted), marking the later pieces."""
    result = []
    pending = iter(changes)
    cut = next(pending, None)
    for first, end, _ in spans:
        start = first
        while cut is not None and cut <= start:
            cut = next(pending, None)
        while cut is not None and cut < end:
            result.append((start, cut, start != first))
            start = cut
            cut = next(pending, None)
        result.append((start, end, start != first))
    return result


class BengaliTokenizer(Tokenizer):
    """Whoosh tokenizer over :func:`word_spans`.

    Each token's ``text`` is the surface form; ``startchar``/``endchar`` point
    into the original value and ``attached`` marks a script-change split.
    """

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BengaliTokenizer)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        term: Callable[[str, bool], str | None] | None = None,
        **kwargs: object,
    ) -> Iterator[Token]:
        """Yield the tokens of ``value``, Whoosh style (one reused Token).

        ``term``, when given, maps each surface form to its indexed text or to
        None for a stopword; :class:`~bnsearch.analysis.BengaliAnalyzer` uses
        it to run a whole filter chain inside this one loop.
        """
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if tokenize:
            spans = _cached_word_spans(value)
        else:
            spans = [(0, len(value), False)]  # the value is already one term
        if term is not None and removestops and not keeporiginal:
            # The indexing path, kept lean: it runs for every word of a corpus.
            yield from _mapped_tokens(token, value, spans, term, start_pos, start_char)
            return
        token.attached = False
        for pos, (start, end, attached) in enumerate(spans, start_pos):
            text = value[start:end]
            if keeporiginal:
                token.original = text
            token.stopped = False
            if term is not None:
                mapped = term(text, attached)
                if mapped is None:
                    if removestops:
                        continue
                    token.stopped = True
                else:
                    text = mapped
            token.text = text
            token.attached = attached
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


def _mapped_tokens(
    token: Token,
    value: str,
    spans: list[Span],
    term: Callable[[str, bool], str | None],
    start_pos: int,
    start_char: int,
) -> Iterator[Token]:
    """Tokens whose text is mapped through ``term``; stopwords are skipped."""
    positions, chars = token.positions, token.chars
    lookup = _memo_lookup(term)
    token.attached = False
    for pos, (start, end, attached) in enumerate(spans, start_pos):
        text = value[start:end]
        # Attached pieces bypass the memo: their term depends on more.
        mapped = term(text, True) if attached else lookup(text)
        if mapped is None:
            continue
        token.text = mapped
        if positions:
            token.pos = pos
        if chars:
            token.startchar = start_char + start
            token.endchar = start_char + end
        yield token


def _memo_lookup(term: Callable[[str, bool], str | None]) -> Callable[[str], str | None]:
    """``term`` for a word that is not attached: a memoizing term function
    exposes a memo that computes its misses, and reading it (in C, with
    ``map``) is much cheaper than a call; most words are repeats."""
    memo = getattr(term, "memo", None)
    if memo is not None and hasattr(memo, "__missing__"):
        return memo.__getitem__
    return lambda text: term(text, False)


def indexed_terms(value: str, term: Callable[[str, bool], str | None]) -> list[str | None]:
    """The term of each word of ``value``, by position (None: a word the
    tokenizer with ``term`` would drop, a stopword): what it yields, without
    a Token per word (the indexing formats, :mod:`bnsearch.engine.formats`)."""
    surfaces, attached = _cached_surfaces(value)
    terms = list(map(_memo_lookup(term), surfaces))
    for pos in attached:  # cut off at a script change: maybe a bare case ending
        terms[pos] = term(surfaces[pos], True)
    return terms
