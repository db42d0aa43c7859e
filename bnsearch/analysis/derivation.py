"""Participles and the action nouns they are made from: প্রতিষ্ঠিত and
প্রতিষ্ঠা, স্থাপিত and স্থাপন, আবিষ্কৃত and আবিষ্কার.

Bengali says that something was done with a Sanskrit participle and a form
of হওয়া (কবে প্রতিষ্ঠিত হয়, when was it founded), or with the action noun
and a form of করা or হওয়া (প্রতিষ্ঠা করেন). A question and the text that
answers it often use the other of the two, and no suffix rule conflates
them: where the participle has -িত the noun has -া, -ন, -না, -ণ, -ণা, -াণ,
-ান or nothing, and where it has -ৃত, -ার. So these are not stems and do not
go into the index: :func:`related_forms` proposes the other forms of a word
that stands before such a verb (:func:`is_auxiliary`), and the search keeps
the first its index holds (bnsearch.search.compile). Elsewhere the same
endings are other words' (গণিত, mathematics; প্রতিষ্ঠান, an institution).
"""

from __future__ import annotations

from .normalize import normalize_tier0
from .stemmer import VOWEL_SIGNS, count_letters

__all__ = ["is_auxiliary", "related_forms"]

# Where a participle has -িত, the endings of its noun, most likely first
# (প্রতিষ্ঠা, প্রকাশ, স্থাপন, রচনা, অনুষ্ঠান); N is ন or ণ as the base
# requires (নির্ধারণ, ঘোষণা, নির্মাণ: see _nasal).
_NOUN_ENDINGS = ("া", "", "N", "Nা", "াN")
_PARTICIPLE = "িত"
_PARTICIPLE_KRITA = "ৃত"  # আবিষ্কৃত, পুরস্কৃত, ব্যবহৃত
_NOUN_KRITA = "ার"  # আবিষ্কার, পুরস্কার, ব্যবহার
# Letters a base keeps (a bare base, one more: গণিত is not গণ).
_MIN_BASE_LETTERS = 2

# The forms of হওয়া and করা that make a participle or action noun a verb.
_AUXILIARIES = frozenset(
    normalize_tier0(word)
    for word in (
        "হয় হন হও হই হলো হল হলেন হলাম হতো হত হতেন হবে হবেন হয়েছে হয়েছেন হয়েছিল "
        "হয়েছিলেন হচ্ছে হচ্ছেন হওয়া হয়ে হয়নি হয়েছিলো হইয়াছে হইয়াছিল হইল "
        "করা করে করেন করো করি করল করলো করলেন করত করতো করতেন করবে করবেন "
        "করেছে করেছেন করেছিল করেছিলেন করেছিলো করছে করছেন করানো করিয়াছে করিয়াছিল"
    ).split()
)


def is_auxiliary(word: str) -> bool:
    """Whether ``word`` is a form of হওয়া or করা (হয়, হয়েছিল, করেন …)."""
    return normalize_tier0(word) in _AUXILIARIES


def related_forms(word: str) -> list[str]:
    """The forms that may be the action noun of participle ``word``, or the
    participle of action noun ``word`` (tier-0 normalized, uninflected),
    most likely first. Most are not words: only those an index holds are."""
    found: list[str] = []
    if word.endswith(_PARTICIPLE_KRITA):
        found.append(_swap(word, _PARTICIPLE_KRITA, _NOUN_KRITA, _MIN_BASE_LETTERS))
    elif word.endswith(_PARTICIPLE):
        base = word[: -len(_PARTICIPLE)]
        for ending in _NOUN_ENDINGS:
            least = _MIN_BASE_LETTERS + (not ending)
            found.append(_swap(word, _PARTICIPLE, ending.replace("N", _nasal(base)), least))
    else:
        if word.endswith(_NOUN_KRITA):
            found.append(_swap(word, _NOUN_KRITA, _PARTICIPLE_KRITA, _MIN_BASE_LETTERS))
        endings = {ending.replace("N", nasal) for ending in _NOUN_ENDINGS for nasal in "নণ"}
        for ending in sorted(endings, key=len, reverse=True):
            if word.endswith(ending):
                least = _MIN_BASE_LETTERS + (not ending)
                found.append(_swap(word, ending, _PARTICIPLE, least))
    return [form for form in dict.fromkeys(found) if form and form != word]


def _swap(word: str, ending: str, other: str, least: int) -> str:
    """``word`` with ``ending`` replaced by ``other``; "" when the base left
    has fewer than ``least`` letters or ends in a vowel sign."""
    base = word[: len(word) - len(ending)]
    if count_letters(base) < least or base[-1:] in VOWEL_SIGNS:
        return ""
    return base + other


# The ণত্ব rule: after ঋ, র or ষ a dental ন is written ণ, unless a
# palatal, retroflex or dental consonant, ল, শ or স comes between.
_MAKES_RETROFLEX = frozenset("ঋৃরষ")
_KEEPS_DENTAL = frozenset("চছজঝঞটঠডঢতথদধনলশস")


def _nasal(base: str) -> str:
    """ন or ণ, as the ণত্ব rule writes a nasal after ``base``."""
    for char in reversed(base):
        if char in _MAKES_RETROFLEX:
            return "ণ"
        if char in _KEEPS_DENTAL:
            return "ন"
    return "ন"
