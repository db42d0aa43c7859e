"""The Bengali script, named once: the letters and signs that normalization,
the stemmer, the romanizer and close spellings read. Where two of them need
different sets, the sets have different names here."""

from __future__ import annotations

__all__ = [
    "CONSONANTS",
    "HASANTA",
    "INDEPENDENT_VOWELS",
    "KHANDA_TA",
    "MARKS",
    "NUKTA",
    "TA",
    "VOWEL_SIGNS",
    "VOWEL_SIGNS_ALL",
    "ZWJ",
    "character_class",
]

HASANTA = "\u09cd"
NUKTA = "\u09bc"
ZWJ = "\u200d"
KHANDA_TA = "\u09ce"
TA = "\u09a4"

# ক..হ, and খণ্ড ত (ড় ঢ় য় are a consonant and a nukta in NFC).
CONSONANTS = frozenset(chr(cp) for cp in range(0x0995, 0x09BA)) | {KHANDA_TA}
# The vowels written as letters: অ আ ই ঈ উ ঊ ঋ ঌ এ ঐ ও ঔ ৠ ৡ.
INDEPENDENT_VOWELS = frozenset("অআইঈউঊঋঌএঐওঔৠৡ")
# The dependent vowel signs of words: া ি ী ু ূ ৃ ৄ ে ৈ ো ৌ.
VOWEL_SIGNS = frozenset("\u09be\u09bf\u09c0\u09c1\u09c2\u09c3\u09c4\u09c7\u09c8\u09cb\u09cc")
# …and the au length mark and the vocalic l signs, which text may hold and
# normalization must repair like the others.
VOWEL_SIGNS_ALL = VOWEL_SIGNS | frozenset("\u09d7\u09e2\u09e3")
# চন্দ্রবিন্দু, anusvara, visarga.
MARKS = frozenset("\u0981\u0982\u0983")


def character_class(characters: frozenset[str]) -> str:
    """A regular expression character class's inside for ``characters``."""
    return "".join(sorted(characters))
