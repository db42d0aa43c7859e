"""English names of countries and languages written in Bengali letters, and
the Bengali names they stand for: চায়না is চীন, ফ্রেঞ্চ ফরাসি, ইন্ডিয়া ভারত.

Bengali writers often spell the English name of a country or a language
instead of its Bengali one, and no spelling variation leads from one to the
other. The table (``exonyms.tsv``) holds CLDR's Bengali and English names
(from ICU) with the English name spelled as it sounds (the CMU Pronouncing
Dictionary, spelled in Bengali by ``tools/exonyms.py``, which writes it).
A query word spelled like one of its spellings, within the distance of a
close spelling (ফ্রেঞ্চ, ফ্রেন্চ), is also searched as the Bengali name; the
query compiler does so only when the index holds the Bengali name more
often than the typed word (so কেনা, "to buy", never becomes কেনিয়া).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..analysis import normalize_tier1
from .variants import MIN_LENGTH, spelled_alike, spelling_limit, starts_alike

__all__ = ["bengali_names"]

_TABLE = Path(__file__).with_name("exonyms.tsv")


@lru_cache(maxsize=1)
def _table() -> dict[int, list[tuple[str, str]]]:
    """(folded spelling, Bengali name) rows of the table, by the length of
    the spelling: a close spelling is no more than a few letters longer or
    shorter, so a word is compared with a few rows, not all."""
    rows: dict[int, list[tuple[str, str]]] = {}
    for line in _TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            spelling, name, _ = line.split("\t")
            folded = normalize_tier1(spelling)
            rows.setdefault(len(folded), []).append((folded, name))
    return rows


@lru_cache(maxsize=1 << 12)
def bengali_names(stem: str) -> tuple[str, ...]:
    """The Bengali names of the country or language whose English name
    ``stem`` (a query word's stem, tier-1 folded) spells: (চীন,) for চায়না."""
    if len(stem) < MIN_LENGTH:
        return ()  # no close spelling of so short a word is looked for
    found: list[str] = []
    reach = int(2 * spelling_limit(stem))
    table = _table()
    for length in range(len(stem) - reach, len(stem) + reach + 1):
        for spelling, name in table.get(length, ()):
            if name in found or not starts_alike(stem, spelling):
                continue
            if spelled_alike(stem, spelling):
                found.append(name)
    return tuple(found)
