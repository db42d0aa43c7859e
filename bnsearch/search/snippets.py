"""Snippets: fragments of a section's original text around its matches.

Matches are found by analyzing the stored section text with the index's own
analyzers, so every word that matched in any form is marked (কাতারের for a
query কাতার, ১৯৭৫ for 1975) and nothing else. Fragments prefer whole
sentences (danda boundaries, from ICU's sentence iterator), are cut at word
boundaries inside long sentences, and never split a grapheme cluster.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import compress

from ..analysis import span_terms, term_functions, word_spans
from ..analysis.icu import boundaries
from ..model import Snippet

__all__ = [
    "SNIPPET_SCOPE",
    "Snippet",
    "make_snippet",
    "match_spans",
    "section_terms",
    "snippet_spans",
]

ELLIPSIS = "…"
# A snippet is chosen from the first SNIPPET_SCOPE characters of a section
# when they hold a match, as highlighters bound their work (Lucene's reads
# the first 50 KB of a field, Elasticsearch's the first million characters):
# a 28,000-character reference list is not analyzed whole to show 240
# characters of it. Of the sections the one/two-word benchmark queries show,
# 3% are longer, and they took a quarter of the snippets' time.
SNIPPET_SCOPE = 10_000
_SEPARATOR = f" {ELLIPSIS} "
_WHITESPACE = re.compile(r"\s+")


def match_spans(
    text: str,
    stems: Iterable[str] = (),
    exact: Iterable[str] = (),
    phrases: Iterable[Sequence[str]] = (),
    prefixes: Iterable[tuple[str, str]] = (),
) -> list[tuple[int, int]]:
    """Spans of the words of ``text`` that a query matched.

    ``stems`` and ``exact`` are stem-field and exact-field terms, ``phrases``
    sequences of exact terms, ``prefixes`` (exact, stem) prefix pairs.
    """
    stems, exact = set(stems), set(exact)
    phrases, prefixes = [tuple(p) for p in phrases if p], list(prefixes)
    if not phrases and not prefixes:
        return _word_matches(text, stems, exact)
    spans, exacts, stemmed = section_terms(text)
    matched = [False] * len(spans)
    for i in range(len(spans)):
        stem = stemmed[i]
        if exacts[i] in exact or (stem is not None and stem in stems):
            matched[i] = True
        elif any(exacts[i].startswith(pe) or (stem or "").startswith(ps) for pe, ps in prefixes):
            matched[i] = True
    for phrase in phrases:
        size = len(phrase)
        for i in range(len(exacts) - size + 1):
            if tuple(exacts[i : i + size]) == phrase:
                matched[i : i + size] = [True] * size
    return [(s, e) for (s, e, _), hit in zip(spans, matched, strict=True) if hit]


def snippet_spans(
    text: str,
    stems: Iterable[str] = (),
    exact: Iterable[str] = (),
    phrases: Iterable[Sequence[str]] = (),
    prefixes: Iterable[tuple[str, str]] = (),
    scope: int = SNIPPET_SCOPE,
) -> list[tuple[int, int]]:
    """The match spans a snippet of ``text`` is chosen from: those in its first
    ``scope`` characters (up to the next white space) when there are any,
    else those of the rest (arguments as :func:`match_spans`)."""
    terms = (set(stems), set(exact), [tuple(p) for p in phrases], list(prefixes))
    cut = _WHITESPACE.search(text, scope) if len(text) > scope else None
    if cut is None:
        return match_spans(text, *terms)
    head = match_spans(text[: cut.start()], *terms)
    if head:
        return head
    shift = cut.start()
    return [(start + shift, end + shift) for start, end in match_spans(text[shift:], *terms)]


def _word_matches(text: str, stems: set[str], exact: set[str]) -> list[tuple[int, int]]:
    """match_spans for words alone: each distinct word of the text is decided
    once, by set operations and memo lookups in C (snippets were a third of
    a search's time)."""
    exact_term, stem_term = term_functions()
    exact_of, stem_of = exact_term.memo, stem_term.memo  # computing what they lack
    spans = word_spans(text)
    surfaces = [text[start:end] for start, end, _ in spans]
    # Decided in C: each distinct word's exact term looked up and tested, then
    # the stems of the rest.
    distinct = list(set(surfaces))
    matched = set(compress(distinct, map(exact.__contains__, map(exact_of.__getitem__, distinct))))
    rest = [w for w in distinct if w not in matched] if matched else distinct
    matched.update(compress(rest, map(stems.__contains__, map(stem_of.__getitem__, rest))))
    if not matched and not any(attached for _, _, attached in spans):
        return []

    def attached_match(surface: str) -> bool:  # its stem depends on more than the word
        return exact_of[surface] in exact or stem_term(surface, True) in stems

    return [
        (start, end)
        for (start, end, attached), surface in zip(spans, surfaces, strict=True)
        if (attached_match(surface) if attached else surface in matched)
    ]


def section_terms(text: str) -> tuple[list, list[str], list[str | None]]:
    """The word spans of ``text`` and each word's exact and stem term: one
    tokenization, with the memoized term functions the analyzers use."""
    spans = word_spans(text)
    exacts, stems = span_terms(text, spans)
    return spans, exacts, stems


def is_grapheme_boundary(text: str, offset: int) -> bool:
    """Whether ``offset`` (code points) falls between two grapheme clusters."""
    if offset <= 0 or offset >= len(text):
        return True
    before, after = text[offset - 1], text[offset]
    # After white space (but not CR, which LF joins) a cluster always begins,
    # unless the next character extends it: a mark, a joiner or other format
    # or control character, an emoji modifier (Sk). Sentences mostly start so.
    if before.isspace() and before != "\r":
        category = unicodedata.category(after)
        if category[0] not in "MC" and category != "Sk":
            return True
    # Only the neighbourhood matters: a cluster is a handful of code points.
    start = max(0, offset - 32)
    window = text[start : offset + 32]
    return (offset - start) in boundaries(window, "character") or not window


# A Bengali word of up to three code points, or a common longer
# abbreviation, then a full stop, at the end of what precedes a boundary.
_ABBREVIATION = re.compile(r"(?:^|[\s(])(?:[\u0980-\u09ff]{1,3}|খ্রি|খ্রিস্ট|অধ্যা|প্রফে|ইঞ্জি|সং)\.\s*$")


@dataclass
class _Fragment:
    start: int
    end: int
    cut_start: bool = False  # begins inside a sentence
    cut_end: bool = False


class _Sentences:
    """ICU's sentences of a text, each trimmed only when asked for: a long
    section has hundreds of sentences, a snippet looks at a few."""

    def __init__(self, text: str) -> None:
        self.text = text
        bounds = boundaries(text, "sentence")
        # ICU ends a sentence at any ". " before a letter; in Bengali that
        # is mostly an abbreviation (ড., মো., ডা., এ. কে.), not an end.
        self.bounds = [b for b in bounds if not _ABBREVIATION.search(text, max(0, b - 12), b)]
        self.count = max(0, len(self.bounds) - 1)

    def containing(self, offset: int) -> int:
        """The number of the sentence ``offset`` falls in."""
        return bisect.bisect_right(self.bounds, offset) - 1

    def after(self, offset: int) -> int:
        """The number of the first sentence that begins at or after ``offset``."""
        return bisect.bisect_left(self.bounds, offset)

    def trimmed(self, number: int) -> tuple[int, int] | None:
        """Sentence ``number`` without white space around it; None when
        nothing is left."""
        text = self.text
        start, end = self.bounds[number], self.bounds[number + 1]
        # Leading white space goes, with any mark or joiner orphaned on it
        # (" ঁ" is one grapheme cluster): a fragment starts on a boundary.
        while start < end and (text[start].isspace() or not is_grapheme_boundary(text, start)):
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return (start, end) if start < end else None

    def first(self) -> tuple[int, int] | None:
        """The first sentence that is not empty."""
        return next(filter(None, map(self.trimmed, range(self.count))), None)


# A paragraph break: a line with nothing but white space on it.
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")
# How a sentence ends: । ॥ ? ! . … and closing quotes or brackets after them.
_SENTENCE_END = re.compile(r"[।॥?!.…][\"'”’)\]]*$")
# A line of this many characters or more, unpunctuated, is taken for prose
# wrapped at a line end, not for a list item or a heading.
WRAPPED_LINE = 40


def _continues(text: str, after: int, start: int, end: int) -> bool:
    """Whether the sentence [start, end) reads as context for a fragment
    ending at ``after``: in the same paragraph, and prose — it ends as a
    sentence does, or is as long as a wrapped line. A list item, a heading
    or a navigation line left in the text (আরও দেখুন, then the list; a
    stub notice, দে, আ) is where a paragraph's context ends: shown after
    the hit's sentence, it reads as part of it."""
    if _PARAGRAPH_BREAK.search(text, after, start):
        return False
    return bool(_SENTENCE_END.search(text, start, end)) or end - start >= WRAPPED_LINE


def _word_edges(text: str, start: int, end: int) -> tuple[list[int], list[int]]:
    """Word starts and ends within [start, end): safe cut points."""
    spans = word_spans(text[start:end])
    return [start + s for s, _, _ in spans], [start + e for _, e, _ in spans]


def _window(text: str, start: int, end: int, spans: list[tuple[int, int]], size: int) -> _Fragment:
    """At most ``size`` characters of [start, end) holding as many matches as
    possible, cut at word edges."""
    if end - start <= size:
        return _Fragment(start, end)
    inside = [s for s in spans if start <= s[0] and s[1] <= end]
    if not inside:
        inside = [(start, start)]
    best, best_count = inside[0][0], -1
    for first, _ in inside:  # a window starting a little before each match
        anchor = max(start, first - size // 4)
        count = sum(1 for s, e in inside if s >= anchor and e <= anchor + size)
        if count > best_count:
            best, best_count = anchor, count
    starts, ends = _word_edges(text, start, end)
    cut_from = max([s for s in starts if s <= best] or [start])
    limit = cut_from + size
    cut_to = max((e for e in ends if cut_from < e <= limit), default=None)
    if cut_to is None:  # no word ends in reach: cut between grapheme clusters
        cut_to = min(end, limit)
        while cut_to > cut_from and not is_grapheme_boundary(text, cut_to):
            cut_to -= 1
        while cut_to == cut_from or not is_grapheme_boundary(text, cut_to):
            cut_to += 1  # one cluster longer than the budget: keep it whole
    return _Fragment(cut_from, cut_to, cut_from > start, cut_to < end)


def _fragments(text: str, spans: list[tuple[int, int]], size: int, count: int) -> list[_Fragment]:
    """Up to ``count`` fragments, best sentences first, then widened with the
    sentences that follow them while the budget lasts."""
    sentences = _Sentences(text)

    def words_in(start: int, end: int) -> set[str]:
        return {text[s:e] for s, e in _spans_within(spans, start, end)}

    # The matched words of each sentence that has any (a match belongs to
    # the sentence it starts in, if it ends there too): a long section has
    # hundreds of sentences and few matches.
    sentence_words: dict[tuple[int, int], set[str]] = {}
    numbered: list[tuple[int, tuple[int, int]]] = []
    for start, end in spans:
        at = sentences.containing(start)
        sentence = sentences.trimmed(at) if 0 <= at < sentences.count else None
        if sentence is None or not sentence[0] <= start or end > sentence[1]:
            continue
        if sentence not in sentence_words:
            sentence_words[sentence] = set()
            numbered.append((at, sentence))
        sentence_words[sentence].add(text[start:end])
    numbered.sort()

    chosen: list[_Fragment] = []
    covered: set[str] = set()
    budget = size
    for _ in range(count):
        free = [(i, s) for i, s in numbered if not any(f.start <= s[0] < f.end for f in chosen)]
        # Most new matched words, then most matched words, then the earliest.
        ranked = [
            (len(sentence_words[s] - covered), len(sentence_words[s]), -i, s) for i, s in free
        ]
        if ranked:
            new, _, _, sentence = max(ranked)
        elif len(free) == len(numbered) and not chosen:
            new = 0
        else:
            break  # every sentence with a match is shown
        if new == 0:
            if chosen:
                break  # nothing more to show
            first = sentences.first()  # no match in the text: show its beginning
            if first is None:
                return []
            sentence = first
        fragment = _window(text, *sentence, spans, budget)
        chosen.append(fragment)
        covered |= words_in(fragment.start, fragment.end)
        budget -= fragment.end - fragment.start
        if budget < size // 4:
            break
    for fragment in chosen:  # context: the sentences after, while they fit
        if fragment.cut_end:
            continue
        for number in range(sentences.after(fragment.end), sentences.count):
            sentence = sentences.trimmed(number)
            if sentence is None:
                continue
            start, end = sentence
            if not _continues(text, fragment.end, start, end):
                break
            if end - fragment.end > budget or any(
                f.start >= fragment.end and f.start < end for f in chosen
            ):
                break
            budget -= end - fragment.end
            fragment.end = end
    return sorted(chosen, key=lambda f: f.start)


def make_snippet(
    text: str, spans: Sequence[tuple[int, int]], size: int = 240, fragments: int = 2
) -> Snippet:
    """A snippet of at most about ``size`` characters of ``text``, from up to
    ``fragments`` places, with the given match spans highlighted.

    White space runs become single spaces; a snippet that begins or ends
    inside a sentence, and the gap between fragments, show an ellipsis.
    """
    spans = sorted(spans)
    parts: list[str] = []
    highlights: list[tuple[int, int]] = []
    chosen = _fragments(text, list(spans), size, fragments)
    for number, fragment in enumerate(chosen):
        if number:
            # "…" only where text is left out: fragments that meet (across
            # white space only) are joined by a space.
            gap = text[chosen[number - 1].end : fragment.start]
            parts.append(" " if not gap.strip() else _SEPARATOR)
        elif fragment.cut_start:
            parts.append(f"{ELLIPSIS} ")
        shift = sum(map(len, parts))
        piece, moved = _folded(text, fragment.start, fragment.end, spans)
        highlights.extend((s + shift, e + shift) for s, e in moved)
        parts.append(piece)
    if chosen and chosen[-1].cut_end:
        parts.append(f" {ELLIPSIS}")
    fragments_at = tuple((f.start, f.end) for f in chosen)
    return Snippet("".join(parts), tuple(highlights), fragments_at)


def _spans_within(spans: Sequence[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The (sorted) spans wholly inside [start, end)."""
    first = bisect.bisect_left(spans, (start, start))
    last = bisect.bisect_right(spans, (end, end))
    return [(s, e) for s, e in spans[first:last] if e <= end]


def _folded(
    text: str, start: int, end: int, spans: Sequence[tuple[int, int]]
) -> tuple[str, list[tuple[int, int]]]:
    """text[start:end] with white space runs as single spaces, and the (sorted)
    spans wholly inside it that hold no white space, moved to match."""
    gap_ends, gap_starts = [0], []  # white space runs, from ``start``
    removed = [0]  # characters folded away before each run's end
    for gap in _WHITESPACE.finditer(text, start, end):
        gap_starts.append(gap.start() - start)
        gap_ends.append(gap.end() - start)
        removed.append(removed[-1] + gap.end() - gap.start() - 1)
    gap_starts.append(end - start)
    moved = []
    for s, e in _spans_within(spans, start, end):
        at = bisect.bisect_right(gap_ends, s - start) - 1
        if e - start <= gap_starts[at]:  # else it holds white space
            moved.append((s - start - removed[at], e - start - removed[at]))
    return _WHITESPACE.sub(" ", text[start:end]), moved
