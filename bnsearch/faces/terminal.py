"""Text on a terminal: how wide a character is drawn, and wrapping
paragraphs at word boundaries.

wcwidth (which prompt_toolkit measures with) gives Bengali's spacing vowel
signs (া ি ী ে ৈ ো ৌ), anusvara and visarga (category Mc) no width; glibc's
wcwidth, xterm, GNU screen and tmux draw each in a cell of its own
(measured in tmux: the cursor moves one column per sign). Where the two
disagree, line editing puts the cursor on the wrong character and redraws
leave stale text (``দোহহXায়``, ``bnsbnsearch>``). The terminals' rule is: marks that
do not advance (Mn, Me) and format characters (Cf: ZWJ, ZWNJ) take no
cell; a spacing mark (Mc) takes one.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from wcwidth import wcwidth

from ..model import Snippet

__all__ = ["char_width", "text_width", "use_terminal_widths", "wrap"]


@lru_cache(maxsize=1 << 14)
def char_width(char: str) -> int:
    """The cells a terminal gives one code point (0 for a control)."""
    if unicodedata.category(char) == "Mc":
        return 1
    return max(0, wcwidth(char))


def text_width(text: str) -> int:
    return sum(char_width(char) for char in text)


def use_terminal_widths() -> None:
    """Make prompt_toolkit measure characters as terminals draw them.

    prompt_toolkit caches widths from the name ``wcwidth`` in its utils
    module; replacing that one name (and the cache) changes every
    measurement it makes, and nothing else."""
    import prompt_toolkit.utils as utils

    utils.wcwidth = char_width  # type: ignore[attr-defined]
    utils._CHAR_SIZES_CACHE.clear()  # type: ignore[attr-defined]


_WORD = re.compile(r"\S+\s*")


def _breaks(text: str, room: int) -> list[tuple[int, int]]:
    """The [start, end) whitespace runs of ``text`` where lines break so
    that none is wider than ``room`` cells (a longer word keeps its line)."""
    breaks, used = [], 0
    for match in _WORD.finditer(text):
        word = match.group()
        bare = word.rstrip()
        if "\n" in word[len(bare) :]:  # the text's own line break
            used = 0
            continue
        if used and used + text_width(bare) > room:
            breaks.append(_space_before(text, match.start()))
            used = 0
        used += text_width(word)
    return breaks


def _space_before(text: str, start: int) -> tuple[int, int]:
    end = start
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    return start, end


def wrap(snippet: Snippet, width: int, indent: str = "") -> Snippet:
    """The snippet wrapped to ``width`` terminal cells at spaces, each line
    after the first starting with ``indent``, its highlights moved along;
    never inside a word (a word longer than a line keeps a line of its
    own), so never inside a syllable."""
    text = snippet.text
    room = max(width - text_width(indent), 20)
    out, shifts, position, shift = [], [], 0, 0
    for start, end in _breaks(text, room):
        out += [text[position:start], "\n" + indent]
        shift += 1 + len(indent) - (end - start)
        shifts.append((end, shift))
        position = end
    out.append(text[position:])

    def moved(offset: int) -> int:
        return offset + next((s for at, s in reversed(shifts) if offset >= at), 0)

    spans = tuple((moved(a), moved(b)) for a, b in snippet.highlights)
    return Snippet("".join(out), spans)
