"""Romanized (Banglish) query words read as Bengali: ``dhaka`` finds ঢাকা.

Every Bengali word of the index (its exact forms; those in at least
MIN_FREQUENCY sections are read) is filed under its loose romanization key
(:mod:`bnsearch.analysis.romanize`); a Latin-typed query word is folded by
the same rules and looked up (under two keys when it has "ng": ঙ, ঙ্গ or
ং). Candidates within MAX_DISTANCE in loose form are ranked by how well
the typed word spells them (``fit``, finer than the key: a typed
aspirate the word lacks, a wrong vowel) and then by frequency; they join
the query as alternatives of the word, which stays (for Latin-script
text), and are highlighted as matches. Inflected Banglish (``dhakar``,
``bangladesher``) finds the inflected form, whose stem reaches every
inflection.

A Latin word is read both ways — as Bengali and as typed — unless the
index's prose (its sections outside reference lists) writes it in Latin
letters at least as often as its best reading is written (``university``,
``the``: English). A name found in English references only (``paris``,
``london``) is read as the Bengali name. Words shorter than MIN_LETTERS
letters, or whose key has fewer than two consonants, are never read as
Bengali (``in``).

A Latin word with a reading counts as often as its best reading for the
common-word split (``prothom`` only adds to the score, as প্রথম does); with
every Latin word selecting, romanized questions were twice as slow and
ranked worse. Among the closest readings a question word comes first, and
then the word is left out as its Bengali form would be (figures in
docs/ranking.md).

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
    fit,
    is_latin_word,
    latin_keys,
    latin_loose,
    loose_distance,
)

__all__ = [
    "ENGLISH_RATIO",
    "FIT_MARGIN",
    "FIT_STEP",
    "MAX_CANDIDATES",
    "Forms",
    "candidates",
    "is_latin_word",
]

MIN_FREQUENCY = 2  # sections a Bengali form must be in to be a reading
MIN_LETTERS = 3
ENGLISH_RATIO = 1  # times the Latin word's sections outside references
MAX_CANDIDATES = 3
MAX_DISTANCE = 1.5  # loose-form edits (a vowel half an edit)
FIT_STEP = 0.5  # fits closer than this are ranked by frequency
FIT_MARGIN = 0.5  # readings that fit worse than the best by more are dropped

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
    sections, fit); none for a word too short, or one that is a word of the
    index in its own right and no Bengali word's good spelling.

    Candidates share one of the word's keys and are within MAX_DISTANCE of
    it in loose form; they are ranked by how well the word spells them
    (``fit``: a typed aspirate the word lacks, or a wrong vowel, count;
    fits within FIT_STEP are alike), then by frequency. Among equally good
    readings a function word (a stopword or question word) comes first: in
    a query, ``kobe`` is কবে before it is কাব্যে. Readings that fit clearly
    worse than the best (by FIT_MARGIN) are dropped. ``latin_frequency``
    counts the sections that hold the Latin word outside references: a name
    found in English references only (paris, london) is read as Bengali too,
    while a word the index's prose writes in Latin letters at least as
    often as its best reading (university, the) stays English. Question
    words are read however rare they are."""
    if not is_latin_word(word) or len(word) < MIN_LETTERS:
        return []
    keys = [key for key in latin_keys(word) if len(key) >= 2]
    if not keys:
        return []
    loose = latin_loose(word)
    found = []
    seen = [*(form for key in keys for form in forms(key))]
    seen += [form for key in keys for form in _INTERROGATIVE_KEYS.get(key, ())]
    for term in dict.fromkeys(seen):
        count = frequency(term)
        if count < MIN_FREQUENCY and term not in _INTERROGATIVE_FORMS:
            continue
        if loose_distance(loose, bengali_loose(term)) <= MAX_DISTANCE:
            found.append((term, count, round(fit(word, term), 2)))
    if not found:
        return []
    # Fits within a step are alike (the inherent vowel typed o or a, a long
    # vowel, an aspirate not typed): frequency decides between them.
    closest = min(entry[2] for entry in found)
    found.sort(
        key=lambda entry: (
            int(entry[2] / FIT_STEP),
            # a function word first only when no reading fits better
            not (entry[2] <= closest and function_word(entry[0])),
            -entry[1],
            entry[2],
            entry[0],
        )
    )
    best = found[0]
    if best[1] < ENGLISH_RATIO * latin_frequency:
        return []
    found = [entry for entry in found if entry[2] <= best[2] + FIT_MARGIN]
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
