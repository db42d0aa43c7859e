"""ICU's break iterators, shared by the tokenizer and the snippets.

A BreakIterator holds its text and position, so each thread gets its own.
ICU counts in UTF-16 code units and Python in code points: the two differ
only after a character beyond the Basic Multilingual Plane (emoji), so the
offsets are mapped only when the text has one.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Literal

from icu import BreakIterator, Locale

__all__ = ["ASTRAL", "boundaries", "breaker", "to_code_points", "utf16_to_codepoint"]

ASTRAL = re.compile("[\U00010000-\U0010ffff]")
Kind = Literal["word", "sentence", "character"]

_MAKERS = {
    "word": BreakIterator.createWordInstance,
    "sentence": BreakIterator.createSentenceInstance,
    "character": BreakIterator.createCharacterInstance,
}
_local = threading.local()


def breaker(kind: Kind) -> BreakIterator:
    """This thread's Bengali break iterator of ``kind``."""
    breakers = getattr(_local, "breakers", None)
    if breakers is None:
        breakers = _local.breakers = {}
    found = breakers.get(kind)
    if found is None:
        found = breakers[kind] = _MAKERS[kind](Locale("bn"))
    return found


def utf16_to_codepoint(text: str) -> list[int]:
    """Map each UTF-16 offset of ``text`` to its code point offset."""
    mapping = []
    for index, char in enumerate(text):
        mapping.append(index)
        if ord(char) > 0xFFFF:
            mapping.append(index)  # the low surrogate: never a boundary
    mapping.append(len(text))
    return mapping


def to_code_points(text: str, offsets: Iterable[int]) -> list[int]:
    """ICU offsets (UTF-16) of ``text`` as code point offsets."""
    if not ASTRAL.search(text):
        return list(offsets)
    mapping = utf16_to_codepoint(text)
    return [mapping[offset] for offset in offsets]


def boundaries(text: str, kind: Kind) -> list[int]:
    """ICU boundaries of ``text`` (sentence or grapheme), in code points."""
    iterator = breaker(kind)
    iterator.setText(text)
    return to_code_points(text, [0, *iterator])
