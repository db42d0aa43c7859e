"""English names of countries and languages, written in Bengali letters or
in English, and the Bengali names they stand for: চায়না and China are চীন,
ফ্রেঞ্চ and French ফরাসি, ইন্ডিয়া and India ভারত.

Bengali writers often spell the English name of a country or a language
instead of its Bengali one, and no spelling variation leads from one to the
other. The table (``exonyms.tsv``) holds CLDR's Bengali and English names
(from ICU) with the English name as English writes it and spelled as it
sounds (the CMU Pronouncing Dictionary, spelled in Bengali by
``tools/exonyms.py``, which writes it). A query word spelled as one of its
Bengali spellings, or one cheap edit away with the same ending (চাইনা,
চায়না; a word under six letters only as spelled), or that is the English
name itself (any case, without accents, or with a possessive 's: China's,
curacao), is also searched as the Bengali name. The query compiler does so
only when the index holds the Bengali name more often than the typed word:
where the texts use the English name as a name of its own, it is left as
typed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from ..analysis import normalize_tier1
from .variants import MIN_LENGTH, spelling_distance, starts_alike

__all__ = ["bengali_names"]

_TABLE = Path(__file__).with_name("exonyms.tsv")


_BENGALI = re.compile(r"[\u0980-\u09FF]+")


@lru_cache(maxsize=1)
def _table() -> tuple[dict[int, list[tuple[str, str]]], dict[str, tuple[str, ...]]]:
    """The Bengali spellings as (folded spelling, Bengali name) rows by the
    length of the spelling (a word one edit off is at most one code point
    longer or shorter, so a word is compared with a few rows, not all), and
    the English names as written (folded, see _english) → Bengali names."""
    rows: dict[int, list[tuple[str, str]]] = {}
    english: dict[str, tuple[str, ...]] = {}
    for line in _TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            spelling, name, _ = line.split("\t")
            if _BENGALI.fullmatch(spelling):
                folded = normalize_tier1(spelling)
                rows.setdefault(len(folded), []).append((folded, name))
            else:
                key = _english(spelling)
                english[key] = (*english.get(key, ()), name)
    return rows, english


def _english(word: str) -> str:
    """An English word as the table is looked up by it: case and accents
    folded (Curaçao, curacao), a possessive dropped (China's)."""
    letters = unicodedata.normalize("NFKD", word.casefold())
    letters = "".join(char for char in letters if not unicodedata.combining(char))
    return re.sub(r"['’]s$", "", letters)


# How far a typed word may be from a spelling of the table: one cheap edit
# (a vowel sign, a letter of the same group: চায়না, চাইনা). A close
# spelling's full edit is too far from a spelling made by rule: it takes
# চালনা for চায়না, ইন্ডিজ for ইন্ডিয়া, ফ্রেন্ড for ফ্রেঞ্চ.
REACH = 0.5
# Shorter words only as spelled: a vowel sign away from a short spelling
# is a word of its own (রাশি, a sign of the zodiac, is not রাশা, Russia;
# আর্ডি is not আর্ডু, Urdu).
EXACT_BELOW = 6


@lru_cache(maxsize=1 << 12)
def bengali_names(stem: str) -> tuple[str, ...]:
    """The Bengali names of the country or language whose English name
    ``stem`` (a query word's stem, tier-1 folded) spells or is: (চীন,) for
    চায়না and for china."""
    if len(stem) < MIN_LENGTH:
        return ()
    table, english = _table()
    if not _BENGALI.match(stem):
        return english.get(_english(stem), ())  # an English name only as English writes it
    reach = REACH if len(stem) >= EXACT_BELOW else 0.0
    found: list[str] = []
    for length in range(len(stem) - 1, len(stem) + 2):
        for spelling, name in table.get(length, ()):
            if name in found or not starts_alike(stem, spelling):
                continue
            if spelling == stem:
                found.append(name)
            elif spelling[-1] == stem[-1] and spelling_distance(stem, spelling, reach) <= reach:
                found.append(name)  # the same ending: an ending is grammar (চায়নি, did not want)
    return tuple(found)
