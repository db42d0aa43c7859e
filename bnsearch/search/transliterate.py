"""Romanized (Banglish) query words read as Bengali: ``dhaka`` finds ঢাকা.

Every Bengali word of the index (its exact forms in at least MIN_FREQUENCY
sections) is filed under its loose romanization key
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

Measured on the shared corpus: building the lookup reads the body's exact
terms once per index generation (about 2 s for 166,000 terms; 46,000 Bengali
forms in 19,000 keys); a lookup then costs microseconds.
"""

from __future__ import annotations

from collections.abc import Iterable

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
    "Lookup",
    "build_lookup",
    "candidates",
    "is_latin_word",
]

MIN_FREQUENCY = 2  # sections a Bengali form must be in to be a reading
MIN_LETTERS = 3
ENGLISH_RATIO = 10
MAX_CANDIDATES = 3
MAX_DISTANCE = 1.5  # loose-form edits (a vowel half an edit)

Lookup = dict[str, list[tuple[str, int]]]


def _is_bengali(term: str) -> bool:
    return any("\u0980" <= char <= "\u09ff" for char in term)


def build_lookup(terms: Iterable[tuple[str, int]]) -> Lookup:
    """Each romanization key with the Bengali forms (and their section
    counts) filed under it, from (term, sections) pairs."""
    lookup: Lookup = {}
    for term, frequency in terms:
        if frequency >= MIN_FREQUENCY and _is_bengali(term):
            key = bengali_key(term)
            if len(key) >= 2:
                lookup.setdefault(key, []).append((term, frequency))
    return lookup


def candidates(word: str, lookup: Lookup, latin_frequency: int) -> list[tuple[str, int, float]]:
    """The Bengali readings of a Latin-typed word, best first, as (form,
    sections, distance); none for a word too short, or one that is a word
    of the index in its own right."""
    if not is_latin_word(word) or len(word) < MIN_LETTERS:
        return []
    key = latin_key(word)
    if len(key) < 2:
        return []
    loose = latin_loose(word)
    found = [
        (term, frequency, loose_distance(loose, bengali_loose(term)))
        for term, frequency in lookup.get(key, ())
    ]
    found = [entry for entry in found if entry[2] <= MAX_DISTANCE]
    found.sort(key=lambda entry: (entry[2], -entry[1], entry[0]))
    if not found or found[0][1] < ENGLISH_RATIO * latin_frequency:
        return []
    return found[:MAX_CANDIDATES]
