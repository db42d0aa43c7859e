"""Token normalization in two tiers (fact sheet, section 6).

Tier 0 repairs Unicode noise that never changes meaning and runs on every
field: NFC, অ+া→আ, ত্+ZWJ and legacy ত্ → ৎ, nukta order, stray signs,
invisible characters, NFKC case folding and digit folding.

Tier 1 folds the old/new spelling pairs that readers treat as the same word
(ী/ি, ূ/ু, ঙ/ং, ণ/ন, ৎ/ত) and runs on the main (stemmed) field only. Nothing
sound-based is folded here: শ/ষ/স, ড়/র and the ফলা rewrites merge different
words (শব/সব, পড়া/পরা).

Both functions take one token and are idempotent: f(f(x)) == f(x).
"""

from __future__ import annotations

import re
import unicodedata

from icu import Normalizer2

from .script import (
    CONSONANTS,
    HASANTA,
    INDEPENDENT_VOWELS,
    KHANDA_TA,
    NUKTA,
    TA,
    VOWEL_SIGNS_ALL,
    ZWJ,
    character_class,
)

__all__ = ["fold_digits", "normalize_label", "normalize_tier0", "normalize_tier1"]

_NFC = Normalizer2.getNFCInstance()
_NFKC_CASEFOLD = Normalizer2.getNFKCCasefoldInstance()

# Bengali consonants (ক..হ, plus ড় ঢ় য় in their decomposed NFC form, whose
# first code point is the base consonant) and the dependent vowel signs.
_CONSONANT = character_class(CONSONANTS - {KHANDA_TA})
_VOWEL_SIGN = character_class(VOWEL_SIGNS_ALL)
_INDEPENDENT_VOWEL = character_class(INDEPENDENT_VOWELS)

# Characters that render as nothing and only split words for a machine.
# ZWJ must survive until the ত্+ZWJ → ৎ step, so it is removed afterwards.
_INVISIBLE = re.compile(
    "[\u200b\u200c\u200d\u00ad\ufeff\u2060\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]"
)

# A nukta typed after the vowel sign belongs to the consonant: রযে়ছে → রয়েছে.
_MISPLACED_NUKTA = re.compile(f"([{_CONSONANT}])([{_VOWEL_SIGN}]+){NUKTA}")
# The same vowel sign typed twice (যুুদ্ধ) shows once.
_DOUBLED_SIGN = re.compile(f"([{_VOWEL_SIGN}])\\1+")
# A hasanta cannot follow a vowel or precede a vowel sign (দুই্টি, কা্).
_STRAY_HASANTA = re.compile(
    f"(?<=[{_INDEPENDENT_VOWEL}{_VOWEL_SIGN}]){HASANTA}|{HASANTA}(?=[{_VOWEL_SIGN}])"
)
# Anything the three repairs above would change (each pattern, loosened).
_NEEDS_REPAIR = re.compile(
    f"[{_VOWEL_SIGN}]{NUKTA}|([{_VOWEL_SIGN}])\\1|[{_INDEPENDENT_VOWEL}{_VOWEL_SIGN}]{HASANTA}"
    f"|{HASANTA}[{_VOWEL_SIGN}]"
)
# Legacy khanda ta: ত্ before a consonant that does not form a conjunct with
# ত (ত থ ন ব ম য র do: উত্তর, যত্ন, সত্য, পত্র), or at the end of the word.
_LEGACY_KHANDA_TA = re.compile(f"{TA}{HASANTA}(?=[{_CONSONANT}]|$)(?![তথনবমযর])")


# Every decimal digit that is not ASCII (Unicode category Nd, as \d means).
_NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")


def _ascii_digit(match: re.Match[str]) -> str:
    return str(unicodedata.decimal(match.group()))


def fold_digits(text: str) -> str:
    """Every Unicode decimal digit to its ASCII digit: ১৯৭৫ → 1975."""
    # Each digit found is looked up: a table of every digit of Unicode took
    # 45 ms to build at every start of the command line.
    if _NON_ASCII_DIGIT.search(text):
        return _NON_ASCII_DIGIT.sub(_ascii_digit, text)
    return text


# Apostrophes inside names (ডি'অলিভেইরা, ও'নিল) are typed as any of these;
# they become the ASCII one.
_APOSTROPHES = re.compile("[\u2019\u2018\u02bc\u02bb\u2032\u00b4\u0060]")


def normalize_tier0(token: str) -> str:
    """Unicode repair for every field; documents and queries alike."""
    if token.isascii():
        return token.lower()
    if _APOSTROPHES.search(token):
        token = _APOSTROPHES.sub("'", token)
    # Each regex step is skipped when a cheap test shows it has nothing to do:
    # most tokens are clean NFC Bengali. (ICU's normalizers are fast enough to
    # run always; Python's unicodedata is several times slower on Bengali.)
    if ZWJ in token:
        token = token.replace(TA + HASANTA + ZWJ, KHANDA_TA)
    if _INVISIBLE.search(token):
        token = _INVISIBLE.sub("", token)
    token = _NFC.normalize(token)
    if _NEEDS_REPAIR.search(token):  # one scan instead of three on clean words
        token = _MISPLACED_NUKTA.sub(f"\\1{NUKTA}\\2", token)
        token = _STRAY_HASANTA.sub("", token)
        token = _DOUBLED_SIGN.sub("\\1", token)
    if "\u0985\u09be" in token:
        token = token.replace("\u0985\u09be", "\u0986")
    token = _NFKC_CASEFOLD.normalize(token)
    if TA + HASANTA in token:
        token = _LEGACY_KHANDA_TA.sub(KHANDA_TA, token)
    return fold_digits(token)


def normalize_label(text: str) -> str:
    """A title or heading as compared with another: tier 0, each run of
    whitespace one space."""
    return normalize_tier0(" ".join(text.split()))


_TIER1 = str.maketrans(
    {
        "\u09c0": "\u09bf",  # ী → ি
        "\u09c2": "\u09c1",  # ূ → ু
        "\u09a3": "\u09a8",  # ণ → ন
        KHANDA_TA: TA,  # ৎ → ত, as before a suffix: বিদ্যুৎ / বিদ্যুতের
        "\u0999": "\u0982",  # ঙ → ং
    }
)
_TIER1_CHARS = re.compile("[\u09c0\u09c2\u09a3\u09ce\u0999]")


def normalize_tier1(token: str) -> str:
    """Spelling folds for the main field; expects tier-0 output."""
    if not _TIER1_CHARS.search(token):
        return token
    # ঙ্গ/ঙ্ক are written ংগ/ংক too (সঙ্গে/সংগে, ব্যাঙ্ক/ব্যাংক): drop the hasanta first.
    token = token.replace("\u0999" + HASANTA, "\u0982").translate(_TIER1)
    # Folding can double a sign (িী → িি), which tier 0 would collapse.
    return _DOUBLED_SIGN.sub("\\1", token)
