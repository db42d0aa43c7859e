"""Close spellings of rare query words: আলবানিয়া finds আলবেনিয়া, সিসিয়াম
সিজিয়াম.

Names and loanwords have several real spellings. When a query word's stem is
absent or rare in the index, the index terms that differ from it only by a
spelling variation — a cost-weighted edit distance in which the usual
variations cost half an edit — and are much more frequent join the query as
weighted alternatives (scored below the word itself, highlighted as
matches). A common word never gets variants, so words the analysis keeps
apart (পড়া/পরা) stay apart.

Cheap edits (0.5): one vowel sign for another, or one added or dropped; a
hasanta added or dropped; one letter for another of its group (স শ ষ, জ য,
ন ণ, ত ট, দ ড, থ ঠ, ধ ঢ, ব ভ, ক খ, গ ঘ, চ ছ, প ফ); an independent vowel
for য (ইসরাইল/ইসরায়েল). A nukta is free (য়, ড় typed either way). Other
edits cost 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

from ..analysis import normalize_tier1
from ..analysis.distance import weighted_distance
from ..analysis.script import HASANTA, INDEPENDENT_VOWELS, NUKTA, VOWEL_SIGNS

__all__ = ["MAX_VARIANTS", "close_spellings", "rare_limit", "spelling_distance"]

# A word is rare when at most this share of the sections (and at least
# RARE sections) hold it; a variant must be in FREQUENT_FACTOR times as many
# sections as the word, and in MIN_FREQUENCY at least. ইসরাইল (69 of 14,837
# sections of the shared corpus) is no rare word, however often ইসরায়েল
# (178) is written.
RARE = 2
RARE_SHARE = 0.002
FREQUENT_FACTOR = 5
MIN_FREQUENCY = 3
MAX_VARIANTS = 2
MIN_LENGTH = 3  # shorter words (code points) get no variants
SHORT = 5  # shorter words get variants only when the index has them nowhere

_GROUPS = ["সশষ", "জয", "নণ", "তটৎ", "দড", "থঠ", "ধঢ", "বভ", "কখ", "গঘ", "চছ", "পফ"]
_GROUP_OF = {letter: group for group in _GROUPS for letter in group}
_VOWEL_SIGNS = VOWEL_SIGNS
_INDEPENDENT_VOWELS = INDEPENDENT_VOWELS
_HASANTA, _NUKTA = HASANTA, NUKTA


def _substitution(a: str, b: str) -> float:
    if a == b:
        return 0.0
    if a in _VOWEL_SIGNS and b in _VOWEL_SIGNS:
        return 0.5
    group = _GROUP_OF.get(a)
    if group is not None and b in group:
        return 0.5
    if (a in _INDEPENDENT_VOWELS and b == "য") or (b in _INDEPENDENT_VOWELS and a == "য"):
        return 0.5
    return 1.0


def _indel(char: str) -> float:
    if char == _NUKTA:
        return 0.0
    if char in _VOWEL_SIGNS or char == _HASANTA:
        return 0.5
    return 1.0


@lru_cache(maxsize=1 << 16)
def spelling_distance(a: str, b: str, limit: float = math.inf) -> float:
    """The cost-weighted edit distance between two stems (see the module);
    ``math.inf`` when it is over ``limit``."""
    return weighted_distance(a, b, _substitution, _indel, limit)


def spelled_alike(stem: str, other: str) -> bool:
    """Whether two stems are one word spelled two ways (লাটভিয়া, লাতভিয়া),
    within the distance a close spelling of ``stem`` may be."""
    if stem == other:
        return True
    if len(stem) < MIN_LENGTH:
        return False
    allowed = _allowed(stem)
    if _surely_apart(len(stem), _letters(stem), other, allowed):
        return False
    return spelling_distance(stem, other, allowed) <= allowed


def _letters(word: str) -> dict[str, int]:
    """How often ``word`` has each character that costs something to add
    or change."""
    counts: dict[str, int] = {}
    for char in word:
        if char != _NUKTA:
            counts[char] = counts.get(char, 0) + 1
    return counts


def _surely_apart(length: int, letters: dict[str, int], other: str, limit: float) -> bool:
    """Whether ``other`` is further than ``limit`` from a word of ``length``
    code points and ``letters`` (_letters), by bounds of spelling_distance
    from below that are cheaper than the distance: its length (each added
    or dropped character costs at least 0.5) and its letters."""
    return abs(len(other) - length) > 2 * limit or _letters_apart(letters, other) > limit


def _letters_apart(letters: dict[str, int], other: str) -> float:
    """A lower bound of spelling_distance from the characters alone: each
    edit costs at least 0.5 and mends at most one missing character on
    each side."""
    left = dict(letters)
    extra = 0
    for char in other:
        if char == _NUKTA:
            continue
        if left.get(char):
            left[char] -= 1
        else:
            extra += 1
    return 0.5 * max(extra, sum(left.values()))


def spelling_limit(word: str) -> float:
    """How far a close spelling of the typed ``word`` may be (its folded
    form's length decides; see _allowed)."""
    return _allowed(normalize_tier1(word))


def _allowed(word: str) -> float:
    """How far a variant may be: one cheap edit for a short word (বিষ/বিষয়
    are two words), a full edit from five code points on
    (সিসিয়াম/সিজিয়াম), two from ten (আলেক্সান্ডার/আলেকজান্ডার is 1.5)."""
    if len(word) < SHORT:
        return 0.5
    return 1.0 if len(word) < 10 else 2.0


def starts_alike(stem: str, other: str) -> bool:
    """Whether ``other`` starts where a close spelling of ``stem`` can
    (_prefixes): a cheap test before the distance."""
    return other.startswith(_prefixes(stem))


@lru_cache(maxsize=1 << 12)
def _prefixes(stem: str) -> tuple[str, ...]:
    """Where variants can start: the first letter or one of its group, then
    the second character or any vowel sign (or the third, when the second is
    a vowel sign that may have been dropped)."""
    first = stem[0]
    firsts = _GROUP_OF.get(first, first)
    if first in _INDEPENDENT_VOWELS or first == "য":
        firsts = "".join(sorted(set(firsts) | {first}))
    second = stem[1]
    seconds = set(_VOWEL_SIGNS | {second}) if second in _VOWEL_SIGNS else {second}
    seconds |= set(_GROUP_OF.get(second, ""))
    prefixes = {a + b for a in firsts for b in seconds}
    if second in _VOWEL_SIGNS:  # the vowel sign may be missing from the variant
        prefixes |= set(firsts)
    return tuple(sorted(prefixes))


def rare_limit(sections: int) -> int:
    """The most sections a word may be in and still get variants."""
    return max(RARE, int(sections * RARE_SHARE))


def close_spellings(
    word: str,
    frequency: int,
    rare: int,
    terms_with_prefix: Callable[[str], list[str]],
    frequency_of: Callable[[str], int],
    word_of: Callable[[str], tuple[str, int]] | None = None,
) -> list[str]:
    """Index terms (exact forms, as written in documents) that are close
    spellings of a rare typed ``word`` (found in ``frequency`` sections, at
    most ``rare``) and much more frequent, best first; none for a common or
    short word. ``frequency_of`` counts the sections holding a term as
    written.

    ``word_of`` gives the word (stem) a term is a form of and the sections
    holding any of its forms. The typed word's ``frequency`` counts all its
    forms, so with ``word_of`` a spelling's does too, when its word is as
    close to the typed word's as the spelling is: a name written with
    several endings (মিশর, মিশরের, মিশরে …) is as frequent as all of them,
    not as one. A spelling that is a form of a word further off (কলার, of
    কলা, for কলেরা) counts alone. Forms of one word count once, by the
    form most often written, so that two forms of one word do not take both
    places.

    Forms are compared as written, not as stems: the stemmer treats the
    endings of a word's spellings alike, but not always the same way
    (জিম্বাবোয়ের, জিম্বাবুয়ে). ``word`` and the terms are compared after
    tier-1 folding (ী/ি, ূ/ু …), so those differences cost nothing."""
    typed = word
    word = normalize_tier1(word)
    if len(word) < SHORT:
        rare = 0  # a short word found in the text at all is a word of its own (শোনা/সোনা)
    if frequency > rare or len(word) < MIN_LENGTH or not ("\u0980" <= word[0] <= "\u09ff"):
        return []
    limit = _allowed(word)
    typed_word = normalize_tier1(word_of(typed)[0]) if word_of is not None else ""
    enough = max(MIN_FREQUENCY, FREQUENT_FACTOR * frequency)
    # term → (distance, sections of its word, sections of the term, its word)
    found: dict[str, tuple[float, int, int, str]] = {}
    letters = _letters(word)
    for prefix in _prefixes(word):
        for term in terms_with_prefix(prefix):
            folded = normalize_tier1(term)
            if folded == word or term in found or _surely_apart(len(word), letters, folded, limit):
                continue
            distance = spelling_distance(word, folded, limit)
            if distance <= limit:
                written = frequency_of(term)
                same, count = term, written
                if word_of is not None:
                    stem, stem_count = word_of(term)
                    if spelling_distance(typed_word, normalize_tier1(stem)) <= limit:
                        same, count = stem, stem_count
                if count >= enough:
                    found[term] = (distance, count, written, same)
    ranked = sorted(found, key=lambda t: (found[t][0], -found[t][1], -found[t][2], t))
    chosen: list[str] = []
    words: set[str] = set()
    for term in ranked:
        same = found[term][3]
        if same not in words:
            words.add(same)
            chosen.append(term)
    return chosen[:MAX_VARIANTS]
