"""A light stemmer for Bengali noun inflection (fact sheet, section 6.1).

It removes what Bengali adds to a noun, outermost first: an emphatic particle
(-ই, -ও), a case ending (-এর/-ের, -র and -য় after a vowel, -কে, -তে, -এ/-ে)
and a plural or classifier suffix (-গুলো, -গুলি, -দের, -রা/-েরা, -টি, -টা,
-সমূহ, also in their case-marked forms). Verbs are left alone.

Over-stemming merges different words, so every cut is guarded:

* at most two cuts, going inward (particle, case, plural), and an emphatic
  particle only as the outermost one;
* the stem keeps at least two letters (consonants, independent vowels,
  anusvara or digits: মাটিতে → মাটি, never মা);
* no cut right after a hasanta (যাত্রা, পার্টি keep their conjunct);
* a cut never leaves a stopword (আমির is not আমি + র);
* protected words are never cut, and when one of the possible cuts leaves a
  protected word that cut wins (দশকে is দশক + এ, not দশ + কে).

The rules work on tier-0 and tier-1 normalized text, in which nukta letters
are decomposed (য় = য + ়) and ী, ূ, ৎ have been folded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from typing import NamedTuple

from .normalize import normalize_tier0, normalize_tier1
from .script import CONSONANTS, HASANTA, INDEPENDENT_VOWELS, VOWEL_SIGNS

__all__ = ["VOWEL_SIGNS", "BengaliStemmer", "count_letters"]

_HASANTA = HASANTA
_CONSONANTS = CONSONANTS
_INDEPENDENT_VOWELS = INDEPENDENT_VOWELS
# What may end a consonant-final stem: a consonant, a nukta consonant (its last
# code point is the nukta) or anusvara (রং, after tier 1 also ঙ).
_CONSONANT_END = _CONSONANTS | {"\u09bc", "\u0982"}
_VOWEL_END = VOWEL_SIGNS | _INDEPENDENT_VOWELS


# A letter: a Bengali consonant, independent vowel, anusvara (the coda of রং)
# or digit, or any other script's letter or digit. Vowel signs, hasanta,
# nukta, visarga and chandrabindu are not.
_LETTER = (
    "(?:[\u0982\u0985-\u0994\u0995-\u09b9\u09ce\u09e0\u09e1\u09e6-\u09ef]|(?![\u0980-\u09ff_])\\w)"
)
_LETTER_RE = re.compile(_LETTER)
_TWO_LETTERS = re.compile(f"{_LETTER}.*?{_LETTER}", re.DOTALL)


def count_letters(text: str) -> int:
    """Consonants, independent vowels, digits and other letters; signs do not count."""
    return len(_LETTER_RE.findall(text))


def _after(chars: Collection[str]) -> Callable[[str], bool]:
    return lambda stem: stem[-1] in chars


def _anything(stem: str) -> bool:
    return True


# What a suffix is, outermost first: Bengali adds plural or classifier, then
# case, then an emphatic particle (দেশ-গুলো-তে-ও). Cuts go outward in: after
# an emphatic particle anything may follow; after a case ending only a
# stem-final -র/-য় after a vowel (so that বাজার and বাজারের, if unprotected,
# are cut alike); after a plural or classifier nothing (their case-marked
# forms, -গুলোর, -টির, -দেরকে, are single suffixes).
EMPHATIC, CASE, STEM_FINAL, PLURAL = "emphatic", "case", "stem-final", "plural"
_FOLLOWERS = {
    None: {EMPHATIC, CASE, STEM_FINAL, PLURAL},
    EMPHATIC: {CASE, STEM_FINAL, PLURAL},
    CASE: {STEM_FINAL},
    STEM_FINAL: {STEM_FINAL},
    PLURAL: set(),
}


class _Rule(NamedTuple):
    suffix: str
    condition: Callable[[str], bool]
    kind: str


def _rules() -> list[_Rule]:
    after_consonant = _after(_CONSONANT_END)
    after_vowel = _after(_VOWEL_END)
    plural = [
        "গুলোর গুলোতে গুলোকে গুলোয় গুলো গুলির গুলিতে গুলিকে গুলি",
        "সমূহের সমূহে সমূহকে সমূহ",
        "দেরকে দের",
        "টির টিতে টিকে টি টার টাতে টাকে টা",
    ]
    rules = [_Rule(s, _anything, PLURAL) for line in plural for s in line.split()]
    rules += [
        _Rule("েরা", after_consonant, PLURAL),  # লোকেরা
        _Rule("রা", _anything, PLURAL),  # কর্মকর্তারা, সদস্যরা
        # A glide য় joins the case ending to a stem that ends in an
        # independent vowel or anusvara: বইয়ের, ভাইয়ে, ব্যাটিংয়ের.
        _Rule("য়ের", _after(_INDEPENDENT_VOWELS | {"\u0982"}), CASE),
        _Rule("য়ে", _after(_INDEPENDENT_VOWELS | {"\u0982"}), CASE),
        _Rule("ের", after_consonant, CASE),  # কাতারের, সময়ের
        _Rule("কে", _anything, CASE),  # রাশিয়াকে, দলকে
        # After a consonant -তে is a verb infinitive (করতে) or ত + এ (ভারতে).
        _Rule("তে", after_vowel, CASE),  # মেক্সিকোতে, চুক্তিতে
        # After ি the য় is the adjective suffix -ীয় (জাতীয়), not a case.
        _Rule("য়", _after("\u09be\u09cb"), STEM_FINAL),  # দোহায়
        _Rule("র", after_vowel, STEM_FINAL),  # মেক্সিকোর, নদীর
        _Rule("ে", after_consonant, CASE),  # দেশে, সালে
        # Emphatic particles. Which vowels may precede them was measured on
        # Wikipedia text: -াই is mostly part of the word (জুলাই, লড়াই), as
        # are -িও and -ুই (রেডিও, টোকিও, আনহুই).
        # ই after a consonant or ে ি ো (দেশেই, নদীই); ও after a consonant or
        # ে া ু ো (দেশেও, ভাষাও).
        _Rule("ই", _after(_CONSONANT_END | set("\u09c7\u09bf\u09cb")), EMPHATIC),
        _Rule("ও", _after(_CONSONANT_END | set("\u09c7\u09be\u09c1\u09cb")), EMPHATIC),
    ]
    rules = [r._replace(suffix=normalize_tier1(normalize_tier0(r.suffix))) for r in rules]
    # Longest suffix first; among equals, the order above.
    return sorted(rules, key=lambda r: -len(r.suffix))


# Ordinals, dates and counts written with digits: ২য়, ১৬ই, ১৯শ, ৩২টি, ১৮তম.
_NUMBER_SUFFIXES = "টি টা ই শে শ ম য় র্থ ষ্ঠ রা লা ঠা তম এর এ র ের তে কে জন নং"


def _number_with_suffix() -> re.Pattern[str]:
    suffixes = sorted(
        (normalize_tier1(normalize_tier0(s)) for s in _NUMBER_SUFFIXES.split()),
        key=len,
        reverse=True,
    )
    return re.compile(r"(\d[\d.,]*)(?:" + "|".join(suffixes) + ")")


class BengaliStemmer:
    """Stem one normalized token.

    ``stopwords`` and ``protected`` hold normalized words; ``protected_endings``
    protect whole families (…পুর place names, …ধারা compounds) when the ending
    starts a syllable.
    """

    MIN_LETTERS = 2  # enforced by _TWO_LETTERS
    MAX_CUTS = 2

    def __init__(
        self,
        stopwords: Iterable[str] = (),
        protected: Iterable[str] = (),
        protected_endings: Iterable[str] = (),
    ) -> None:
        self.stopwords = frozenset(stopwords)
        self.protected = frozenset(protected)
        self.protected_endings = frozenset(protected_endings)
        # An ending protects only when it starts a syllable (no hasanta before).
        longest_first = sorted(self.protected_endings, key=len, reverse=True)
        alternatives = "|".join(map(re.escape, longest_first))
        self._protected_ending = (
            re.compile(f"(?<!{_HASANTA})(?:{alternatives})\\Z") if alternatives else None
        )
        # Rules grouped by the last character of their suffix, so a word only
        # meets the rules that can match its end.
        self.rules: dict[str, list[_Rule]] = {}
        for rule in _rules():
            self.rules.setdefault(rule.suffix[-1], []).append(rule)
        self.number = _number_with_suffix()

    def is_protected(self, word: str) -> bool:
        if word in self.protected:
            return True
        return bool(self._protected_ending and self._protected_ending.search(word))

    def _cuts(self, word: str, previous: str | None) -> list[tuple[str, str]]:
        """(stem, kind) of every cut that may follow a cut of kind ``previous``."""
        allowed = _FOLLOWERS[previous]
        cuts = []
        for rule in self.rules.get(word[-1:], ()):
            if rule.kind not in allowed or not word.endswith(rule.suffix):
                continue
            stem = word[: -len(rule.suffix)]
            if (
                stem
                and stem[-1] != _HASANTA
                and rule.condition(stem)
                and _TWO_LETTERS.search(stem)  # MIN_LETTERS
            ):
                cuts.append((stem, rule.kind))
        return cuts

    def stem(self, word: str) -> str | None:
        """The stem of ``word``, or None when it is a stopword plus a particle.

        A function word with an emphatic particle (থেকেই, তারও) is still a
        function word; any other cut that would leave a stopword is refused.
        """
        if self.is_protected(word):
            return word
        if word[-1:] in ("ই", "ও") and word[:-1] in self.stopwords:
            return None  # তিনিও, এটিই: whatever precedes the particle
        number = self.number.fullmatch(word) if word[:1].isdigit() else None
        if number:
            return number.group(1)
        previous = None
        for _ in range(self.MAX_CUTS):
            candidates = []
            for stem, kind in self._cuts(word, previous):
                if stem in self.stopwords:
                    if kind == EMPHATIC:
                        return None
                    continue
                candidates.append((stem, kind))
            if not candidates:
                break
            protected = next((c for c in candidates if self.is_protected(c[0])), None)
            word, previous = protected or candidates[0]
            if protected:
                break
        return word
