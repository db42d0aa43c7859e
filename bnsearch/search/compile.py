"""Compiling a parsed query to a Whoosh query, and what to highlight.

Words go through the same analyzers as documents, so every inflection and
spelling variant the index conflates matches, and Bengali and ASCII digits
are interchangeable. A prefix of at least MIN_PREFIX characters stands for
at most MAX_EXPANSIONS index terms per field, the most frequent (the plan
says how many it left out).

The plan is built in two plain steps: the Whoosh query (:class:`_Compiler`),
then the terms to highlight, read off the same tree (:func:`_highlights`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from whoosh import query as wq

from ..analysis import (
    analyze,
    exact_term,
    is_interrogative,
    normalize_tier0,
    normalize_tier1,
    stem_term,
)
from ..analysis.derivation import is_auxiliary, related_forms
from ..analysis.script import CONSONANTS, HASANTA, INDEPENDENT_VOWELS
from ..errors import QueryError, QueryTooBroadError
from ..model import Message
from .exonyms import bengali_names
from .parse import AnyOf, Filter, Group, Must, Node, Not, Phrase, Word
from .variants import rare_limit

__all__ = [
    "MAX_EXPANSIONS",
    "MIN_PREFIX",
    "Expander",
    "QueryPlan",
    "Romanizer",
    "Speller",
    "Weights",
    "compile_query",
]

MIN_PREFIX = 2  # characters before a *
MAX_EXPANSIONS = 50  # index terms a prefix stands for, per field
RELATED_MINIMUM = 3  # sections that must hold a related form (not a typo of one)


@dataclass(frozen=True)
class Parts:
    """The parts of the ranking that are not a weight, each switchable for
    an ablation (bench/ranking.py); all on by default."""

    # Question words (কবে, কোথায়) neither select nor score.
    question_words_left_out: bool = True
    # Two typed words are also searched as the one word the index holds.
    joined_words: bool = True
    # Section choice: a heading that names a query word the subject lacks.
    heading_rule: bool = True
    # The lead's defining sentence names the subject with the title.
    lead_subject: bool = True
    # Section choice: the sections that hold the most word weight (else only
    # those that hold every word).
    most_word_weight: bool = True
    # A title's adjacent words are the same words written solid.
    titles_written_apart: bool = True
    # Section choice: a heading without text is not shown while one with
    # text matches.
    skip_headings_without_text: bool = True
    # A close spelling counts in all its forms (else as written).
    spellings_by_word: bool = True
    # Section choice: a reference or link-list section is not shown while
    # another section matches.
    skip_reference_sections: bool = True
    # Section choice: a question about a subject in the genitive, in the
    # subject's article, is shown by the lead when the lead holds it.
    subject_lead: bool = True
    # A country or language typed by its English name is also searched by
    # its Bengali one (চায়না: চীন).
    exonyms: bool = True


@dataclass(frozen=True)
class Weights:
    """Field boosts and the default operator.

    Chosen with ``bnsearch eval`` on ../shared/eval/dev (57 queries): OR with
    the coordination bonus beat AND (MRR@10 0.991 against 0.904: AND finds
    nothing when a question has a word no section has) and, each weight
    halved or doubled, every neighbour of these values scored lower.
    """

    title: float = 2.0
    heading: float = 1.5
    body: float = 1.0
    exact: float = 0.5  # extra weight when the exact form matches too
    phrase: float = 1.0
    # "and": every word must match; "or": any word may, more words rank higher.
    operator: Literal["and", "or"] = "or"
    # With "or": Whoosh's coordination bonus (0 < c < 1), for sections that
    # match more of the query's words. None: a plain sum.
    coordination: float | None = 0.5
    # With "or": show an article by its best section that has every word of
    # the query, when there is one (the article's rank does not change).
    best_section_matches_all: bool = True
    # With "or": a word found in more than this share of all sections is
    # "common". A section must match one of the rarer words (or, when all are
    # common, the least common one), and common words only add to its score
    # (Lucene's common terms query): the search then reads the common words'
    # long posting lists only in the blocks that hold a selected section
    # (bnsearch.engine.arrays), instead of scoring every section that has,
    # say, বাংলাদেশ.
    # A word must also be in at least common_minimum sections: a shorter
    # posting list costs little to score whole, and the split costs recall
    # (a section with only the common words is not found). None: off.
    common_cutoff: float | None = 0.02
    common_minimum: int = 5000
    # An article's score: section_level × its best section's score +
    # article_level × BM25F over the whole article (bnsearch.search.rank);
    # 2 is the largest article weight that costs no set anything
    # (docs/ranking.md).
    section_level: float = 1.0
    article_level: float = 2.0
    # An article's score is multiplied by the share of the query's word
    # weight (idf) that the article holds, to this power: an article that
    # lacks the query's rarest word (ফিফা in ফিফার সদর দপ্তর কোথায়) falls
    # behind one that has it, however often it has the common ones (the
    # article জাতিসংঘ, by its section সদর দপ্তর). BM25 alone lets
    # frequent matches of common words outweigh a missing rare one. 0: off.
    coverage: float = 0.25
    # An article that lacks the subject of a question that opens with it in
    # the genitive (বাংলাদেশ in বাংলাদেশের রাজধানী কোথায়), while another holds
    # it, is scored this much of its score (bnsearch.search.rank.subject_held).
    # 1: off.
    subject_absent: float = 0.5
    # A close spelling of a rare word (bnsearch.search.variants) counts this
    # much of the word itself; 0: no variants.
    variant: float = 0.6
    # A participle before হওয়া or করা and its action noun (কবে প্রতিষ্ঠিত হয়:
    # প্রতিষ্ঠা; bnsearch.analysis.derivation), or the reverse: a section
    # that holds the other form holds the word when the section an article
    # is shown by is chosen (bnsearch.search.rank.choose_sections).
    related_forms: bool = True
    # A Bengali reading of a Latin-typed word (bnsearch.search.transliterate):
    # the best one counts this much of a typed Bengali word, the others half.
    romanized: float = 1.0
    # The most a reading after the best counts, of the best (and never more
    # in all than the best: sections × factor).
    alternative_reading: float = 0.5
    # Two hits with the same title whose best sections are at least this
    # alike (difflib's quick ratio) are one article crawled twice; 1: only
    # identical texts.
    duplicate_similarity: float = 0.9
    # The parts that are not a weight (switched off for ablations).
    parts: Parts = Parts()


@dataclass
class QueryPlan:
    """A compiled query and what the snippets and suggestions need from it."""

    query: wq.Query | None
    # Top-level exclusions (-word): every section of a matching article is
    # excluded, not only the sections that contain the word.
    excluded: wq.Query | None = None
    stems: set[str] = field(default_factory=set)  # positive free-text stem terms
    exact: set[str] = field(default_factory=set)  # positive exact terms (single words)
    phrases: list[tuple[str, ...]] = field(default_factory=list)
    prefixes: list[tuple[str, str]] = field(default_factory=list)  # (exact, stem) prefixes
    words: list[tuple[str, str, str]] = field(default_factory=list)  # (typed, exact, stem)
    stemming: bool = True
    # Every positive top-level part is a single word (no phrase, prefix, OR or
    # group): a section then matches the query's AND form exactly when its
    # title, heading and text hold every one of ``words``.
    plain_words: bool = False
    # Typed word → the (exact, stem) terms of the Bengali name of the country
    # or language it names in English (চায়না: চীন), searched as the word.
    exonyms: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # What the user should know about how the query was run (prefixes cut
    # down to their most frequent terms, close spellings added).
    notices: list[str] = field(default_factory=list)
    # Typed word → the (exact, stem) terms of its close spellings searched too.
    spellings: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # Typed word → the (exact, stem) terms of its related form (a
    # participle's action noun, or the reverse): not searched, but a section
    # that holds one holds the word when the section to show is chosen.
    related: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # Typed words in the genitive among the top-level words (the subject a
    # question asks about).
    genitives: frozenset[str] = frozenset()
    # The words of title: and section: filters, to highlight in the title
    # and the heading path (and nowhere else): "title" / "section" → a plan
    # holding only their highlight terms.
    scoped: dict[str, QueryPlan] = field(default_factory=dict)


# (field, prefix) → the prefix's most frequent terms in the field (at most
# MAX_EXPANSIONS) and how many terms have the prefix in all.
Expander = Callable[[str, str], tuple[list[str], int]]
# An exact form → its close spellings found in the index (exact forms), when
# the texts rarely write it; [] otherwise.
Speller = Callable[[str], list[str]]
# A Latin-typed word → its Bengali readings in the index (exact forms) with
# the sections holding each, best first; [] when it is not read as Bengali.
Romanizer = Callable[[str], list[tuple[str, int]]]
# An exact term → how many sections hold it (in any field): two typed words
# that the index holds written as one are searched as that word too.
Joiner = Callable[[str], int]
# Whether the index holds two exact forms one after the other (a phrase).
Apart = Callable[[str, str], bool]


_STEM_FIELDS = {"all": ("title", "heading", "body"), "title": ("title",), "section": ("heading",)}


@dataclass(frozen=True)
class _Reading:
    """What one typed word is searched as: a single word (its exact and stem
    terms; stem None for a stopword searched as itself) or a phrase (several
    words typed as one, আল-থানি)."""

    exact: str = ""
    stem: str | None = None
    phrase: tuple[str, ...] = ()


@lru_cache(maxsize=1 << 12)
def _content_terms(
    text: str, questions_left_out: bool = True
) -> tuple[tuple, tuple[tuple[str, str], ...]]:
    """The exact tokens of a typed word, and the (exact, stem) terms of those
    that carry content: not stopwords, not question words (কবে, কয়টি).
    Remembered: a query reads its words more than once (joined words,
    the words themselves), and users repeat words."""
    stems = analyze(text, "stem")
    exacts = tuple(analyze(text, "exact"))
    kept = tuple(
        (e.term, s.term)
        for e, s in zip(exacts, stems, strict=True)
        if s.term and not (questions_left_out and is_interrogative(s.term))
    )
    return exacts, kept


# Where a word may be cut in two: before a consonant or an independent vowel
# (not inside a conjunct), with both halves of at least this many code points.
_HALF = 3
_STARTS = CONSONANTS | INDEPENDENT_VOWELS


def _halves(exact: str, holding: Joiner, apart: Apart, questions: bool) -> list[tuple[str, str]]:
    """The two words (their exact and stem terms) that ``exact`` is written
    as in the index: of the cuts whose halves are both content words held
    there, the one whose rarer half is most frequent, if the index holds the
    two one after the other; else none (পেয়েছিলেন is not পেয়েছি লেন)."""
    best: tuple[int, list[tuple[str, str]]] = (0, [])
    for at in range(_HALF, len(exact) - _HALF + 1):
        if exact[at] not in _STARTS or exact[at - 1] == HASANTA:
            continue
        halves = []
        for part in (exact[:at], exact[at:]):
            tokens, terms = _content_terms(part, questions)
            if len(tokens) != 1 or len(terms) != 1:
                break
            halves.append(terms[0])
        else:
            rarer = min(holding(e) for e, _ in halves)
            if rarer > best[0]:
                best = (rarer, halves)
    if best[1] and apart(best[1][0][0], best[1][1][0]):
        return best[1]
    return []


# Genitive endings: -এর after a consonant, -র after a vowel, -দের plural.
_GENITIVE_ENDINGS = ("ের", "র", "দের")


def is_genitive(text: str) -> bool:
    """Whether a typed word is a noun in the genitive (বাংলাদেশের, মায়ার,
    মেয়েদের): its stem is the word without a genitive ending."""
    exact, stem = exact_term(text), stem_term(text)
    if not exact or not stem or exact == stem:
        return False
    rest = len(exact) - len(stem)
    return 1 <= rest <= 3 and exact.endswith(_GENITIVE_ENDINGS)


def _read_word(text: str, only_stopwords: bool, questions_left_out: bool = True) -> _Reading | None:
    """How a typed word is searched; None when it is not (a stopword or a
    question word among other words matches everything)."""
    exacts, kept = _content_terms(text, questions_left_out)
    if len(exacts) > 1 and len(kept) > 1:
        return _Reading(phrase=tuple(t.term for t in exacts if t.term))
    if not kept:
        if not only_stopwords or not exacts:
            return None
        return _Reading(exacts[0].term, None)
    exact, stem = kept[0]
    return _Reading(exact, stem)


def _phrase_terms(text: str) -> tuple[str, ...]:
    return tuple(t.term for t in analyze(text, "exact") if t.term)


# A compiled clause and, for a single word, the number of sections with its
# stem (the common-words split needs it).
_Clause = tuple[wq.Query, int | None]


class _Compiler:
    def __init__(
        self,
        weights: Weights,
        stemming: bool,
        only_stopwords: bool,
        frequency: Callable[[str], int] | None,
        sections: int,
        expand: Expander | None,
        speller: Speller | None = None,
        romanizer: Romanizer | None = None,
        joiner: Joiner | None = None,
        apart: Apart | None = None,
    ) -> None:
        self.weights, self.stemming, self.only_stopwords = weights, stemming, only_stopwords
        self.questions = weights.parts.question_words_left_out
        self.frequency, self.sections = frequency, sections
        self.expand, self.speller, self.romanizer = expand, speller, romanizer
        self.joiner, self.apart = joiner, apart
        self.notices: list[str] = []
        self.spellings: dict[str, list[tuple[str, str]]] = {}
        self.joined: dict[str, list[tuple[str, str]]] = {}  # see join_words
        self.split: dict[str, list[tuple[str, str]]] = {}  # see split_clause
        self.exonyms: dict[str, list[tuple[str, str]]] = {}  # see exonym_clauses
        self.related: dict[str, list[tuple[str, str]]] = {}  # see relate_words
        self.readings: dict[str, list[tuple[str, str]]] = {}  # of Latin-typed words
        self.reading_counts: dict[str, list[int]] = {}  # their sections, in order
        self.excluded: wq.Query | None = None  # top-level exclusions
        self.genitives: frozenset[str] = frozenset()  # top-level words in the genitive

    def note(self, key: str, template: str, **values: object) -> None:
        """Tell the user how the query was run (a Message, said in either
        language by the faces)."""
        self.notices.append(Message(key, template, **values))

    def boost(self, stem_field: str) -> float:
        return getattr(self.weights, stem_field)

    def node(self, node: Node, scope: str) -> _Clause | None:
        if isinstance(node, Word):
            return self.prefix(node.text, scope) if node.prefix else self.word(node.text, scope)
        if isinstance(node, Phrase):
            query = self.phrase(_phrase_terms(node.text), scope)
            return (query, None) if query is not None else None
        if isinstance(node, Filter):
            inner = self.node(node.node, node.field)
            if inner is None and not self.only_stopwords:
                # A filter that vanished would widen the search unnoticed.
                raise QueryError(
                    Message(
                        "empty_filter",
                        "the {field} filter {words!r} has no word to search "
                        "for: stopwords and question words are not indexed",
                        field=node.field,
                        words=_shown(node.node),
                    )
                )
            return inner
        if isinstance(node, Must):
            return self.node(node.node, scope)
        if isinstance(node, Not):
            inner = self.node(node.node, scope)
            return (wq.Not(inner[0]), None) if inner is not None else None
        if isinstance(node, AnyOf):
            parts = [c[0] for c in (self.node(n, scope) for n in node.nodes) if c]
            if not parts:
                return None
            return (wq.Or(parts) if len(parts) > 1 else parts[0]), None
        query = self.group(node, scope)
        return (query, None) if query is not None else None

    def join_words(self, nodes: list[Node]) -> None:
        """Two adjacent typed words that the index holds written as one word
        (ডে লাইট: ডেলাইট; বঙ্গ বন্ধু: বঙ্গবন্ধু): Bengali writes many compounds
        and loanwords either way. The joined word is searched as a close
        spelling of each of the two (weighted as one, highlighted, counted
        as holding both words); figures in docs/ranking.md."""
        if self.joiner is None or not self.stemming or not self.weights.variant:
            return
        if not self.weights.parts.joined_words:
            return
        for first, second in itertools.pairwise(nodes):
            if not (isinstance(first, Word) and isinstance(second, Word)):
                continue
            if first.prefix or second.prefix or first.text == second.text:
                continue
            if self.join_romanized(first.text, second.text):
                continue
            # (_read_word reads through the remembered _content_terms.)
            pair = [
                _read_word(w.text, self.only_stopwords, self.questions) for w in (first, second)
            ]
            if any(r is None or r.phrase or r.stem is None for r in pair):
                continue
            # The joined exact forms first (one lookup); the joined text is
            # analyzed only when the index has them.
            if self.joiner(pair[0].exact + pair[1].exact) < 1:  # type: ignore[union-attr]
                continue
            tokens, terms = _content_terms(first.text + second.text, self.questions)
            if len(tokens) != 1 or len(terms) != 1 or self.joiner(terms[0][0]) < 1:
                continue
            for typed in (first.text, second.text):
                found = self.joined.setdefault(typed, [])
                if terms[0] not in found:
                    found.append(terms[0])
            self.note(
                "joined",
                "{words}: also searched {joined}, as written in the index",
                words=f"{first.text} {second.text}",
                joined=first.text + second.text,
            )

    def join_romanized(self, first: str, second: str) -> bool:
        """Two Latin-typed words that spell one Bengali word of the index
        together (bongo bondhu: বঙ্গবন্ধু, jolo bayu: জলবায়ু): its best
        reading is searched as a joined word of each, as for Bengali."""
        if self.romanizer is None or not (first.isascii() and second.isascii()):
            return False
        if not (first.isalpha() and second.isalpha()):
            return False
        readings = self.romanizer(first + second)
        if not readings:
            return False
        terms = _content_terms(readings[0][0], self.questions)[1]
        if len(terms) != 1:
            return False
        for typed in (first, second):
            found = self.joined.setdefault(typed, [])
            if terms[0] not in found:
                found.append(terms[0])
        self.note(
            "joined_romanized",
            "{words}: also searched {joined}, read as one romanized word",
            words=f"{first} {second}",
            joined=readings[0][0],
        )
        return True

    def relate_words(self, nodes: list[Node]) -> None:
        """A participle or action noun typed before a form of হওয়া or করা
        (প্রতিষ্ঠিত হয়, আবিষ্কার করেন) has a related form (প্রতিষ্ঠা,
        আবিষ্কৃত): the first of bnsearch.analysis.derivation's candidates
        that at least RELATED_MINIMUM sections hold. It is not searched,
        but a section that holds it holds the word when the section to show
        is chosen (ফিদে কবে প্রতিষ্ঠিত হয় is answered by a section that says
        প্রতিষ্ঠা), and it is highlighted. Searched too, it cost MRR@10
        (docs/ranking.md)."""
        if self.frequency is None or not self.stemming or not self.weights.related_forms:
            return
        for word, verb in itertools.pairwise(nodes):
            if not (isinstance(word, Word) and isinstance(verb, Word)) or word.prefix:
                continue
            if not is_auxiliary(verb.text) or word.text in self.related:
                continue
            reading = _read_word(word.text, self.only_stopwords, self.questions)
            if reading is None or reading.phrase or reading.stem is None:
                continue
            for form in related_forms(reading.stem):
                tokens, terms = _content_terms(form, self.questions)
                if len(tokens) != 1 or len(terms) != 1 or terms[0][1] == reading.stem:
                    continue
                if self.frequency(terms[0][1]) >= RELATED_MINIMUM:
                    self.related[word.text] = [terms[0]]
                    self.note(
                        "related",
                        "{words}: a section that says {form} answers it too",
                        words=f"{word.text} {verb.text}",
                        form=terms[0][0],
                    )
                    break

    def group(self, node: Group, scope: str, top: bool = False) -> wq.Query | None:
        self.join_words(node.nodes)
        self.relate_words(node.nodes)
        if top:
            words = [n.text for n in node.nodes if isinstance(n, Word) and not n.prefix]
            self.genitives = frozenset(text for text in words if is_genitive(text))
        required: list[wq.Query] = []
        optional: list[_Clause] = []
        excluded: list[wq.Query] = []
        musts = 0
        for child in node.nodes:
            compiled = self.node(child, scope)
            if compiled is None:
                continue
            query = compiled[0]
            if isinstance(query, wq.Not):
                excluded.append(query.query)
            elif isinstance(child, Filter | Must):
                required.append(query)
                musts += isinstance(child, Must)
            else:
                optional.append(compiled)
        scoring = None  # with +word or AND: the other words only add to the score
        if optional:
            if self.weights.operator == "and":
                required.extend(query for query, _ in optional)
            elif musts:
                scoring = self.either(optional, top)
            else:
                required.append(self.either(optional, top))
        if not required:
            if not excluded:
                return None
            required = [wq.Every()]  # only exclusions: everything but them
        if excluded and top:
            self.excluded = wq.Or(excluded) if len(excluded) > 1 else excluded[0]
        elif excluded:
            # And + Not, not Whoosh's AndNot: its matcher lets negated
            # documents through when the negation is a union (Whoosh 2.7.4).
            required.append(wq.Not(wq.Or(excluded) if len(excluded) > 1 else excluded[0]))
        selecting = wq.And(required) if len(required) > 1 else required[0]
        return selecting if scoring is None else wq.AndMaybe(selecting, scoring)

    def either(self, clauses: list[_Clause], top: bool) -> wq.Query:
        """Clauses joined by OR; at the top level, common words only score."""
        if len(clauses) == 1:
            return clauses[0][0]
        scale = self.weights.coordination
        cutoff = self.weights.common_cutoff
        queries = [query for query, _ in clauses]
        if top and cutoff is not None and self.frequency is not None:
            limit = max(cutoff * self.sections, self.weights.common_minimum)
            # Words found nowhere neither select nor score: leave them out of
            # the split, or a misspelling would select nothing.
            rare = [q for q, n in clauses if n is None or 0 < n <= limit]
            common = [(q, n) for q, n in clauses if n is not None and n > limit]
            if common and not rare and len(common) > 1:
                # Every word is common: the least common one selects.
                least = min(common, key=lambda pair: pair[1])
                rare, common = [least[0]], [pair for pair in common if pair is not least]
            if rare and common:
                selecting = wq.Or(rare, scale=scale) if len(rare) > 1 else rare[0]
                scoring = [q for q, _ in common]
                return wq.AndMaybe(selecting, wq.Or(scoring) if len(scoring) > 1 else scoring[0])
        return wq.Or(queries, scale=scale)

    def word(self, text: str, scope: str) -> _Clause | None:
        reading = _read_word(text, self.only_stopwords, self.questions)
        if reading is None:
            return None
        if reading.phrase:
            query = self.phrase(reading.phrase, scope)
            return (query, None) if query is not None else None
        exact, stem = reading.exact, reading.stem
        clauses = []
        for stem_field in _STEM_FIELDS[scope]:
            weight = self.boost(stem_field)
            if self.stemming and stem is not None:
                clauses.append(wq.Term(stem_field, stem, boost=weight))
                clauses.append(
                    wq.Term(f"{stem_field}_exact", exact, boost=weight * self.weights.exact)
                )
            else:
                clauses.append(wq.Term(f"{stem_field}_exact", exact, boost=weight))
        count = None
        if self.frequency is not None and stem is not None and self.stemming:
            count = self.frequency(stem)
            clauses += self.spelling_clauses(text, exact, stem, scope)
            clauses += self.exonym_clauses(text, stem, count, scope)
        joined = self.joined.get(text, [])
        clauses += self.alternatives(joined, [self.weights.variant] * len(joined), scope)
        if count is not None:
            clauses += self.split_clause(text, exact, count, scope)
        if self.romanizer is not None and self.stemming:
            readings = self.romanized_clauses(text, scope)
            if readings:
                clauses += readings
                # As common as its best reading, for the common-word split:
                # "prothom" only adds to the score, as প্রথম does.
                best_stem = self.readings[text][0][1]
                if self.frequency is not None:
                    count = max(count or 0, self.frequency(best_stem))
        return wq.Or(clauses), count

    def exonym_clauses(self, text: str, stem: str, count: int, scope: str) -> list[wq.Query]:
        """The Bengali name of a country or language typed by its English
        name (চায়না: চীন, ফ্রেঞ্চ: ফরাসি; bnsearch.search.exonyms), as the
        word itself: when the index holds the Bengali name more often than
        the typed word, which is then the unusual name of the same thing."""
        if not self.weights.parts.exonyms or self.frequency is None:
            return []
        found = self.exonyms.get(text)
        if found is None:
            found, names = [], bengali_names(stem)
            read = set()
            if names and self.romanizer is not None and self.stemming:
                # A name the word is read as, romanized (japan: জাপান), is searched so.
                read = {form for _, form in self.romanized(text)}
            for name in names:
                terms = _content_terms(name, self.questions)[1]
                if len(terms) == 1 and terms[0][1] not in read:
                    if self.frequency(terms[0][1]) > count:
                        found.append(terms[0])
            self.exonyms[text] = found
            if found:
                self.note(
                    "exonyms",
                    "{word}: also searched {names}, its Bengali name",
                    word=text,
                    names=", ".join(name for name, _ in found),
                )
        return self.alternatives(found, [1.0] * len(found), scope)

    def split_clause(self, text: str, exact: str, count: int, scope: str) -> list[wq.Query]:
        """A rare word that the index writes as two words (ওরাংওটাং: ওরাং
        ওটাং), the reverse of join_words: a section that holds both halves
        holds it, each half at half a close spelling's weight."""
        if self.joiner is None or self.apart is None or not self.weights.variant:
            return []
        if not self.weights.parts.joined_words or count > rare_limit(self.sections):
            return []
        found = self.split.get(text)
        if found is None:
            found = self.split[text] = _halves(exact, self.joiner, self.apart, self.questions)
            if found:
                self.note(
                    "split",
                    "{word}: also searched {halves}, as written in the index",
                    word=text,
                    halves=" ".join(half for half, _ in found),
                )
        if not found:
            return []
        half = self.weights.variant / 2
        return [wq.And([wq.Or(self.alternatives([part], [half], scope)) for part in found])]

    def romanized_clauses(self, text: str, scope: str) -> list[wq.Query]:
        """Terms of the Bengali readings of a Latin-typed word."""
        found = self.romanized(text)
        # The best reading counts fully; another at most half, and never
        # with more weight in all than the best (sections × factor): টেস্ট
        # in 259 sections must not fill the hits of tista, তিস্তা in 16.
        counts = self.reading_counts.get(text, [])
        factors = [
            self.weights.romanized
            * (1.0 if n == 0 else min(self.weights.alternative_reading, counts[0] / counts[n]))
            for n in range(len(found))
        ]
        return self.alternatives(found, factors, scope)

    def romanized(self, text: str) -> list[tuple[str, str]]:
        """The (exact, stem) terms of a Latin-typed word's Bengali readings,
        best first, each said once in a note."""
        found = self.readings.get(text)
        if found is None:
            found, counts = [], []
            for number, (reading, count) in enumerate(self.romanizer(text)):  # type: ignore[misc]
                terms = _content_terms(reading, self.questions)[1]
                if not terms and number == 0:
                    break  # read best as a stopword or question word (kobe, kon): no reading
                if len(terms) == 1:
                    found.append(terms[0])
                    counts.append(max(1, count))
            self.readings[text] = found
            self.reading_counts[text] = counts
            if found:
                shown = ", ".join(reading for reading, _ in found)
                self.note(
                    "romanized",
                    "{word} → {forms}: read as romanized Bengali",
                    word=text,
                    forms=shown,
                )
        return found

    def alternatives(
        self, forms: list[tuple[str, str]], factors: list[float], scope: str
    ) -> list[wq.Query]:
        """The stem and exact terms of other forms of a word (close
        spellings, romanized readings), each weighted by its factor."""
        clauses: list[wq.Query] = []
        for (form_exact, form_stem), factor in zip(forms, factors, strict=True):
            for stem_field in _STEM_FIELDS[scope]:
                weight = self.boost(stem_field) * factor
                clauses.append(wq.Term(stem_field, form_stem, boost=weight))
                clauses.append(
                    wq.Term(f"{stem_field}_exact", form_exact, boost=weight * self.weights.exact)
                )
        return clauses

    def spelling_clauses(self, text: str, exact: str, stem: str, scope: str) -> list[wq.Query]:
        """Terms of the close spellings of a rare word, weighted below it."""
        if self.speller is None or not self.weights.variant:
            return []
        found = self.spellings.get(text)
        if found is None:
            found = []
            for spelling in self.speller(exact):
                terms = _content_terms(spelling, self.questions)[1]
                if len(terms) == 1 and terms[0][1] != stem:
                    found.append(terms[0])
            self.spellings[text] = found
            if found:
                shown = ", ".join(spelling for spelling, _ in found)
                self.note(
                    "spellings",
                    "{word}: also searched {forms}, as spelled in the index",
                    word=text,
                    forms=shown,
                )
        return self.alternatives(found, [self.weights.variant] * len(found), scope)

    def phrase(self, terms: tuple[str, ...], scope: str) -> wq.Query | None:
        if not terms:
            return None
        if len(terms) == 1:
            return wq.Or(
                [wq.Term(f"{f}_exact", terms[0], boost=self.boost(f)) for f in _STEM_FIELDS[scope]]
            )
        return wq.Or(
            [
                wq.Phrase(f"{f}_exact", list(terms), boost=self.boost(f) * self.weights.phrase)
                for f in _STEM_FIELDS[scope]
            ]
        )

    def prefix(self, text: str, scope: str) -> _Clause | None:
        exact = normalize_tier0(text)
        stem = normalize_tier1(exact)
        if not exact:
            return None
        if len(exact) < MIN_PREFIX:
            raise QueryTooBroadError(
                Message(
                    "short_prefix",
                    "{prefix}* is too broad: give at least {letters} letters before the *",
                    prefix=text,
                    letters=MIN_PREFIX,
                )
            )
        clauses: list[wq.Query] = []
        left_out = 0
        for stem_field in _STEM_FIELDS[scope]:
            boost = self.boost(stem_field)
            pairs = [(f"{stem_field}_exact", exact)]
            if self.stemming:
                pairs.append((stem_field, stem))
            for name, start in pairs:
                if self.expand is None:
                    clauses.append(wq.Prefix(name, start, boost=boost))
                    continue
                terms, total = self.expand(name, start)
                left_out = max(left_out, total - len(terms))
                clauses.extend(wq.Term(name, term, boost=boost) for term in terms)
        if left_out:
            self.note(
                "prefix_cut",
                "{prefix}* stands for more words than a search takes; searched the "
                "{kept} most frequent and left out {left_out:,}",
                prefix=text,
                kept=MAX_EXPANSIONS,
                left_out=left_out,
            )
        if not clauses:  # no term has the prefix: a term that matches nothing
            return wq.Term("body_exact", exact), None
        return wq.Or(clauses), None


def _shown(node: Node) -> str:
    """A node as it could have been typed (for messages)."""
    if isinstance(node, Word):
        return node.text + ("*" if node.prefix else "")
    if isinstance(node, Phrase):
        return f'"{node.text}"'
    if isinstance(node, Filter | Not | Must):
        return _shown(node.node)
    return " ".join(_shown(n) for n in node.nodes)


def _has_content_word(node: Node, questions_left_out: bool = True) -> bool:
    """Whether any word of the query survives stopword and question-word removal."""
    if isinstance(node, Word):
        return node.prefix or bool(_content_terms(node.text, questions_left_out)[1])
    if isinstance(node, Phrase):
        return True
    if isinstance(node, Filter | Not | Must):
        return _has_content_word(node.node, questions_left_out)
    return any(_has_content_word(n, questions_left_out) for n in node.nodes)


def _positive_nodes(tree: Group) -> list[Word | Phrase]:
    """The words and phrases the query looks for in any field (not inside
    an exclusion or a title:/section: filter), in the order written."""
    found: list[Word | Phrase] = []
    stack: list[Node] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Word | Phrase):
            found.append(node)
        elif isinstance(node, AnyOf | Group):
            stack.extend(reversed(node.nodes))
        elif isinstance(node, Must):
            stack.append(node.node)
    return found


def _filtered_nodes(tree: Group) -> dict[str, list[Node]]:
    """The positive title: and section: filters' parts, by field."""
    found: dict[str, list[Node]] = {}
    stack: list[Node] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Filter):
            found.setdefault(node.field, []).append(node.node)
        elif isinstance(node, AnyOf | Group):
            stack.extend(reversed(node.nodes))
        elif isinstance(node, Must):
            stack.append(node.node)
    return found


def _highlights(
    plan: QueryPlan, tree: Group, only_stopwords: bool, questions_left_out: bool = True
) -> None:
    """Fill in what snippets, suggestions and the every-word check need: the
    terms of the positive words (and their close spellings), phrases and
    prefixes."""
    for node in _positive_nodes(tree):
        if isinstance(node, Word) and node.prefix:
            exact = normalize_tier0(node.text)
            if exact:
                plan.prefixes.append((exact, normalize_tier1(exact)))
            continue
        if isinstance(node, Word):
            reading = _read_word(node.text, only_stopwords, questions_left_out)
            if reading is None:
                continue
            if not reading.phrase:
                if reading.stem is not None:
                    plan.stems.add(reading.stem)
                plan.exact.add(reading.exact)
                plan.words.append((node.text, reading.exact, reading.stem or ""))
                others = [*plan.spellings.get(node.text, ()), *plan.related.get(node.text, ())]
                for other_exact, other_stem in others:
                    plan.stems.add(other_stem)
                    plan.exact.add(other_exact)
                continue
            terms = reading.phrase
        else:
            terms = _phrase_terms(node.text)
        if len(terms) == 1:
            plan.exact.add(terms[0])
        elif terms:
            plan.phrases.append(terms)


def compile_query(
    tree: Group,
    weights: Weights,
    *,
    stemming: bool = True,
    frequency: Callable[[str], int] | None = None,
    sections: int = 0,
    expand: Expander | None = None,
    speller: Speller | None = None,
    romanizer: Romanizer | None = None,
    joiner: Joiner | None = None,
    apart: Apart | None = None,
) -> QueryPlan:
    """The Whoosh query for a parsed query, with the terms to highlight.

    A query made only of stopwords (এবং, কী) searches their exact forms
    instead of nothing. ``frequency`` counts the sections (of ``sections``)
    that have a stem term; without it the common-words split is off.
    ``expand`` lists a prefix's terms (without it, prefixes are Whoosh's
    unbounded Prefix queries, fit only for highlighting); ``speller`` finds
    close spellings of rare words (without it, none are searched);
    ``romanizer`` the Bengali readings of Latin-typed words; ``joiner``
    tells whether the index holds two adjacent words written as one, and
    ``apart`` whether it holds a rare word's two halves written apart.
    """
    questions = weights.parts.question_words_left_out
    only_stopwords = not _has_content_word(tree, questions)
    compiler = _Compiler(
        weights,
        stemming,
        only_stopwords,
        frequency,
        sections,
        expand,
        speller,
        romanizer,
        joiner,
        apart,
    )
    query = compiler.group(tree, "all", top=True)
    plan = QueryPlan(
        query,
        compiler.excluded,
        stemming=stemming,
        notices=compiler.notices,
        # Bengali readings are highlighted and count as evidence as spellings do.
        spellings={
            text: compiler.spellings.get(text, [])
            + compiler.readings.get(text, [])
            + compiler.joined.get(text, [])
            + compiler.split.get(text, [])
            + compiler.exonyms.get(text, [])
            for text in compiler.spellings.keys()
            | compiler.readings.keys()
            | compiler.joined.keys()
            | compiler.split.keys()
            | compiler.exonyms.keys()
        },
        related=compiler.related,
        exonyms={text: found for text, found in compiler.exonyms.items() if found},
        genitives=compiler.genitives,
    )
    _highlights(plan, tree, only_stopwords, questions)
    for scope, nodes in _filtered_nodes(tree).items():
        plan.scoped[scope] = QueryPlan(None, stemming=stemming)
        _highlights(plan.scoped[scope], Group(tuple(nodes)), only_stopwords, questions)
    plan.plain_words = (
        all(
            isinstance(node, Word | Filter | Not)
            or (isinstance(node, Must) and isinstance(node.node, Word))
            for node in tree.nodes
        )
        and not plan.phrases
        and not plan.prefixes
    )
    return plan
