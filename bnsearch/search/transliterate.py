"""Romanized (Banglish) query words read as Bengali: ``dhaka`` finds ঢাকা.

Every Bengali word of the index (its exact forms; those in at least
MIN_FREQUENCY sections are read) is filed under its loose romanization key
(:mod:`bnsearch.analysis.romanize`); a Latin-typed query word is folded by
the same rules and looked up. Candidates sharing its key are ranked by how
close their loose forms are (vowels included) and then by frequency; those
within MAX_DISTANCE join the query as alternatives of the word, which stays
(for Latin-script text), and are highlighted as matches. Inflected Banglish
(``dhakar``, ``bangladesher``) finds the inflected form, whose stem reaches
every inflection.

A Latin word is read as Bengali only when it is not a word of the index in
its own right: its best Bengali reading must be in ENGLISH_RATIO times as
many sections as the Latin word (``dhaka``, in 49 sections of the shared
corpus as the English spelling in references, reads as ঢাকা, in 729;
``university``, in 358, stays English). Words shorter than MIN_LETTERS
letters, or whose key has fewer than two consonants, are never read as
Bengali (``the``, ``in``).

A Latin word with a reading counts as often as its best reading for the
common-word split (``prothom`` only adds to the score, as প্রথম does): with
every Latin word selecting, the 30 romanized questions of tests/data took
77 ms a query at the median; so, 37 ms (their Bengali originals: 16 ms),
for an MRR@10 of 0.80 instead of 0.85 (the originals: 0.98). Among the
closest readings a question word comes first, and then the word is left out
as its Bengali form would be (0.80 → 0.82).

The forms by key come from a table written with the index
(:mod:`bnsearch.engine.romanized`): a lookup costs one indexed read, in a
process that has just started.
"""

from __future__ import annotations

from collections.abc import Callable

from ..analysis import INTERROGATIVES
from ..analysis.romanize import (
    bengali_key,
    bengali_loose,
    is_latin_word,
    latin_key,
    latin_loose,
    loose_distance,
)

__all__ = [
    "ENGLISH_RATIO",
    "MAX_CANDIDATES",
    "Forms",
    "candidates",
    "is_latin_word",
]

MIN_FREQUENCY = 2  # sections a Bengali form must be in to be a reading
MIN_LETTERS = 3
ENGLISH_RATIO = 10
MAX_CANDIDATES = 3
MAX_DISTANCE = 1.5  # loose-form edits (a vowel half an edit)

# The Bengali forms filed under a romanization key (the index's table:
# bnsearch.engine.romanized), and a form's section count.
Forms = Callable[[str], list[str]]


def candidates(
    word: str,
    forms: Forms,
    frequency: Callable[[str], int],
    latin_frequency: int,
    function_word: Callable[[str], bool] = lambda form: False,
) -> list[tuple[str, int, float]]:
    """The Bengali readings of a Latin-typed word, best first, as (form,
    sections, distance); none for a word too short, or one that is a word
    of the index in its own right. Among the closest readings a function
    word (``function_word``: a stopword or question word) comes first: in a
    query, ``kobe`` is কবে before it is কাব্যে. Question words are read
    however rare they are (koyjon is কয়জন, then left out as কয়জন is)."""
    if not is_latin_word(word) or len(word) < MIN_LETTERS:
        return []
    key = latin_key(word)
    if len(key) < 2:
        return []
    loose = latin_loose(word)
    found = []
    for term in dict.fromkeys([*forms(key), *_INTERROGATIVE_KEYS.get(key, ())]):
        count = frequency(term)
        if count < MIN_FREQUENCY and term not in _INTERROGATIVE_FORMS:
            continue
        distance = loose_distance(loose, bengali_loose(term))
        if distance <= MAX_DISTANCE:
            found.append((term, count, distance))
    found.sort(key=lambda entry: (entry[2], not function_word(entry[0]), -entry[1], entry[0]))
    if not found or found[0][1] < ENGLISH_RATIO * latin_frequency:
        return []
    return found[:MAX_CANDIDATES]


def _interrogative_keys() -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for word in INTERROGATIVES:
        key = bengali_key(word)
        if len(key) >= 2:
            table.setdefault(key, []).append(word)
    return table


_INTERROGATIVE_FORMS = frozenset(INTERROGATIVES)
_INTERROGATIVE_KEYS = _interrogative_keys()
